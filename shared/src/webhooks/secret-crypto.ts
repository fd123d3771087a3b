// Webhook secrets at rest: AES-256-GCM under a key derived (HKDF-SHA256, info "cs/webhook-secret/v1") from the
// application key in config (32 bytes, given as 64 hex chars or base64/base64url). Stored form:
//   v1.<iv, 12 bytes>.<auth tag, 16 bytes>.<ciphertext>     (each part base64url)
// An optional `context` (e.g. the tenant id) is bound as additional authenticated data, so a ciphertext copied
// to another tenant's row does not decrypt. Any change to the stored string, a wrong key or a wrong context fails
// authentication → SecretDecryptionError. `decryptSecret` accepts several keys (new first) for key rotation.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const INFO = 'cs/webhook-secret/v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretDecryptionError extends Error {
  override readonly name = 'SecretDecryptionError';
}

/** The 32 raw bytes of an application key given as hex (64 chars) or base64 / base64url. */
export function parseAppKey(appKey: string): Buffer {
  const k = appKey.trim();
  let raw: Buffer | null = null;
  if (/^[0-9a-f]{64}$/i.test(k)) raw = Buffer.from(k, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(k)) raw = Buffer.from(k.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (!raw || raw.length !== 32) {
    throw new RangeError('the application key must be 32 bytes, written as 64 hex characters or base64 (e.g. `openssl rand -base64 32`)');
  }
  return raw;
}

function deriveKey(appKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', parseAppKey(appKey), Buffer.alloc(0), INFO, 32));
}

const b64 = (b: Buffer) => b.toString('base64url');

export function encryptSecret(plain: string, appKey: string, context = ''): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(appKey), iv);
  cipher.setAAD(Buffer.from(`${VERSION}|${context}`));
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, b64(iv), b64(cipher.getAuthTag()), b64(ciphertext)].join('.');
}

export function decryptSecret(encrypted: string, appKey: string | readonly string[], context = ''): string {
  const parts = encrypted.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION || parts.slice(1).some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) {
    throw new SecretDecryptionError('stored secret has an unknown format');
  }
  const iv = Buffer.from(parts[1]!, 'base64url');
  const tag = Buffer.from(parts[2]!, 'base64url');
  const ciphertext = Buffer.from(parts[3]!, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptionError('stored secret has an unknown format');
  for (const key of typeof appKey === 'string' ? [appKey] : appKey) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', deriveKey(key), iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(`${VERSION}|${context}`));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch (err) {
      if (err instanceof RangeError) throw err; // a malformed app key is a configuration error, not tampering
    }
  }
  throw new SecretDecryptionError('stored secret could not be decrypted (wrong application key, or the value was altered)');
}

/** A new webhook signing secret: `whsec_` + 32 random bytes (base64url). Shown to the client once. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}
