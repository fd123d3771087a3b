// Bytes → submission text. Strict UTF-8 (a BOM is dropped); UTF-16 and other encodings are refused with a reason
// naming the file; NUL bytes mean binary. Line ends are normalised to "\n" so line numbers are stable.
import { InputError } from '../input-error.js';

export type Decoded = { ok: true; text: string } | { ok: false; why: 'binary' | 'utf16' | 'invalid_utf8'; offset?: number };

const SNIFF = 8192;

export function decodeUtf8(bytes: Uint8Array): Decoded {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return { ok: false, why: 'utf16' };
  if (bytes.subarray(0, SNIFF).includes(0)) return { ok: false, why: 'binary' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { ok: false, why: 'invalid_utf8', offset: firstInvalidUtf8(bytes) };
  }
  if (text.includes('\0')) return { ok: false, why: 'binary' };
  return { ok: true, text: normalizeNewlines(text) };
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

/** Offset of the first byte that breaks UTF-8. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // Overlongs, surrogates and > U+10FFFF in 3/4-byte forms.
    const c1 = bytes[i + 1]!;
    if ((b === 0xe0 && c1 < 0xa0) || (b === 0xed && c1 > 0x9f) || (b === 0xf0 && c1 < 0x90) || (b === 0xf4 && c1 > 0x8f)) return i;
    i += need + 1;
  }
  return bytes.length;
}
