// Bytes → submission text, by the one rule of text/utf8.ts. Homework text must be UTF-8: UTF-16 is refused with
// a reason naming the file (the API's upload sniffing refuses it too). Line ends are normalised to "\n" so line
// numbers are stable.
import { InputError } from '../input-error.js';
import { decodeUtf8 as decodeBytes } from '../text/utf8.js';

export type Decoded = { ok: true; text: string } | { ok: false; why: 'binary' | 'utf16' | 'invalid_utf8'; offset?: number };

export function decodeUtf8(bytes: Uint8Array): Decoded {
  const d = decodeBytes(bytes);
  if (!d.ok) return d;
  if (d.encoding !== 'utf-8') return { ok: false, why: 'utf16' };
  return { ok: true, text: normalizeNewlines(d.text) };
}

export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** Decodes a file that must be text (its extension says so); throws a InputError naming it otherwise. */
export function decodeRequiredText(bytes: Uint8Array, path: string): string {
  const d = decodeUtf8(bytes);
  if (d.ok) return d.text;
  if (d.why === 'utf16') {
    throw new InputError('invalid_utf8', `"${path}" is saved as UTF-16; save it as UTF-8 and submit again`);
  }
  if (d.why === 'binary') throw new InputError('not_text', `"${path}" is not a text file (it contains binary data)`);
  throw new InputError(
    'invalid_utf8',
    `"${path}" is not valid UTF-8 text (first invalid byte at offset ${d.offset}); save it as UTF-8 and submit again`,
  );
}
