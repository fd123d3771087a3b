// The one rule for turning untrusted bytes into text, used by material ingestion (ingestion/text-input.ts) and by
// homework unpacking (review/text-content.ts):
//   - a UTF-8 BOM is dropped; a UTF-16 BOM (LE or BE) means UTF-16 — decoded, and reported as such so a caller
//     that accepts only UTF-8 (homework) can refuse it with that reason;
//   - otherwise the bytes must be strict UTF-8 (WHATWG fatal decoder: no overlongs, surrogates or > U+10FFFF);
//     the first invalid byte's offset is reported for the message;
//   - a NUL byte anywhere means binary data, not text.
// Callers turn a refusal into an InputError (→ 422 / a failed submission with the reason); nothing is guessed.

export type DecodedBytes =
  | { ok: true; text: string; encoding: 'utf-8' | 'utf-16le' | 'utf-16be' }
  | { ok: false; why: 'binary' }
  | { ok: false; why: 'invalid_utf8'; offset: number };

export function decodeUtf8(bytes: Uint8Array): DecodedBytes {
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
  if (encoding === 'utf-8' && bytes.includes(0)) return { ok: false, why: 'binary' };
  let text: string;
  try {
    // ignoreBOM: false → the decoder removes the BOM of its own encoding.
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    if (encoding !== 'utf-8') return { ok: false, why: 'binary' }; // a UTF-16 BOM followed by unpaired surrogates
    return { ok: false, why: 'invalid_utf8', offset: firstInvalidUtf8(bytes) };
  }
  if (text.includes('\0')) return { ok: false, why: 'binary' };
  return { ok: true, text, encoding };
}

/** Offset of the first byte that breaks UTF-8 (for the error message); bytes.length when there is none. */
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
    // Overlongs, surrogates and > U+10FFFF in the 3- and 4-byte forms: report their lead byte.
    const c1 = bytes[i + 1]!;
    if ((b === 0xe0 && c1 < 0xa0) || (b === 0xed && c1 > 0x9f) || (b === 0xf0 && c1 < 0x90) || (b === 0xf4 && c1 > 0x8f)) return i;
    i += need + 1;
  }
  return bytes.length;
}
