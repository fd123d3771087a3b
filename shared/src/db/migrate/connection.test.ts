import { describe, expect, it } from 'vitest';
import { describeTarget, poolConfigFromUrl } from './connection.js';

describe('poolConfigFromUrl', () => {
  it('splits a URL into pg pool fields (never a connectionString, so the shadow database name wins)', () => {
    const c = poolConfigFromUrl('postgresql://app%40x:p%3Ass@db.example:6543/course%20db?sslmode=require&schema=public');
    expect(c).toEqual({
      host: 'db.example',
      port: 6543,
      user: 'app@x',
      password: 'p:ss',
      database: 'course db',
      ssl: { rejectUnauthorized: false },
    });
    expect(c).not.toHaveProperty('connectionString');
    expect(describeTarget(c)).toBe('app@x@db.example:6543/course db'); // no password
  });

  it('fills libpq defaults and understands socket directories and IPv6 hosts', () => {
    expect(poolConfigFromUrl('postgres:///cs?host=/var/run/postgresql')).toMatchObject({
      host: '/var/run/postgresql',
      port: 5432,
      user: 'postgres',
      database: 'cs',
    });
    expect(poolConfigFromUrl('postgresql://u@[::1]/cs').host).toBe('::1');
    expect(poolConfigFromUrl('postgresql://u@h/cs?sslmode=verify-full').ssl).toEqual({ rejectUnauthorized: true });
  });

  it('rejects what is not a PostgreSQL URL naming a database', () => {
    expect(() => poolConfigFromUrl('not a url')).toThrow(/not a valid URL/);
    expect(() => poolConfigFromUrl('mysql://u@h/db')).toThrow(/postgresql:\/\//);
    expect(() => poolConfigFromUrl('postgresql://u@h:5432/')).toThrow(/no database/);
  });
});
