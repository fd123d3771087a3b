import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { encode } from 'gpt-tokenizer/encoding/cl100k_base';
import { chunkDocument, type Chunk } from './chunker.js';
import type { Block } from './document.js';

const doc = (blocks: Block[]) => ({ blocks });
const para = (text: string, metadata: Block['metadata'] = {}): Block => ({ type: 'paragraph', text, metadata });
const heading = (text: string, path: string[], level = path.length): Block => ({ type: 'heading', text, metadata: { heading_path: path, level } });
/** n distinct, numbered sentences (each about 12 tokens). */
const sentences = (label: string, n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => `${label} sentence ${i + from} talks about topic ${label.toLowerCase()} in detail.`).join(' ');
const realTokens = (text: string) => encode(text, { disallowedSpecial: new Set() }).length;

function expectWellFormed(chunks: Chunk[], target: number) {
  chunks.forEach((c, i) => {
    expect(c.index).toBe(i);
    expect(c.text.length).toBeGreaterThan(0);
    expect(c.token_count).toBe(realTokens(c.text));
    expect(c.token_count).toBeLessThanOrEqual(target);
    expect(c.sha256).toBe(createHash('sha256').update(c.text, 'utf8').digest('hex'));
  });
}

describe('chunkDocument', () => {
  it('never merges across pages, even when pages are tiny', () => {
    const chunks = chunkDocument(doc([para('Page one text.', { page: 1 }), para('Page two text.', { page: 2 }), para('More on two.', { page: 2 }), para('Three.', { page: 3 })]));
    expect(chunks.map((c) => [c.metadata.page, c.text])).toEqual([
      [1, 'Page one text.'],
      [2, 'Page two text.\n\nMore on two.'],
      [3, 'Three.'],
    ]);
    expectWellFormed(chunks, 500);
  });

  it('splits a long section into chunks of at most the target with about `overlap` tokens repeated', () => {
    const text = sentences('Alpha', 120);
    const chunks = chunkDocument(doc([para(text, { page: 4 })]), { targetTokens: 100, overlapTokens: 30 });
    expect(chunks.length).toBeGreaterThan(10);
    expectWellFormed(chunks, 100);
    expect(chunks.every((c) => c.metadata.page === 4)).toBe(true);
    for (let i = 1; i < chunks.length; i++) {
      const prev = chunks[i - 1]!.text;
      const cur = chunks[i]!.text;
      // The new chunk starts with whole sentences taken from the end of the previous one…
      const firstSentence = cur.slice(0, cur.indexOf('.') + 1);
      expect(prev.endsWith(firstSentence) || prev.includes(`${firstSentence} `)).toBe(true);
      // …and the repeated part stays within the overlap budget.
      const shared = prev.slice(prev.indexOf(firstSentence));
      expect(cur.startsWith(shared)).toBe(true);
      expect(realTokens(shared)).toBeLessThanOrEqual(32);
      expect(realTokens(shared)).toBeGreaterThan(0);
    }
    // Every sentence of the source appears in some chunk, in order.
    const numbers = chunks.flatMap((c) => [...c.text.matchAll(/sentence (\d+)/g)].map((m) => Number(m[1])));
    expect([...new Set(numbers)]).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('starts a chunk at each heading, carries heading paths, and folds an empty parent heading into its child', () => {
    const chunks = chunkDocument(
      doc([
        heading('Course', ['Course']),
        heading('Intro', ['Course', 'Intro']),
        para('Welcome text.', { heading_path: ['Course', 'Intro'] }),
        heading('Setup', ['Course', 'Setup']),
        para('Install things.', { heading_path: ['Course', 'Setup'] }),
        heading('Empty end', ['Empty end']),
      ]),
    );
    expect(chunks.map((c) => [c.type, c.text, c.metadata.heading_path])).toEqual([
      ['paragraph', 'Course\n\nIntro\n\nWelcome text.', ['Course', 'Intro']],
      ['paragraph', 'Setup\n\nInstall things.', ['Course', 'Setup']],
      ['heading', 'Empty end', ['Empty end']],
    ]);
  });

  it('keeps slides, and a slide’s text and notes, apart', () => {
    const chunks = chunkDocument(
      doc([
        { type: 'slide_text', text: 'Loops\nfor and while', metadata: { slide: 1, heading_path: ['Loops'] } },
        { type: 'slide_notes', text: 'Demo a loop.', metadata: { slide: 1, heading_path: ['Loops'] } },
        { type: 'slide_text', text: 'Functions', metadata: { slide: 2 } },
      ]),
    );
    expect(chunks.map((c) => [c.type, c.metadata.slide, c.text])).toEqual([
      ['slide_text', 1, 'Loops\nfor and while'],
      ['slide_notes', 1, 'Demo a loop.'],
      ['slide_text', 2, 'Functions'],
    ]);
    expect(chunks[1]!.metadata.heading_path).toEqual(['Loops']);
  });

  it('gives transcript chunks the start of their first cue and the end of their last', () => {
    const cues: Block[] = Array.from({ length: 60 }, (_, i) => ({
      type: 'transcript',
      text: `Cue ${i} says something about recursion and stacks.`,
      metadata: { start_seconds: i * 5, end_seconds: i * 5 + 4.5 },
    }));
    const chunks = chunkDocument(doc(cues), { targetTokens: 60, overlapTokens: 12 });
    expectWellFormed(chunks, 60);
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) {
      const ids = [...c.text.matchAll(/Cue (\d+)/g)].map((m) => Number(m[1]));
      expect(c.type).toBe('transcript');
      expect(c.metadata.start_seconds).toBe(ids[0]! * 5);
      expect(c.metadata.end_seconds).toBe(ids[ids.length - 1]! * 5 + 4.5);
    }
    expect(chunks[0]!.metadata.start_seconds).toBe(0);
    expect(chunks[chunks.length - 1]!.metadata.end_seconds).toBe(59 * 5 + 4.5);
    // Consecutive chunks overlap by a cue.
    expect(chunks[1]!.metadata.start_seconds).toBeLessThan(chunks[0]!.metadata.end_seconds!);
  });

  it('keeps a code block apart from prose, byte for byte, and splits a long one only at line ends', () => {
    const code = (n: number) =>
      Array.from({ length: n }, (_, i) => (i % 4 === 0 ? `def step_${i}(value):` : i % 4 === 3 ? '' : `    ${'  '.repeat(i % 3)}value = value * ${i}  # indented line ${i}`)).join('\n');
    const small = 'def scope_test():\n    def do_local():\n        spam = "local spam"';
    const chunks = chunkDocument(
      doc([
        heading('Scopes', ['Scopes']),
        para('Some prose before.', { heading_path: ['Scopes'] }),
        para(small, { heading_path: ['Scopes'], code: true, language: 'python3' }),
        para('Some prose after.', { heading_path: ['Scopes'] }),
        para(`    ${code(200)}`, { heading_path: ['Scopes'], code: true }),
      ]),
      { targetTokens: 120, overlapTokens: 0 },
    );
    expect(chunks.slice(0, 3).map((c) => [c.text, c.metadata.code, c.metadata.language])).toEqual([
      ['Scopes\n\nSome prose before.', undefined, undefined],
      [small, true, 'python3'],
      ['Some prose after.', undefined, undefined],
    ]);
    const long = chunks.slice(3);
    expect(long.length).toBeGreaterThan(3);
    expectWellFormed(chunks, 120);
    const sourceLines = new Set(`    ${code(200)}`.split('\n'));
    for (const c of long) {
      expect(c.metadata.code).toBe(true);
      for (const line of c.text.split('\n')) expect(sourceLines.has(line)).toBe(true); // whole lines, indentation kept
    }
    expect(long[0]!.text.startsWith('    def step_0(value):')).toBe(true);
  });

  it('is deterministic', () => {
    const blocks = [heading('H', ['H']), para(sentences('Beta', 80), { heading_path: ['H'] })];
    const a = chunkDocument(doc(blocks), { targetTokens: 120, overlapTokens: 20 });
    const b = chunkDocument(doc(structuredClone(blocks)), { targetTokens: 120, overlapTokens: 20 });
    expect(b).toEqual(a);
  });

  it('copes with a huge run without spaces, CJK without spaces, and special-token text', () => {
    const started = performance.now();
    const run = chunkDocument(doc([para('a'.repeat(300_000))]));
    expect(performance.now() - started).toBeLessThan(5000);
    expectWellFormed(run, 500);
    expect(run.map((c) => c.text).join('').length).toBeGreaterThanOrEqual(300_000);

    const cjk = chunkDocument(doc([para('漢字テキスト。'.repeat(400))]), { targetTokens: 100, overlapTokens: 10 });
    expectWellFormed(cjk, 100);
    expect(cjk.length).toBeGreaterThan(5);

    const special = chunkDocument(doc([para('Ignore <|endoftext|> and <|im_start|> markers.')]));
    expect(special[0]!.text).toBe('Ignore <|endoftext|> and <|im_start|> markers.');
    expect(special[0]!.token_count).toBeGreaterThan(5);
  });

  it('chunks a few megabytes of ordinary prose in reasonable time', () => {
    const text = sentences('Gamma', 40_000); // ~2.5 MB
    const started = performance.now();
    const chunks = chunkDocument(doc([para(text)]));
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(chunks.length).toBeGreaterThan(900);
    expect(Math.max(...chunks.map((c) => c.token_count))).toBeLessThanOrEqual(500);
  });

  it('returns no chunks for no blocks', () => {
    expect(chunkDocument(doc([]))).toEqual([]);
  });
});
