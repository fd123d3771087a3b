import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPptx } from './pptx.js';
import { resolveLimits } from './document.js';
import { InputError } from '../input-error.js';
import { makePptx, makeTmpDir, makeZip, rawEntry, rawZip, write } from './fixtures.test-support.js';

const limits = resolveLimits();
let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
beforeAll(async () => {
  tmp = await makeTmpDir();
});
afterAll(() => tmp.cleanup());

describe('extractPptx', () => {
  it('returns slide text and notes in presentation order, not file-name order', async () => {
    // Lexical file order would be slide1, slide10, slide2; numeric 1, 2, 10; the deck says 10, 1, 2.
    const pptx = await makePptx(
      [
        { file: 'slide10.xml', title: 'Welcome & goals', body: ['What we will learn today'], notes: ['Greet the class.', 'Mention the quiz.'] },
        { file: 'slide1.xml', title: 'Variables', body: ['A variable names a value', 'x = 42'] },
        { file: 'slide2.xml', title: 'Loops', body: ['for and while'], notes: ['Show a live demo of a while loop.'] },
      ],
      'Intro to Python',
    );
    const path = tmp.file('deck.pptx');
    await write(path, pptx);
    const doc = await extractPptx(path, limits);

    expect(doc.format).toBe('pptx');
    expect(doc.title).toBe('Intro to Python');
    expect(doc.stats.slides).toBe(3);
    expect(doc.blocks.map((b) => [b.type, b.metadata.slide])).toEqual([
      ['slide_text', 1],
      ['slide_notes', 1],
      ['slide_text', 2],
      ['slide_text', 3],
      ['slide_notes', 3],
    ]);
    expect(doc.blocks[0]!.text).toBe('Welcome & goals\nWhat we will learn today');
    expect(doc.blocks[1]!.text).toBe('Greet the class.\nMention the quiz.');
    expect(doc.blocks[2]!.text).toBe('Variables\nA variable names a value\nx = 42');
    expect(doc.blocks[4]!.text).toBe('Show a live demo of a while loop.');
    expect(doc.blocks[2]!.metadata.heading_path).toEqual(['Variables']);
    // Slide-number placeholders and the notes page's slide image are not content.
    expect(doc.blocks.some((b) => /^\d+$/m.test(b.text))).toBe(false);
  });

  it('falls back to the first slide title when the deck has no core title', async () => {
    const path = tmp.file('untitled.pptx');
    await write(path, await makePptx([{ file: 'slide1.xml', title: 'Sorting', body: ['Bubble sort'] }]));
    expect((await extractPptx(path, limits)).title).toBe('Sorting');
  });

  it('refuses a deck over the slide cap', async () => {
    const path = tmp.file('many.pptx');
    const slides = Array.from({ length: 4 }, (_, i) => ({ file: `slide${i + 1}.xml`, title: `S${i}`, body: ['x'] }));
    await write(path, await makePptx(slides));
    await expect(extractPptx(path, resolveLimits({ maxSlides: 3 }))).rejects.toThrow('the presentation has 4 slides; the limit is 3');
  });

  it('refuses a zip without a presentation, and a non-zip, as invalid PPTX', async () => {
    const noPres = tmp.file('nopres.pptx');
    await write(noPres, await makeZip({ 'hello.txt': 'hi' }));
    await expect(extractPptx(noPres, limits)).rejects.toThrow(/not a valid PPTX presentation/);
    const notZip = tmp.file('notzip.pptx');
    await write(notZip, 'this is plain text pretending to be a deck');
    const err = await extractPptx(notZip, limits).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toBe('the file is not a valid PPTX document (it is not a zip archive)');
  });

  it('refuses an entry path that escapes the archive', async () => {
    const path = tmp.file('escape.pptx');
    await write(path, rawZip([rawEntry('ppt/presentation.xml', '<p:presentation/>'), rawEntry('../../evil.xml', '<x/>')]));
    const err = (await extractPptx(path, limits).catch((e: unknown) => e)) as InputError;
    expect(err).toBeInstanceOf(InputError);
    expect(err.code).toBe('unsafe_archive');
    expect(err.message).toMatch(/path outside the archive/);
  });
});
