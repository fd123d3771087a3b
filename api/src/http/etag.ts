// The weak ETag Express puts on every response body (app.set('etag', weakEtag)), computed as Express's default
// ('weak': the etag package) computes it — W/"<byte length, hex>-<first 27 chars of base64 SHA-1>" — with the
// one-shot crypto.hash instead of a Hash object per response. Clients may send it back in If-None-Match and get
// 304, as before.
import { hash } from 'node:crypto';

const EMPTY = 'W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"';

export function weakEtag(body: string | Buffer, encoding?: BufferEncoding): string {
  const buf = typeof body === 'string' ? Buffer.from(body, encoding ?? 'utf8') : body;
  if (buf.length === 0) return EMPTY;
  return `W/"${buf.length.toString(16)}-${hash('sha1', buf, 'base64').substring(0, 27)}"`;
}
