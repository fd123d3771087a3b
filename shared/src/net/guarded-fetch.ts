// guardedFetch / guardedRequest: the one way to fetch a URL a client gave us (web materials, webhooks).
// Every hop is checked by checkUrl and dialled through a per-hop undici Agent whose connect.lookup returns only
// the checked addresses (DNS rebinding between check and connect is impossible); TLS SNI, certificate checks and
// Host keep using the host name. Redirects are followed by hand so every Location is checked again (or, with
// maxRedirects: 0, reported as a failure). Total time and response bytes are bounded; the response type can be
// restricted to an allowlist.
import { Transform, pipeline, type Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { OutboundError } from './outbound-error.js';
import { createPinnedLookup } from './pinned-lookup.js';
import { checkUrl, redact, type CheckUrlOptions } from './url-check.js';

export const HTML_CONTENT_TYPES = ['text/html', 'application/xhtml+xml'] as const;

export interface GuardedFetchOptions extends Omit<CheckUrlOptions, 'signal'> {
  /** Budget for the whole exchange: DNS, connects, redirects, headers and body. Default 15 s. */
  timeoutMs?: number;
  /** Response body cap; the request is aborted as soon as it is crossed. Default 10 MiB. */
  maxBytes?: number;
  /** Redirects to follow (each re-checked). 0 = do not follow: a 3xx fails with `redirect_not_followed`. Default 5. */
  maxRedirects?: number;
  /** Media types accepted for 2xx answers (`text/html`, `text/*`); anything else fails with `content_type`. */
  acceptContentTypes?: readonly string[];
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** TCP/TLS connect timeout per hop. Default min(timeoutMs, 10 s). */
  connectTimeoutMs?: number;
  /** Extra trusted CA certificates (private PKI, tests). */
  ca?: string | Buffer | (string | Buffer)[];
  signal?: AbortSignal;
}

export interface GuardedResponseHead {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Final URL after redirects. */
  url: string;
  /** The address the final connection was pinned to (first checked address). */
  address: string;
  /** Every Location followed, in order. */
  redirects: string[];
  contentType: string | null;
}

export interface GuardedStreamResponse extends GuardedResponseHead {
  /** The body, capped at maxBytes and bounded by the time budget; errors are OutboundErrors. */
  body: Readable;
  /** Stop reading early and release the connection. */
  dispose(): void;
}

export interface GuardedResponse extends GuardedResponseHead {
  body: Buffer;
  text(): string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'transfer-encoding'];

export function contentTypeAllowed(contentType: string | null | undefined, allow: readonly string[]): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  return allow.some((p) => {
    const pattern = p.toLowerCase();
    return pattern.endsWith('/*') ? mediaType.startsWith(pattern.slice(0, -1)) : mediaType === pattern;
  });
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

function toOutboundError(e: unknown, signal: AbortSignal, url: string): unknown {
  if (e instanceof OutboundError) return e;
  if (signal.aborted) return signal.reason instanceof OutboundError ? signal.reason : e;
  const err = e as { code?: string; cause?: { code?: string }; message?: string };
  const code = err.code ?? err.cause?.code;
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new OutboundError('timeout', 'Target did not answer in time', { url, cause: e });
  }
  return new OutboundError('network', `Could not reach the target${code ? ` (${code})` : ''}`, { url, cause: e });
}

function removeHeaders(headers: Record<string, string>, names: string[]): void {
  for (const k of Object.keys(headers)) if (names.includes(k.toLowerCase())) delete headers[k];
}

/** Streaming form: resolves once the final response's headers arrived; read `body`, or call `dispose()`. */
export async function guardedRequest(input: string | URL, opts: GuardedFetchOptions = {}): Promise<GuardedStreamResponse> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
  const maxRedirects = opts.maxRedirects ?? 5;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new OutboundError('timeout', `Request took longer than ${timeoutMs} ms`)), timeoutMs);
  const onExternalAbort = () => ac.abort(opts.signal?.reason);
  if (opts.signal?.aborted) onExternalAbort();
  opts.signal?.addEventListener('abort', onExternalAbort, { once: true });
  const finish = () => {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onExternalAbort);
  };

  let current: string | URL = input;
  let method = (opts.method ?? 'GET').toUpperCase();
  let body = opts.body;
  const headers: Record<string, string> = { 'user-agent': 'course-supporter' };
  for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
  const redirects: string[] = [];
  let currentText = String(input);

  try {
    for (;;) {
      const checked = await checkUrl(current, { allowPrivate: opts.allowPrivate, resolver: opts.resolver, signal: ac.signal });
      currentText = redact(checked.url);
      const agent = new Agent({
        connections: 1,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        connect: {
          lookup: createPinnedLookup(checked.addresses),
          timeout: opts.connectTimeoutMs ?? Math.min(timeoutMs, 10_000),
          ...(opts.ca === undefined ? {} : { ca: opts.ca }),
        },
      });
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(checked.url, { dispatcher: agent, method: method as 'GET', headers, body, signal: ac.signal });
      } catch (e) {
        void agent.destroy().catch(() => {});
        throw e;
      }
      const head = { status: res.statusCode, url: checked.url.href, address: checked.addresses[0]!.address };

      if (REDIRECTS.has(res.statusCode)) {
        await res.body.dump().catch(() => {});
        void agent.close().catch(() => {});
        const location = first(res.headers.location);
        if (maxRedirects === 0) {
          throw new OutboundError('redirect_not_followed', `Target answered ${res.statusCode} (redirect); redirects are not followed`, {
            url: currentText,
            status: res.statusCode,
          });
        }
        if (!location) throw new OutboundError('invalid_redirect', `Redirect ${res.statusCode} without a Location`, { url: currentText });
        if (redirects.length >= maxRedirects) {
          throw new OutboundError('too_many_redirects', `More than ${maxRedirects} redirects`, { url: currentText });
        }
        let next: URL;
        try {
          next = new URL(location, checked.url);
        } catch {
          throw new OutboundError('invalid_redirect', 'Redirect to an invalid URL', { url: currentText });
        }
        if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET';
          body = undefined;
          removeHeaders(headers, BODY_HEADERS);
        }
        if (next.origin !== checked.url.origin) removeHeaders(headers, CREDENTIAL_HEADERS);
        redirects.push(next.href);
        current = next;
        continue;
      }

      const contentType = first(res.headers['content-type']) ?? null;
      const fail = async (err: OutboundError): Promise<never> => {
        res.body.on('error', () => {}); // undici emits an AbortError on destroy; nobody else listens here
        res.body.destroy();
        void agent.destroy().catch(() => {});
        throw err;
      };
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      if (ok && opts.acceptContentTypes && !contentTypeAllowed(contentType, opts.acceptContentTypes)) {
        await fail(
          new OutboundError('content_type', `Response type ${contentType ? `"${contentType.split(';')[0]}"` : '(none)'} is not accepted`, {
            url: currentText,
            status: res.statusCode,
          }),
        );
      }
      const declared = Number(first(res.headers['content-length']));
      if (Number.isFinite(declared) && declared > maxBytes) {
        await fail(new OutboundError('too_large', `Response larger than ${maxBytes} bytes`, { url: currentText, status: res.statusCode }));
      }

      let seen = 0;
      const where = currentText;
      const limiter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          seen += chunk.length;
          if (seen > maxBytes) cb(new OutboundError('too_large', `Response larger than ${maxBytes} bytes`, { url: where, status: res.statusCode }));
          else cb(null, chunk);
        },
        destroy(err, cb) {
          cb(err ? (toOutboundError(err, ac.signal, where) as Error) : null);
        },
      });
      limiter.once('close', () => {
        finish();
        void agent.destroy().catch(() => {});
      });
      pipeline(res.body, limiter, () => {});
      return {
        ...head,
        headers: res.headers,
        redirects,
        contentType,
        body: limiter,
        dispose: () => limiter.destroy(),
      };
    }
  } catch (e) {
    finish();
    throw toOutboundError(e, ac.signal, currentText);
  }
}

/** Buffered form: the whole (capped) body in memory. */
export async function guardedFetch(input: string | URL, opts: GuardedFetchOptions = {}): Promise<GuardedResponse> {
  const res = await guardedRequest(input, opts);
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const { dispose: _dispose, body: _stream, ...head } = res;
  return { ...head, body, text: () => body.toString('utf8') };
}
