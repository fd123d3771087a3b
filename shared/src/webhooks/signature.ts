// Webhook signatures (API.md): `X-CS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with
// the tenant's webhook secret. The timestamp is inside the MAC, so a captured delivery cannot be replayed later
// than the receiver's tolerance. Receivers must verify against the RAW body bytes, before parsing JSON.
//
// Receiver side, in a few lines (Node):
//   const [t, v1] = header.split(',').map((p) => p.split('=')[1]);
//   const mac = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
//   const ok = timingSafeEqual(Buffer.from(mac), Buffer.from(v1)) && Math.abs(Date.now() / 1000 - Number(t)) < 300;
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-CS-Signature';
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

const mac = (secret: string, timestamp: number, rawBody: string | Buffer): string =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');

/** `t=<timestamp>,v1=<hex>`; `timestamp` in whole unix seconds. */
export function signPayload(secret: string, timestamp: number, rawBody: string | Buffer): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError('timestamp must be whole unix seconds');
  if (!secret) throw new RangeError('webhook secret is empty');
  return `t=${timestamp},v1=${mac(secret, timestamp, rawBody)}`;
}

export interface ParsedSignature {
  timestamp: number;
  /** Every v1 value present (several during a secret rotation on the receiver's side). */
  signatures: string[];
}

export function parseSignatureHeader(header: string | null | undefined): ParsedSignature | null {
  if (!header) return null;
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures };
}

/**
 * True when some v1 in `header` is the HMAC of `<t>.<rawBody>` under `secret` (compared in constant time) and t is
 * within `toleranceSeconds` of `nowSeconds`.
 */
export function verifySignature(
  secret: string,
  header: string | null | undefined,
  rawBody: string | Buffer,
  toleranceSeconds = DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const parsed = parseSignatureHeader(header);
  if (!parsed || !secret) return false;
  if (Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(mac(secret, parsed.timestamp, rawBody), 'hex');
  let ok = false;
  for (const sig of parsed.signatures) {
    // Same length always (64 hex chars checked by the parser), so timingSafeEqual cannot throw.
    if (timingSafeEqual(expected, Buffer.from(sig, 'hex'))) ok = true;
  }
  return ok;
}
