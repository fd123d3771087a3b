// One HTTP attempt against an OpenAI-compatible API: POST JSON or multipart, bounded by a per-request timeout
// and a response size cap, errors classified into ProviderError (permanent or retryable). The API key goes in
// the Authorization header only and is scrubbed from any error text the server echoes back.
import { request, type Dispatcher, type FormData as UndiciFormData } from 'undici';
import { isRetryableStatus, ProviderError } from './provider-error.js';
import { retryAfterFromHeaders } from './retry.js';

export interface ProviderEndpoint {
  /** Name used in errors and cost rows (`openai`). */
  provider: string;
  /** e.g. https://api.openai.com/v1 — paths are appended to it. */
  baseUrl: string;
  apiKey?: string;
  timeoutMs: number;
  /** Response bodies larger than this fail the attempt. Default 256 MiB. */
  maxResponseBytes?: number;
  /** Custom undici dispatcher (proxy, tests); the global one otherwise. */
  dispatcher?: Dispatcher;
  /** Extra headers (organisation, project …). */
  headers?: Record<string, string>;
}

export interface ProviderResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
}

export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Remove the key (and anything shaped like an OpenAI key) from text that may be shown or logged. */
export function scrubSecrets(text: string, apiKey?: string): string {
  let out = text;
  if (apiKey && apiKey.length >= 4) out = out.split(apiKey).join('[redacted]');
  return out.replace(/\b(sk|rk|pk)-[A-Za-z0-9_*-]{6,}/g, '$1-[redacted]');
}

function errorMessageFrom(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const m = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message ?? parsed.detail);
    if (typeof m === 'string' && m) return m;
  } catch {
    /* not JSON */
  }
  return body.replace(/\s+/g, ' ').trim();
}

const NETWORK_TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** One POST attempt. Resolves only for 2xx with a JSON body; everything else throws a ProviderError. */
export async function postToProvider(ep: ProviderEndpoint, path: string, body: { json: unknown } | { form: FormData }): Promise<ProviderResponse> {
  const url = joinUrl(ep.baseUrl, path);
  const headers: Record<string, string> = { accept: 'application/json', ...ep.headers };
  if (ep.apiKey) headers.authorization = `Bearer ${ep.apiKey}`;
  let payload: string | FormData;
  if ('json' in body) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body.json);
  } else {
    payload = body.form; // undici sets the multipart content-type with its boundary
  }

  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ep.timeoutMs);
  const fail = (code: 'network' | 'timeout' | 'invalid_response', message: string, cause?: unknown, status?: number) =>
    new ProviderError(`${ep.provider}: ${message}`, { provider: ep.provider, code, permanent: false, cause, status });
  try {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method: 'POST', headers, body: payload as string | UndiciFormData, signal: ac.signal, dispatcher: ep.dispatcher });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (ac.signal.aborted || (code && NETWORK_TIMEOUT_CODES.has(code))) throw fail('timeout', `no answer within ${ep.timeoutMs} ms`, e);
      throw fail('network', `request failed (${code ?? (e as Error).name})`, e);
    }

    const max = ep.maxResponseBytes ?? 256 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > max) {
          res.body.destroy();
          throw fail('invalid_response', `response larger than ${max} bytes`, undefined, res.statusCode);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (e) {
      if (e instanceof ProviderError) throw e;
      if (ac.signal.aborted) throw fail('timeout', `response not complete within ${ep.timeoutMs} ms`, e, res.statusCode);
      throw fail('network', 'response interrupted', e, res.statusCode);
    }
    const text = Buffer.concat(chunks).toString('utf8');

    if (res.statusCode < 200 || res.statusCode >= 300) {
      const retryable = isRetryableStatus(res.statusCode);
      const detail = scrubSecrets(errorMessageFrom(text), ep.apiKey).slice(0, 300);
      throw new ProviderError(`${ep.provider} answered ${res.statusCode}${detail ? `: ${detail}` : ''}`, {
        provider: ep.provider,
        code: 'http_status',
        permanent: !retryable,
        status: res.statusCode,
        retryAfterMs: retryable ? retryAfterFromHeaders(res.headers) : undefined,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw fail('invalid_response', 'response is not JSON', e, res.statusCode);
    }
    return { status: res.statusCode, headers: res.headers, json };
  } finally {
    clearTimeout(timer);
  }
}
