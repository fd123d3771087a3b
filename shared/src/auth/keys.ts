// API key material. Format `cs_live_<32 lowercase hex>` or `cs_test_…` (API.md). Only the SHA-256 hex digest
// and a display prefix are stored; the key itself is shown once at creation.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SCOPES = ['prep', 'check'] as const;
export type Scope = (typeof SCOPES)[number];
export type KeyEnvironment = 'live' | 'test';

const KEY_RE = /^cs_(live|test)_[0-9a-f]{32}$/;

export const isWellFormedKey = (key: string): boolean => KEY_RE.test(key);

export const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** Display prefix: environment plus the first 8 hex characters, enough to tell keys apart in a list. */
export const displayPrefix = (key: string): string => key.slice(0, 'cs_live_'.length + 8);

export function generateKey(env: KeyEnvironment = 'live'): { key: string; hash: string; prefix: string } {
  const key = `cs_${env}_${randomBytes(16).toString('hex')}`;
  return { key, hash: hashKey(key), prefix: displayPrefix(key) };
}

/** Constant-time comparison of two hex digests of equal length. */
export function digestsEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ba.length === bb.length && ba.length > 0 && timingSafeEqual(ba, bb);
}

export function parseScopes(input: string | string[]): Scope[] {
  const parts = (Array.isArray(input) ? input : input.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error('at least one scope is required (prep, check)');
  const bad = parts.filter((p) => !(SCOPES as readonly string[]).includes(p));
  if (bad.length) throw new Error(`unknown scope(s): ${bad.join(', ')} (allowed: ${SCOPES.join(', ')})`);
  return [...new Set(parts)] as Scope[];
}
