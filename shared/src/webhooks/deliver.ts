// One webhook delivery attempt. The URL is checked again at send time by the outbound guard (guardedRequest):
// every resolved address must be public unless allowPrivate, the connection goes to the checked address (no DNS
// rebinding), and redirects are NOT followed (maxRedirects 0: a 3xx is a failure). Only the status is read; the
// response body is discarded unread.
//
// Classification (API.md): 2xx → delivered; 408, 429, 5xx, timeouts and network errors → retry; a redirect, any
// other 4xx/1xx, or a URL refused by policy (private address, bad scheme, no DNS answer…) → failed.
// The result carries no secret and no body; `error` is safe to store in the deliveries log and show the client.
import { guardedRequest } from '../net/guarded-fetch.js';
import { OutboundError } from '../net/outbound-error.js';
import type { CheckUrlOptions } from '../net/url-check.js';
import { retryAfterFromHeaders } from '../providers/http/retry.js';
import type { WebhookEvent } from './payload.js';
import { signPayload } from './signature.js';

export const WEBHOOK_USER_AGENT = 'CourseSupporter-Webhooks/1';
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

export interface DeliverWebhookOptions {
  url: string;
  /** Tenant webhook secret (plain, decrypted just before the call). */
  secret: string;
  /** Stable across retries of one delivery (uuid). */
  deliveryId: string;
  event: WebhookEvent;
  /** The serialized payload: the exact bytes signed and sent. */
  body: string;
  allowPrivate?: CheckUrlOptions['allowPrivate'];
  timeoutMs?: number;
  /** Injectable for tests. */
  resolver?: CheckUrlOptions['resolver'];
  /** Unix seconds for the signature; default now. */
  now?: () => number;
  signal?: AbortSignal;
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed';

export interface DeliveryResult {
  outcome: DeliveryOutcome;
  /** HTTP status when the receiver answered. */
  status?: number;
  latencyMs: number;
  /** Why it was not delivered (no secrets, no response body). */
  error?: string;
  /** OutboundError reason when the guard refused or gave up (`private_address`, `timeout`, …). */
  reason?: string;
  /** The receiver's Retry-After (429/503), in ms. */
  retryAfterMs?: number;
}

export function classifyStatus(status: number): DeliveryOutcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'failed';
}

const RETRYABLE_REASONS = new Set(['timeout', 'network']);

export async function deliverWebhook(opts: DeliverWebhookOptions): Promise<DeliveryResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  const timestamp = Math.floor(opts.now ? opts.now() : Date.now() / 1000);
  const headers = {
    'content-type': 'application/json',
    'user-agent': WEBHOOK_USER_AGENT,
    'x-cs-event': opts.event,
    'x-cs-delivery': opts.deliveryId,
    'x-cs-signature': signPayload(opts.secret, timestamp, opts.body),
  };
  try {
    const res = await guardedRequest(opts.url, {
      method: 'POST',
      headers,
      body: opts.body,
      maxRedirects: 0,
      maxBytes: Number.MAX_SAFE_INTEGER, // the body is never read; a large 2xx page must not fail the delivery
      timeoutMs: opts.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
      allowPrivate: opts.allowPrivate ?? false,
      ...(opts.resolver ? { resolver: opts.resolver } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    res.dispose();
    const outcome = classifyStatus(res.status);
    const retryAfterMs = outcome === 'retry' ? retryAfterFromHeaders(res.headers) : undefined;
    return {
      outcome,
      status: res.status,
      latencyMs: latency(),
      ...(outcome === 'delivered' ? {} : { error: `receiver answered HTTP ${res.status}` }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  } catch (err) {
    if (err instanceof OutboundError) {
      return {
        outcome: RETRYABLE_REASONS.has(err.reason) ? 'retry' : 'failed',
        ...(err.status === undefined ? {} : { status: err.status }),
        latencyMs: latency(),
        error: err.message,
        reason: err.reason,
      };
    }
    if (opts.signal?.aborted) throw err; // shutdown: let the job be retried as a whole
    return { outcome: 'retry', latencyMs: latency(), error: 'delivery failed unexpectedly', reason: 'network' };
  }
}
