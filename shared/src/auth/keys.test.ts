import { describe, expect, it } from 'vitest';
import { digestsEqual, displayPrefix, generateKey, hashKey, isWellFormedKey, parseScopes } from './keys.js';

describe('api key material', () => {
  it('generates keys in the documented format with a SHA-256 hash and a display prefix', () => {
    const { key, hash, prefix } = generateKey('live');
    expect(key).toMatch(/^cs_live_[0-9a-f]{32}$/);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashKey(key));
    expect(prefix).toBe(key.slice(0, 16));
    expect(displayPrefix(key)).toBe(prefix);
    expect(generateKey('test').key).toMatch(/^cs_test_/);
    expect(generateKey().key).not.toBe(key);
  });

  it('accepts only well-formed keys', () => {
    expect(isWellFormedKey(`cs_live_${'a1'.repeat(16)}`)).toBe(true);
    expect(isWellFormedKey(`cs_live_${'A1'.repeat(16)}`)).toBe(false);
    expect(isWellFormedKey(`cs_live_${'a'.repeat(31)}`)).toBe(false);
    expect(isWellFormedKey(`cs_other_${'a'.repeat(32)}`)).toBe(false);
    expect(isWellFormedKey(` cs_live_${'a'.repeat(32)}`)).toBe(false);
  });

  it('compares digests in constant time and only equal ones match', () => {
    const a = hashKey('x');
    expect(digestsEqual(a, hashKey('x'))).toBe(true);
    expect(digestsEqual(a, hashKey('y'))).toBe(false);
    expect(digestsEqual(a, '')).toBe(false);
  });

  it('validates scopes', () => {
    expect(parseScopes('prep, check,prep')).toEqual(['prep', 'check']);
    expect(() => parseScopes('')).toThrow(/at least one/);
    expect(() => parseScopes('prep,admin')).toThrow(/unknown scope\(s\): admin/);
  });
});
