import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFormat, extractFile } from './extract.js';
import { chunkDocument } from './chunker.js';
import { InputError } from '../input-error.js';
import { makeDocx, makePptx, makeTmpDir, write } from './fixtures.test-support.js';

let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
beforeAll(async () => {
  tmp = await makeTmpDir();
});
afterAll(() => tmp.cleanup());

describe('detectFormat / extractFile', () => {
  it('maps extensions case-insensitively and web sources to HTML', () => {
    expect(detectFormat('Lecture.PDF')).toBe('pdf');
    expect(detectFormat('deck.pptx')).toBe('pptx');
    expect(detectFormat('notes.markdown')).toBe('markdown');
    expect(detectFormat('talk.srt')).toBe('subtitles');
    expect(detectFormat('talk.webm')).toBe('video');
    expect(detectFormat('ch03.en.XHTML')).toBe('html');
    expect(detectFormat('talk.vtt')).toBe('subtitles');
    expect(detectFormat('https://example.org/page', 'web')).toBe('html');
  });

  it('refuses unsupported types with the list of supported ones', () => {
    const err = (() => {
      try {
        detectFormat('old.doc');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('unsupported_format');
    expect((err as Error).message).toMatch(/^unsupported file type "\.doc"; supported: \.mp4 \.webm \.mkv \.avi \.vtt \.srt \.pdf \.pptx \.md \.markdown \.txt \.html \.htm \.xhtml \.docx$/);
  });

  it('uses the original file name, not the temp path, to pick the extractor', async () => {
    const path = tmp.file('upload-without-extension');
    await write(path, '# Title\n\nBody.');
    const doc = await extractFile(path, { filename: 'readme.md' });
    expect(doc.format).toBe('markdown');
    expect(doc.blocks.map((b) => b.type)).toEqual(['heading', 'paragraph']);
  });

  it('refuses a file that yields no text', async () => {
    const path = tmp.file('blank');
    await write(path, '   \n\n\t  \n');
    await expect(extractFile(path, { filename: 'blank.txt' })).rejects.toThrow('no text could be extracted from the file');
  });

  it('extracts and chunks a PPTX and a DOCX keeping slides and headings in chunk metadata', async () => {
    const deck = tmp.file('deck');
    await write(deck, await makePptx([
      { file: 'slide2.xml', title: 'Second file, first slide', body: ['Alpha'], notes: ['Say alpha.'] },
      { file: 'slide1.xml', title: 'First file, second slide', body: ['Beta'] },
    ]));
    const deckChunks = chunkDocument(await extractFile(deck, { filename: 'deck.pptx' }));
    expect(deckChunks.map((c) => [c.type, c.metadata.slide, c.text])).toEqual([
      ['slide_text', 1, 'Second file, first slide\nAlpha'],
      ['slide_notes', 1, 'Say alpha.'],
      ['slide_text', 2, 'First file, second slide\nBeta'],
    ]);

    const docx = tmp.file('doc');
    await write(docx, await makeDocx([{ text: 'Sorting', heading: 1 }, { text: 'Quicksort partitions.' }, { text: 'Merge sort', heading: 2 }, { text: 'Merges halves.' }]));
    const docChunks = chunkDocument(await extractFile(docx, { filename: 'notes.docx' }));
    expect(docChunks.map((c) => [c.text, c.metadata.heading_path])).toEqual([
      ['Sorting\n\nQuicksort partitions.', ['Sorting']],
      ['Merge sort\n\nMerges halves.', ['Sorting', 'Merge sort']],
    ]);
  });
});
