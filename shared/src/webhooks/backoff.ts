// Webhook retry schedule (API.md: ≥ 5 attempts over ≥ 10 minutes). After the n-th failed attempt the next one
// waits base × 2^(n−1), capped: with the defaults (base 60 s, cap 1 h) that is 1, 2, 4, 8, 16, 32, 60 … minutes,
// so attempt 5 comes 15 minutes after the first and attempt 8 (the default maximum) about 2 hours after it.
// A server's Retry-After is honoured when it asks for longer (still capped). Use it as BullMQ's custom backoff:
// `settings: { backoffStrategy: (attemptsMade) => webhookBackoffMs(attemptsMade) }` with `attempts: 8`.

export interface WebhookBackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_WEBHOOK_BACKOFF: WebhookBackoffPolicy = { baseMs: 60_000, maxMs: 3_600_000 };
export const DEFAULT_WEBHOOK_MAX_ATTEMPTS = 8;

/** Delay before the next attempt, after `failedAttempts` (≥ 1) attempts have failed. */
export function webhookBackoffMs(
  failedAttempts: number,
  retryAfterMs?: number | null,
  policy: WebhookBackoffPolicy = DEFAULT_WEBHOOK_BACKOFF,
): number {
  const n = Math.max(1, Math.floor(failedAttempts));
  const scheduled = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(n - 1, 30));
  const asked = retryAfterMs && retryAfterMs > 0 ? Math.min(policy.maxMs, retryAfterMs) : 0;
  return Math.max(scheduled, asked);
}

/** Milliseconds from the first attempt to the last one when every attempt fails. */
export function webhookRetryWindowMs(maxAttempts = DEFAULT_WEBHOOK_MAX_ATTEMPTS, policy = DEFAULT_WEBHOOK_BACKOFF): number {
  let total = 0;
  for (let n = 1; n < maxAttempts; n++) total += webhookBackoffMs(n, null, policy);
  return total;
}
