// Issue 14 item 9: `npm run migrate` (scripts/migrate.ts) and scripts/ensure-s3.ts read their settings as the app
// does (shared/src/config): a value only in .env is used; the environment wins over .env. Each script runs as
// its own process in a temporary working directory holding the .env, against the real Postgres and s3rver.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const tsx = import.meta.resolve('tsx');
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** Runs a script with `cwd` holding `.env` (content) and only `env` on top of a bare environment. */
function run(script: string, args: string[], dotenv: string, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'cs-config-'));
  dirs.push(dir);
  writeFileSync(join(dir, '.env'), dotenv);
  const r = spawnSync(
    process.execPath,
    ['--experimental-wasm-modules', '--no-warnings=ExperimentalWarning', '--import', tsx, join(ROOT, script), ...args],
    { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, encoding: 'utf8', timeout: 90_000 },
  );
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

const server = new URL(process.env.DATABASE_URL as string);
const dbUrl = (name: string) => Object.assign(new URL(server), { pathname: `/${name}` }).toString();

describe('npm run migrate reads DATABASE_URL like the app', () => {
  // `status` names its target; a database that does not exist is named in the error.
  it('takes DATABASE_URL from .env when the environment has none', () => {
    const r = run('scripts/migrate.ts', ['status'], `DATABASE_URL=${dbUrl('cs_envfile_only_db')}\n`, {});
    expect(r.out).toContain('cs_envfile_only_db');
  });
  it('prefers the environment over .env', () => {
    const r = run('scripts/migrate.ts', ['status'], `DATABASE_URL=${dbUrl('cs_envfile_only_db')}\n`, { DATABASE_URL: dbUrl('cs_environment_db') });
    expect(r.out).toContain('cs_environment_db');
    expect(r.out).not.toContain('cs_envfile_only_db');
  });
  it('refuses a malformed DATABASE_URL in .env with the config error, as the app would', () => {
    const r = run('scripts/migrate.ts', ['status'], 'DATABASE_URL=mysql://x\n', {});
    expect(r.status).toBe(78);
    expect(r.out).toContain('DATABASE_URL');
  });
});

describe('ensure-s3 reads the S3 settings like the app', () => {
  const endpoint = process.env.S3_ENDPOINT as string;
  const bucket = `${process.env.S3_BUCKET}-envfile`;
  const dotenv = `S3_ENDPOINT=${endpoint}\nS3_BUCKET=${bucket}\nS3_ACCESS_KEY_ID=S3RVER\nS3_SECRET_ACCESS_KEY=S3RVER\n`;
  it('takes the endpoint, bucket and keys from .env when the environment has none', () => {
    const r = run('scripts/ensure-s3.ts', [], dotenv, {});
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(new RegExp(`(created bucket|bucket) ${bucket}\\b`));
  });
  it('prefers the environment over .env', () => {
    const r = run('scripts/ensure-s3.ts', [], dotenv, { S3_BUCKET: process.env.S3_BUCKET as string });
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain(`bucket ${process.env.S3_BUCKET} exists`);
    expect(r.out).not.toContain(bucket);
  });
});
