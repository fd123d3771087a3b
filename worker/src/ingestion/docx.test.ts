import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractDocx } from './docx.js';
import { resolveLimits } from './document.js';
import { InputError } from '../input-error.js';
import { junkBytes, makeDocx, makeTmpDir, makeZip, rawEntry, rawZip, write, zerosBomb } from './fixtures.test-support.js';

const limits = resolveLimits();
let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
beforeAll(async () => {
  tmp = await makeTmpDir();
});
afterAll(() => tmp.cleanup());

async function refused(name: string, data: Buffer, lim = limits): Promise<{ err: InputError; ms: number; heapGrowth: number }> {
  const path = tmp.file(name);
  await write(path, data);
  const before = process.memoryUsage();
  const started = performance.now();
  const err = await extractDocx(path, lim).then(
    () => null,
    (e: unknown) => e,
  );
  const ms = performance.now() - started;
  const after = process.memoryUsage();
  expect(err).toBeInstanceOf(InputError);
  const heapGrowth = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  return { err: err as InputError, ms, heapGrowth };
}

describe('extractDocx', () => {
  it('keeps Word headings as heading blocks and heading paths for the paragraphs under them', async () => {
    const docx = await makeDocx([
      { text: 'Databases', heading: 1 },
      { text: 'A database stores data durably.' },
      { text: 'Indexes', heading: 2 },
      { text: 'A B-tree index speeds up range queries.' },
      { text: 'Hash indexes answer equality lookups.' },
      { text: 'Transactions', heading: 2 },
      { text: 'ACID: atomicity, consistency, isolation, durability.' },
      { text: 'Operations', heading: 1 },
      { text: 'Back up before you migrate.' },
    ]);
    const path = tmp.file('notes.docx');
    await write(path, docx);
    const doc = await extractDocx(path, limits);

    expect(doc.format).toBe('docx');
    expect(doc.title).toBe('Databases');
    expect(doc.blocks.map((b) => [b.type, b.text, b.metadata.heading_path])).toEqual([
      ['heading', 'Databases', ['Databases']],
      ['paragraph', 'A database stores data durably.', ['Databases']],
      ['heading', 'Indexes', ['Databases', 'Indexes']],
      ['paragraph', 'A B-tree index speeds up range queries.', ['Databases', 'Indexes']],
      ['paragraph', 'Hash indexes answer equality lookups.', ['Databases', 'Indexes']],
      ['heading', 'Transactions', ['Databases', 'Transactions']],
      ['paragraph', 'ACID: atomicity, consistency, isolation, durability.', ['Databases', 'Transactions']],
      ['heading', 'Operations', ['Operations']],
      ['paragraph', 'Back up before you migrate.', ['Operations']],
    ]);
    expect(doc.blocks.filter((b) => b.type === 'heading').map((b) => b.metadata.level)).toEqual([1, 2, 2, 1]);
  });

  it('does not inflate media parts (images are dropped, text kept)', async () => {
    const docx = await makeDocx([{ text: 'Only text here.' }], { 'word/media/image1.png': junkBytes(2 * 1024 * 1024) });
    const path = tmp.file('media.docx');
    await write(path, docx);
    const doc = await extractDocx(path, resolveLimits({ zipMaxXmlBytes: 64 * 1024 }));
    expect(doc.blocks.map((b) => b.text)).toEqual(['Only text here.']);
  });

  it('refuses a zip bomb disguised as .docx from its directory alone, fast and without memory growth', async () => {
    // 1 GiB of zeros in ~1 MiB: the central directory declares it honestly.
    const bomb = zerosBomb(1024);
    const zip = rawZip([
      rawEntry('[Content_Types].xml', '<Types/>'),
      { name: 'word/document.xml', deflated: bomb.deflated, crc: bomb.crc, declaredSize: bomb.size },
    ]);
    const { err, ms, heapGrowth } = await refused('bomb.docx', zip);
    expect(err.code).toBe('unsafe_archive');
    expect(err.message).toMatch(/^the DOCX file was refused as unsafe: it would unpack to more than 512 MiB/);
    expect(ms).toBeLessThan(2000);
    expect(heapGrowth).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses an entry compressed beyond the ratio cap even when the total is allowed', async () => {
    const bomb = zerosBomb(64);
    const zip = rawZip([{ name: 'word/document.xml', deflated: bomb.deflated, crc: bomb.crc, declaredSize: bomb.size }]);
    const { err } = await refused('ratio.docx', zip);
    expect(err.message).toMatch(/entry "word\/document.xml" is compressed \d+:1/);
  });

  it('refuses a bomb whose headers lie about its size, after inflating no more than the declared size', async () => {
    // Declares 2,000 bytes; actually inflates to 256 MiB.
    const bomb = zerosBomb(256);
    const zip = rawZip([
      rawEntry('[Content_Types].xml', '<Types/>'),
      rawEntry('_rels/.rels', '<Relationships/>'),
      { name: 'word/document.xml', deflated: bomb.deflated, crc: bomb.crc, declaredSize: 2000 },
    ]);
    const { err, ms, heapGrowth } = await refused('liar.docx', zip);
    expect(err.code).toBe('unsafe_archive');
    expect(err.message).toMatch(/inflates to more than its declared size/);
    expect(ms).toBeLessThan(2000);
    expect(heapGrowth).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses too many entries, escaping paths and non-zip bytes with clear messages', async () => {
    const many = await makeZip(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`word/part${i}.xml`, '<x/>'])));
    const { err: count } = await refused('many.docx', many, resolveLimits({ zipMaxEntries: 20 }));
    expect(count.message).toBe('the DOCX file was refused as unsafe: it has 30 entries, more than the limit of 20');

    const { err: escape } = await refused('escape.docx', rawZip([rawEntry('word/document.xml', '<w:document/>'), rawEntry('/etc/passwd', 'x')]));
    expect(escape.message).toMatch(/path outside the archive/);

    const { err: plain } = await refused('plain.docx', Buffer.from('not a word document at all'));
    expect(plain.code).toBe('corrupt');
    expect(plain.message).toBe('the file is not a valid DOCX document (it is not a zip archive)');

    const { err: empty } = await refused('empty.docx', Buffer.alloc(0));
    expect(empty.message).toBe('file is empty');
  });

  it('recognises a password-protected DOCX (an OLE compound file, not a zip)', async () => {
    const cfb = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(1024)]);
    const { err } = await refused('protected.docx', cfb);
    expect(err.code).toBe('encrypted');
    expect(err.message).toMatch(/^the DOCX file is password-protected/);
  });

  it('refuses a zip that is not a Word document', async () => {
    const { err } = await refused('other.docx', await makeZip({ 'readme.txt': 'hello' }));
    expect(err.code).toBe('corrupt');
    expect(err.message).toMatch(/not a valid DOCX document/);
  });
});
