import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open } from 'node:fs/promises';
import { extractTxt } from './txt.js';
import { extractMarkdown } from './markdown.js';
import { firstInvalidUtf8 } from '../text/utf8.js';
import { resolveLimits } from './document.js';
import { InputError } from '../input-error.js';
import { junkBytes, makeTmpDir, write } from './fixtures.test-support.js';

const limits = resolveLimits();
let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
beforeAll(async () => {
  tmp = await makeTmpDir();
});
afterAll(() => tmp.cleanup());

async function refusal(promise: Promise<unknown>): Promise<InputError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

describe('plain text and the text guards', () => {
  it('splits plain text into paragraphs at blank lines', async () => {
    const path = tmp.file('notes.txt');
    await write(path, 'First paragraph\nstill first.\r\n\r\n\n  Second   paragraph.  \n\nThird.');
    const doc = await extractTxt(path, limits);
    expect(doc.format).toBe('text');
    expect(doc.title).toBeNull();
    expect(doc.blocks.map((b) => b.text)).toEqual(['First paragraph\nstill first.', 'Second paragraph.', 'Third.']);
  });

  it('refuses a 0-byte file with "file is empty"', async () => {
    const path = tmp.file('empty.txt');
    await write(path, '');
    const err = await refusal(extractTxt(path, limits));
    expect(err.code).toBe('empty_file');
    expect(err.message).toBe('file is empty');
  });

  it('refuses binary junk named .md', async () => {
    const path = tmp.file('junk.md');
    await write(path, junkBytes(64 * 1024));
    const err = await refusal(extractMarkdown(path, limits));
    expect(err.code).toBe('not_text');
    expect(err.message).toBe('the Markdown file is not text: it contains binary data');
  });

  it('names a recognisable binary format hiding behind .md', async () => {
    const path = tmp.file('archive.md');
    await write(path, Buffer.concat([Buffer.from('504b030414000000', 'hex'), junkBytes(200)]));
    const err = await refusal(extractMarkdown(path, limits));
    expect(err.message).toMatch(/^the Markdown file is not text: its content is application\/zip/);
  });

  it('refuses invalid UTF-8 and says where it breaks', async () => {
    const path = tmp.file('latin1.txt');
    await write(path, Buffer.from('Caf\xe9 au lait', 'latin1'));
    const err = await refusal(extractTxt(path, limits));
    expect(err.code).toBe('invalid_utf8');
    expect(err.message).toBe('the text file is not valid UTF-8 text (first invalid byte at offset 3); save it as UTF-8 and upload it again');
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe2, 0x82, 0xac, 0xed, 0xa0, 0x80]))).toBe(4); // € ok, then a surrogate
    expect(firstInvalidUtf8(Buffer.from('ok ✓', 'utf8'))).toBe(6);
  });

  it('accepts text whose first bytes look like a binary signature', async () => {
    const path = tmp.file('mz.txt');
    await write(path, 'MZ is the postcode area of nowhere.\n\nID3 is a tag format.');
    expect((await extractTxt(path, limits)).blocks).toHaveLength(2);
  });

  it('accepts UTF-16 with a BOM', async () => {
    const path = tmp.file('utf16.txt');
    await write(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Grüße aus Köln', 'utf16le')]));
    expect((await extractTxt(path, limits)).blocks[0]!.text).toBe('Grüße aus Köln');
  });

  it('refuses a 50 MB single-line text at once, from its size, without reading it', async () => {
    const path = tmp.file('huge.txt');
    const handle = await open(path, 'w');
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    for (let i = 0; i < 50; i++) await handle.write(chunk);
    await handle.close();
    const started = performance.now();
    const err = await refusal(extractTxt(path, limits));
    expect(performance.now() - started).toBeLessThan(500);
    expect(err.code).toBe('too_much_text');
    expect(err.message).toBe('the file is 50.0 MiB, more than the extraction limit of 5,000,000 characters; split it into smaller files');
  });

  it('counts characters, not bytes, near the cap', async () => {
    const path = tmp.file('multibyte.txt');
    await write(path, 'ж'.repeat(1000)); // 2000 bytes, 1000 characters
    expect((await extractTxt(path, resolveLimits({ maxChars: 1000 }))).stats.characters).toBe(1000);
    await expect(extractTxt(path, resolveLimits({ maxChars: 999 }))).rejects.toThrow(/more than 999 characters/);
  });
});
