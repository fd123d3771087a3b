import { describe, expect, it } from 'vitest';
import { ProviderError } from './provider-error.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, parseDuration, retryAfterFromHeaders, withRetries } from './retry.js';

const transient = (retryAfterMs?: number) => new ProviderError('boom', { provider: 'p', code: 'http_status', permanent: false, status: 503, retryAfterMs });

describe('retry hints', () => {
  it('parses OpenAI reset durations', () => {
    expect(parseDuration('1s')).toBe(1000);
    expect(parseDuration('6m0s')).toBe(360_000);
    expect(parseDuration('20ms')).toBe(20);
    expect(parseDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseDuration('0.5')).toBe(500);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('1s garbage')).toBeUndefined();
  });

  it('reads Retry-After as seconds or an HTTP date, and retry-after-ms', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterFromHeaders({ 'retry-after': '3' }, now)).toBe(3000);
    expect(retryAfterFromHeaders({ 'retry-after': 'Wed, 01 Jan 2025 00:00:07 GMT' }, now)).toBe(7000);
    expect(retryAfterFromHeaders({ 'retry-after': 'Tue, 31 Dec 2024 00:00:00 GMT' }, now)).toBe(0);
    expect(retryAfterFromHeaders({ 'retry-after-ms': '250', 'retry-after': '9' }, now)).toBe(250);
    expect(retryAfterFromHeaders({}, now)).toBeUndefined();
  });

  it('uses the reset of the exhausted rate-limit budget, else the longest reset', () => {
    expect(
      retryAfterFromHeaders({
        'x-ratelimit-remaining-requests': '10',
        'x-ratelimit-reset-requests': '100ms',
        'x-ratelimit-remaining-tokens': '0',
        'x-ratelimit-reset-tokens': '2.5s',
      }),
    ).toBe(2500);
    expect(retryAfterFromHeaders({ 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '4s' })).toBe(4000);
  });

  it('backs off exponentially with jitter, capped', () => {
    const p = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, p, () => 0)).toBe(50);
    expect(backoffDelay(1, p, () => 1)).toBe(100);
    expect(backoffDelay(3, p, () => 1)).toBe(400);
    expect(backoffDelay(10, p, () => 1)).toBe(1000);
    expect(backoffDelay(10, p, () => 0)).toBe(500);
  });
});

describe('withRetries', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 4, baseDelayMs: 100 };

  it('retries transient errors, honouring the server hint, until success', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls++;
        if (calls === 1) throw transient(2000);
        if (calls === 2) throw transient();
        return 'ok';
      },
      policy,
      { sleep: async (ms) => void delays.push(ms), random: () => 0.5 },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(delays[0]).toBeGreaterThanOrEqual(2000);
    expect(delays[0]).toBeLessThanOrEqual(2100);
    expect(delays[1]).toBe(150); // second retry: step 200 ms, half fixed + half × 0.5
  });

  it('stops at once on permanent errors and on foreign errors', async () => {
    let calls = 0;
    const perm = new ProviderError('bad', { provider: 'p', code: 'http_status', permanent: true, status: 400 });
    await expect(withRetries(async () => (calls++, Promise.reject(perm)), policy, { sleep: async () => {} })).rejects.toBe(perm);
    await expect(withRetries(async () => (calls++, Promise.reject(new TypeError('x'))), policy, { sleep: async () => {} })).rejects.toThrow(TypeError);
    expect(calls).toBe(2);
  });

  it('gives up after maxAttempts, or when the server asks for too long a wait', async () => {
    let calls = 0;
    const e = await withRetries(async () => (calls++, Promise.reject(transient())), policy, { sleep: async () => {} }).catch((x: unknown) => x);
    expect(calls).toBe(4);
    expect(e).toMatchObject({ permanent: false, attempts: 4 });
    calls = 0;
    const long = await withRetries(async () => (calls++, Promise.reject(transient(10 * 60_000))), policy, { sleep: async () => {} }).catch((x: unknown) => x);
    expect(calls).toBe(1);
    expect(long).toMatchObject({ permanent: false, attempts: 1 });
  });
});
