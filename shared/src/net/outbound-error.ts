// One error type for everything the outbound guard refuses or gives up on. `reason` is stable (tests, logs,
// webhook delivery logs); `message` is safe to show to the client (e.g. in a 422 body) — it never contains the
// resolved address, only the kind of range.
import { invalid, type AppError } from '../errors/index.js';

export type OutboundErrorReason =
  | 'invalid_url' // not parseable
  | 'unsupported_scheme' // not http(s)
  | 'credentials_in_url' // user:pass@host
  | 'private_address' // some resolved address is not public
  | 'dns_failure' // the name does not resolve
  | 'redirect_not_followed' // 3xx while redirects are off (webhooks)
  | 'too_many_redirects'
  | 'invalid_redirect' // 3xx without a usable Location
  | 'timeout' // total time budget exceeded
  | 'too_large' // response body over maxBytes
  | 'content_type' // response type not in the allowlist
  | 'network'; // connection refused / reset / TLS failure …

/** Reasons that are a property of the URL itself: answer them with 422 when a client submits the URL. */
const REFUSALS = new Set<OutboundErrorReason>([
  'invalid_url',
  'unsupported_scheme',
  'credentials_in_url',
  'private_address',
  'dns_failure',
]);

export class OutboundError extends Error {
  override readonly name = 'OutboundError';
  constructor(
    readonly reason: OutboundErrorReason,
    message: string,
    readonly extra: { url?: string; status?: number; address?: string; location?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
  }

  /** The URL is refused by policy (as opposed to a fetch that failed). */
  get refused(): boolean {
    return REFUSALS.has(this.reason);
  }

  get status(): number | undefined {
    return this.extra.status;
  }

  /** 422 in the API.md list shape, for a refused URL field: `err.toValidationError(['body', 'webhook_url'])`. */
  toValidationError(loc: (string | number)[]): AppError {
    return invalid(loc, this.message, `url_${this.reason}`);
  }
}

export const isOutboundError = (e: unknown): e is OutboundError => e instanceof OutboundError;
