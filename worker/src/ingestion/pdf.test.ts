import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPdf } from './pdf.js';
import { resolveLimits } from './document.js';
import { InputError } from '../input-error.js';
import { encryptedPdf, makePdf, makeTmpDir, rawPdf, write } from './fixtures.test-support.js';

const limits = resolveLimits();
let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
let threePages: Buffer;

beforeAll(async () => {
  tmp = await makeTmpDir();
  threePages = await makePdf(
    [
      ['Photosynthesis converts light into chemical energy.', 'Chlorophyll absorbs red and blue light.'],
      ['The Calvin cycle fixes carbon dioxide.'],
      ['Cellular respiration releases the stored energy.'],
    ],
    'Plant Biology',
  );
});
afterAll(() => tmp.cleanup());

async function fail(name: string, data: Buffer, lim = limits): Promise<InputError> {
  const path = tmp.file(name);
  await write(path, data);
  const err = await extractPdf(path, lim).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

describe('extractPdf', () => {
  it('extracts text per page in order with page numbers and the title', async () => {
    const path = tmp.file('three.pdf');
    await write(path, threePages);
    const doc = await extractPdf(path, limits);
    expect(doc.format).toBe('pdf');
    expect(doc.title).toBe('Plant Biology');
    expect(doc.stats.pages).toBe(3);
    expect(doc.blocks.map((b) => b.metadata.page)).toEqual([1, 2, 3]);
    expect(doc.blocks[0]!.text).toBe('Photosynthesis converts light into chemical energy.\nChlorophyll absorbs red and blue light.');
    expect(doc.blocks[1]!.text).toBe('The Calvin cycle fixes carbon dioxide.');
    expect(doc.blocks[2]!.text).toContain('Cellular respiration');
    expect(doc.blocks.every((b) => b.type === 'paragraph')).toBe(true);
    expect(doc.stats.characters).toBe(doc.blocks.reduce((n, b) => n + b.text.length, 0));
  });

  it('refuses a password-protected PDF with "PDF is encrypted"', async () => {
    const err = await fail('enc.pdf', encryptedPdf('Top secret'));
    expect(err.code).toBe('encrypted');
    expect(err.message).toMatch(/^PDF is encrypted/);
  });

  it('refuses a PDF whose xref is broken and whose objects are gone as corrupt', async () => {
    // Cut the file inside its object data and append a garbage xref + startxref.
    const text = threePages.toString('latin1');
    const broken = text.slice(0, Math.floor(text.length / 3)) + '\nxref\n0 7\nNOT AN XREF TABLE\ntrailer\n<< /Size 7 >>\nstartxref\n987654\n%%EOF\n';
    const err = await fail('broken-xref.pdf', Buffer.from(broken, 'latin1'));
    expect(err.code).toBe('corrupt');
    expect(err.message).toMatch(/PDF is corrupt/);
  });

  it('repairs a damaged xref table when the objects are intact (as viewers do)', async () => {
    const text = threePages.toString('latin1');
    const at = text.lastIndexOf('xref');
    const damaged = text.slice(0, at) + 'xref\n0 9\nGARBAGE GARBAGE\ntrailer\n<< /Size 3 >>\nstartxref\n424242\n%%EOF\n';
    const path = tmp.file('damaged-xref.pdf');
    await write(path, Buffer.from(damaged, 'latin1'));
    const doc = await extractPdf(path, limits);
    expect(doc.blocks.map((b) => b.metadata.page)).toEqual([1, 2, 3]);
    expect(doc.blocks[1]!.text).toBe('The Calvin cycle fixes carbon dioxide.');
  });

  it('refuses a file that is not a PDF, a header with nothing behind it, and an empty file', async () => {
    expect((await fail('junk.pdf', Buffer.from('just some words, not a document'))).message).toMatch(/not a PDF/);
    expect((await fail('header.pdf', Buffer.from('%PDF-1.7\n%%EOF\n'))).code).toBe('corrupt');
    const empty = await fail('empty.pdf', Buffer.alloc(0));
    expect(empty.code).toBe('empty_file');
    expect(empty.message).toBe('file is empty');
  });

  it('enforces the page cap and the character cap with a reason', async () => {
    const pages = await fail('cap.pdf', threePages, resolveLimits({ maxPages: 2 }));
    expect(pages.message).toBe('the PDF has 3 pages; the limit is 2');
    const chars = await fail('chars.pdf', threePages, resolveLimits({ maxChars: 60 }));
    expect(chars.code).toBe('too_much_text');
    expect(chars.message).toMatch(/more than 60 characters/);
  });

  it('says so when a PDF has pages but no text (scanned)', async () => {
    const blank = rawPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
    ]);
    const err = await fail('blank.pdf', blank);
    expect(err.code).toBe('no_text');
    expect(err.message).toMatch(/no extractable text/);
  });
});
