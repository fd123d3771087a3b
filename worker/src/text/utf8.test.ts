import { describe, expect, it } from 'vitest';
import { decodeText } from '../ingestion/text-input.js';
import { isInputError } from '../input-error.js';
import { decodeRequiredText } from '../review/text-content.js';
import { decodeUtf8 } from './utf8.js';

const opts = { maxChars: 10_000, kind: 'TXT' };
const codeOf = async (f: () => unknown) => {
  try {
    await f();
    return 'ok';
  } catch (err) {
    return isInputError(err) ? err.code : 'crash';
  }
};

describe('one UTF-8 rule for materials and homework', () => {
  const cases: [string, Buffer, string][] = [
    ['plain UTF-8', Buffer.from('Grüße ✓\n'), 'ok'],
    ['UTF-8 with a BOM', Buffer.from('\ufeffx = 1\n'), 'ok'],
    ['an invalid sequence', Buffer.from([0x61, 0xc3, 0x28]), 'invalid_utf8'],
    ['a lone surrogate', Buffer.from([0x61, 0xed, 0xa0, 0x80]), 'invalid_utf8'],
    ['a NUL byte far into the file', Buffer.concat([Buffer.from('a'.repeat(9000)), Buffer.from([0]), Buffer.from('b')]), 'not_text'],
  ];
  for (const [name, bytes, code] of cases) {
    it(`${name}: ingestion and homework agree (${code})`, async () => {
      expect(await codeOf(() => decodeText(bytes, opts))).toBe(code);
      expect(await codeOf(() => decodeRequiredText(bytes, 'a.py'))).toBe(code);
    });
  }

  it('drops the BOM and reports the encoding; UTF-16 is decoded and named, so homework can refuse it', async () => {
    expect(decodeUtf8(Buffer.from('\ufeffx'))).toEqual({ ok: true, text: 'x', encoding: 'utf-8' });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hé', 'utf16le')]);
    expect(decodeUtf8(utf16)).toEqual({ ok: true, text: 'hé', encoding: 'utf-16le' });
    expect(await decodeText(utf16, opts)).toBe('hé');
    expect(() => decodeRequiredText(utf16, 'a.py')).toThrow(/UTF-16/);
    expect(decodeUtf8(Buffer.from([0x61, 0xe2, 0x82, 0xac, 0xff]))).toEqual({ ok: false, why: 'invalid_utf8', offset: 4 });
  });
});
