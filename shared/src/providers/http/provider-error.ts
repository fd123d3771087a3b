// One error type for provider calls. `permanent: true` means retrying cannot help (bad request, bad key, unknown
// model, input too long, not configured): a job handler should throw BullMQ's UnrecoverableError for it.
// Transient errors (429, 5xx, network, timeout) are retried inside the client first; when retries run out the
// error stays `permanent: false` so the job's own attempts/backoff can take over.

export type ProviderErrorCode =
  | 'http_status' // the provider answered with an error status
  | 'network' // connection refused/reset, DNS …
  | 'timeout' // no complete answer within the per-request timeout
  | 'invalid_response' // 2xx that does not match the protocol (counts, dimensions, JSON)
  | 'invalid_input' // rejected before sending (empty or over-long input, file too large)
  | 'not_configured'; // no provider of this kind is configured

export interface ProviderErrorInfo {
  provider: string;
  code: ProviderErrorCode;
  permanent: boolean;
  status?: number;
  /** Server-requested wait before the next attempt (Retry-After & co.). */
  retryAfterMs?: number;
  /** Attempts made when the error was finally thrown. */
  attempts?: number;
  cause?: unknown;
}

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly provider: string;
  readonly code: ProviderErrorCode;
  readonly permanent: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly attempts: number | undefined;

  constructor(message: string, info: ProviderErrorInfo) {
    super(message, info.cause === undefined ? undefined : { cause: info.cause });
    this.provider = info.provider;
    this.code = info.code;
    this.permanent = info.permanent;
    this.status = info.status;
    this.retryAfterMs = info.retryAfterMs;
    this.attempts = info.attempts;
  }

  withAttempts(attempts: number): ProviderError {
    const e = new ProviderError(`${this.message} (gave up after ${attempts} attempts)`, {
      provider: this.provider,
      code: this.code,
      permanent: this.permanent,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      attempts,
      cause: this.cause,
    });
    return e;
  }
}

export const isProviderError = (e: unknown): e is ProviderError => e instanceof ProviderError;

/** Statuses worth retrying: timeouts, conflicts, rate limits and server errors. Every other 4xx is permanent. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}
