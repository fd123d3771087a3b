// Reading an untrusted text file (Markdown, TXT, subtitles, HTML) safely:
// 0 bytes → "file is empty"; a recognisable binary format or NUL bytes → "not a text file"; bytes that are not
// valid UTF-8 → "not valid UTF-8" with the byte offset; more characters than the cap → InputError (decided
// from the file size before reading when possible, so a 50 MB single-line file fails at once and cheaply).
// Text is never truncated silently: an over-long file is refused with a reason, as homework and materials need.
import { open, stat } from 'node:fs/promises';
import { fileTypeFromBuffer } from 'file-type';
import { InputError } from '../input-error.js';
import { CharBudget } from './document.js';
import { decodeUtf8 } from '../text/utf8.js';

const SNIFF_BYTES = 4100;

export interface TextReadOptions {
  maxChars: number;
  /** Label for messages, e.g. "Markdown". */
  kind: string;
  /** Character set declared out of band (HTTP Content-Type or <meta charset>); default strict UTF-8. */
  charset?: string;
}

/** Stat + empty check shared by every extractor. Returns the size in bytes. */
export async function assertNonEmpty(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isFile()) throw new InputError('corrupt', 'the upload is not a regular file');
  if (info.size === 0) throw new InputError('empty_file', 'file is empty');
  return info.size;
}

export async function readTextFile(path: string, opts: TextReadOptions): Promise<string> {
  const size = await assertNonEmpty(path);
  // UTF-8 needs at least one byte per character, so a file with more bytes than 4 × the cap cannot fit.
  // Between 1× and 4× we must decode to know; bytes ≤ cap always fit.
  if (size > opts.maxChars * 4) throw tooMuchText(opts.maxChars, size);
  const handle = await open(path, 'r');
  let bytes: Buffer;
  try {
    bytes = Buffer.allocUnsafe(size);
    const { bytesRead } = await handle.read(bytes, 0, size, 0);
    bytes = bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  return decodeText(bytes, opts);
}

export async function decodeText(bytes: Uint8Array, opts: TextReadOptions): Promise<string> {
  if (bytes.length === 0) throw new InputError('empty_file', 'file is empty');
  const text = await decodeBytes(bytes, opts);
  new CharBudget(opts.maxChars).add(text.length);
  return text;
}

async function decodeBytes(bytes: Uint8Array, opts: TextReadOptions): Promise<string> {
  // A BOM wins over any declaration (WHATWG encoding sniffing order); without one, a declared non-UTF-8 charset
  // (HTML <meta>, HTTP Content-Type) is decoded leniently, everything else by the strict rule of text/utf8.ts.
  const label = opts.charset?.trim().toLowerCase();
  const hasBom = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf);
  const declared = !hasBom && label && label !== 'utf-8' && label !== 'utf8' ? label : null;
  if (declared) {
    let text: string;
    try {
      text = new TextDecoder(declared).decode(bytes);
    } catch {
      throw new InputError('invalid_utf8', `the ${opts.kind} declares an unknown character set "${declared.slice(0, 40)}"`);
    }
    if (!text.includes('\u0000')) return text;
    return refuseBinary(bytes, opts);
  }
  const d = decodeUtf8(bytes);
  if (d.ok) return d.text;
  if (d.why === 'binary') return refuseBinary(bytes, opts);
  throw new InputError(
    'invalid_utf8',
    `the ${opts.kind} file is not valid UTF-8 text (first invalid byte at offset ${d.offset}); save it as UTF-8 and upload it again`,
  );
}

// Only bytes that are not text get sniffed, to name the format: bytes that decode as text are text, whatever a
// weak signature check might say (file-type would call text starting with "MZ" an .exe).
async function refuseBinary(bytes: Uint8Array, opts: TextReadOptions): Promise<never> {
  const detected = await fileTypeFromBuffer(bytes.subarray(0, SNIFF_BYTES)).catch(() => undefined);
  if (detected) {
    throw new InputError('not_text', `the ${opts.kind} file is not text: its content is ${detected.mime} (.${detected.ext})`);
  }
  throw new InputError('not_text', `the ${opts.kind} file is not text: it contains binary data`);
}

function tooMuchText(maxChars: number, size: number): InputError {
  return new InputError(
    'too_much_text',
    `the file is ${humanBytes(size)}, more than the extraction limit of ${maxChars.toLocaleString('en-US')} characters; split it into smaller files`,
  );
}

export function humanBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
