// Object key layout (API.md): tenants/{tenant}/nodes/{node}/{material}/{safe filename}
//                             tenants/{tenant}/homework/{submission}/{safe filename}
// Keys are built only here, from ids and a filename made safe, and client-supplied keys are checked with
// isKeyUnderPrefix before anything is done with them.

/** Longest filename part of a key, in UTF-8 bytes (S3 keys may have 1024; the prefix takes ~130). */
export const MAX_FILENAME_BYTES = 200;
/** An extension longer than this is treated as part of the name when shortening. */
const MAX_EXTENSION_BYTES = 16;
const FALLBACK_NAME = 'file';

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function id(value: string, what: string): string {
  if (!ID.test(value)) throw new TypeError(`${what} must be a UUID to be part of an object key`);
  return value.toLowerCase();
}

const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** The longest prefix of s (whole code points) that fits in maxBytes of UTF-8. */
function truncateUtf8(s: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  for (const ch of s) {
    const n = utf8Bytes(ch);
    if (bytes + n > maxBytes) break;
    bytes += n;
    out += ch;
  }
  return out;
}

// Control (Cc), format (Cf: bidi overrides, zero-width, BOM), line/paragraph separators, lone surrogates,
// and characters that are unsafe in keys, URLs or file systems (S3's "characters to avoid" list included).
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}<>:"|?*%#{}^[\]`~\\]/gu;

/**
 * A filename that is safe as the last segment of an object key and when offered back for download:
 * only the last path segment is kept (so `../../etc/passwd` → `passwd`, `a/b\c` → `c`), unsafe characters become
 * `_`, whitespace is collapsed, leading dots/spaces and trailing dots/spaces go, and the result is at most
 * MAX_FILENAME_BYTES of UTF-8 with its extension kept. Never empty: falls back to `file`.
 */
export function safeFilename(name: string | null | undefined): string {
  const raw = (name ?? '').normalize('NFC');
  const segments = raw.split(/[/\\]+/).filter((s) => s !== '' && s !== '.' && s !== '..');
  let s = segments[segments.length - 1] ?? '';
  s = s
    .replace(UNSAFE, '_')
    .replace(/\s+/gu, ' ')
    .replace(/^[.\s]+/u, '')
    .replace(/[.\s]+$/u, '');
  if (s === '' || /^_+$/.test(s)) return FALLBACK_NAME;
  if (utf8Bytes(s) <= MAX_FILENAME_BYTES) return s;

  const dot = s.lastIndexOf('.');
  const ext = dot > 0 ? s.slice(dot) : '';
  if (ext && utf8Bytes(ext) <= MAX_EXTENSION_BYTES) {
    const stem = truncateUtf8(s.slice(0, dot), MAX_FILENAME_BYTES - utf8Bytes(ext)).replace(/[.\s]+$/u, '');
    return `${stem || FALLBACK_NAME}${ext}`;
  }
  return truncateUtf8(s, MAX_FILENAME_BYTES).replace(/[.\s]+$/u, '') || FALLBACK_NAME;
}

/** Lower-case extension without the dot ('' when none), as the upload checks compare it. */
export function fileExtension(filename: string): string {
  const base = safeFilename(filename);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

export const tenantPrefix = (tenantId: string) => `tenants/${id(tenantId, 'tenantId')}/`;

export const nodePrefix = (tenantId: string, nodeId: string) =>
  `${tenantPrefix(tenantId)}nodes/${id(nodeId, 'nodeId')}/`;

export const materialPrefix = (tenantId: string, nodeId: string, materialId: string) =>
  `${nodePrefix(tenantId, nodeId)}${id(materialId, 'materialId')}/`;

export const materialObjectKey = (tenantId: string, nodeId: string, materialId: string, filename: string) =>
  `${materialPrefix(tenantId, nodeId, materialId)}${safeFilename(filename)}`;

export const homeworkPrefix = (tenantId: string, submissionId: string) =>
  `${tenantPrefix(tenantId)}homework/${id(submissionId, 'submissionId')}/`;

export const homeworkObjectKey = (tenantId: string, submissionId: string, filename: string) =>
  `${homeworkPrefix(tenantId, submissionId)}${safeFilename(filename)}`;

// Anything that could mean something other than the literal key: encodings, separators other than '/',
// control and format characters.
const SUSPICIOUS = /[%\\\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/**
 * True only when `key` is a plain object key strictly inside `prefix` (which is taken as a folder: a missing
 * trailing '/' is added). Refuses `.`/`..`/empty segments, percent-encoding, backslashes, control or format
 * characters, non-NFC text and over-long keys, so neither S3 nor any later decoding can move it elsewhere.
 */
export function isKeyUnderPrefix(key: unknown, prefix: string): boolean {
  if (typeof key !== 'string' || typeof prefix !== 'string' || prefix === '') return false;
  const folder = prefix.endsWith('/') ? prefix : `${prefix}/`;
  if (!isPlainKey(folder.slice(0, -1)) || !isPlainKey(key)) return false;
  return key.startsWith(folder) && key.length > folder.length;
}

function isPlainKey(key: string): boolean {
  if (key === '' || utf8Bytes(key) > 1024 || SUSPICIOUS.test(key) || key !== key.normalize('NFC')) return false;
  return key.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}
