// Retries with exponential backoff and jitter, honouring the server's own wait hints:
// `retry-after-ms`, `Retry-After` (seconds or HTTP date) and OpenAI-style `x-ratelimit-reset-*` durations.
import { ProviderError } from './provider-error.js';

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** First backoff step; doubles per retry. */
  baseDelayMs: number;
  /** Cap for computed backoff. */
  maxDelayMs: number;
  /** A server asking for a longer wait than this ends the retries (the job retries later instead). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 };

type HeaderBag = Record<string, string | string[] | undefined>;
const header = (h: HeaderBag, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1s", "6m0s", "20ms", "1h2m3.5s", "0.5" (seconds) → milliseconds. */
export function parseDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === t.length && matched > 0 ? total : undefined;
}

/** The wait the server asked for, in ms, or undefined when it gave none. */
export function retryAfterFromHeaders(headers: HeaderBag, now = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms);
  const ra = header(headers, 'retry-after')?.trim();
  if (ra) {
    if (/^\d+(\.\d+)?$/.test(ra)) return Number(ra) * 1000;
    const at = Date.parse(ra);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  // OpenAI-style: the reset of whichever budget is exhausted, else the longest reset announced.
  const resets: number[] = [];
  const exhausted: number[] = [];
  for (const name of Object.keys(headers)) {
    const m = /^x-ratelimit-reset(?:-(.+))?$/.exec(name.toLowerCase());
    if (!m) continue;
    const raw = header(headers, name);
    let d = parseDuration(raw);
    // Some APIs send an epoch timestamp in seconds instead of a duration.
    if (d !== undefined && raw && /^\d{10}$/.test(raw.trim())) d = Math.max(0, Number(raw) * 1000 - now);
    if (d === undefined) continue;
    resets.push(d);
    if (m[1] && header(headers, `x-ratelimit-remaining-${m[1]}`)?.trim() === '0') exhausted.push(d);
  }
  if (exhausted.length) return Math.max(...exhausted);
  return resets.length ? Math.max(...resets) : undefined;
}

/** Exponential backoff with "equal jitter": half the step fixed, half random. `retry` is 1 for the first retry. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

export interface RetryHooks {
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (error: ProviderError, attempt: number, delayMs: number) => void;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `attempt(n)` until it succeeds, throws a permanent error or a non-ProviderError, or attempts run out.
 * A server wait hint is honoured (plus up to 10 % / 1 s of jitter so clients do not return in lockstep).
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  const random = hooks.random ?? Math.random;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!(e instanceof ProviderError) || e.permanent) throw e;
      if (n >= policy.maxAttempts) throw e.withAttempts(n);
      let delay: number;
      if (e.retryAfterMs !== undefined) {
        if (e.retryAfterMs > policy.maxRetryAfterMs) throw e.withAttempts(n);
        delay = Math.round(e.retryAfterMs + random() * Math.min(1000, e.retryAfterMs * 0.1));
      } else {
        delay = backoffDelay(n, policy, random);
      }
      hooks.onRetry?.(e, n, delay);
      await (hooks.sleep ?? sleep)(delay);
    }
  }
}
