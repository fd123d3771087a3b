// Structure-aware chunking (issue 4, item 2). Blocks are grouped into sections that never span a page, a
// slide, a change of heading or of block type; a code block is a section of its own. A section is cut into
// units (sentences, lines, transcript cues, or bounded pieces of over-long runs; for code: whole lines, kept
// byte for byte, so a long code block splits only at line ends — a single line longer than the target, e.g.
// minified code, is the one exception), and units are packed greedily into chunks of at most `targetTokens`
// tokens, each chunk repeating up to `overlapTokens` tokens of whole units from the end of the previous one in
// the same section. A heading opens its section's first chunk; a heading with nothing under it but a
// sub-heading is carried into that sub-section. Transcript chunks span the start of their first cue to the end
// of their last. Tokens are counted with gpt-tokenizer's cl100k_base (the encoding of OpenAI's embedding
// models); text that spells special tokens (<|endoftext|>) is counted as ordinary text. Deterministic.
import { createHash } from 'node:crypto';
import { countTokens as cl100kCount } from 'gpt-tokenizer/encoding/cl100k_base';
import type { Block, BlockType, ExtractedDocument } from './document.js';

export interface ChunkOptions {
  targetTokens?: number;
  overlapTokens?: number;
}

export interface ChunkMetadata {
  page?: number;
  slide?: number;
  start_seconds?: number;
  end_seconds?: number;
  heading_path?: string[];
  /** The chunk is (part of) a code block: verbatim text, whole lines. */
  code?: true;
  language?: string;
}

export interface Chunk {
  /** 0-based position in the document. */
  index: number;
  type: BlockType;
  text: string;
  token_count: number;
  /** Hex SHA-256 of the UTF-8 text (the embedding cache key together with the model). */
  sha256: string;
  metadata: ChunkMetadata;
}

/** Runs without whitespace longer than this are cut (BPE cost grows faster than linearly on long runs). */
const MAX_UNIT_CHARS = 400;
const NO_SPECIAL = { disallowedSpecial: new Set<string>() };

export const countTokens = (text: string): number => cl100kCount(text, NO_SPECIAL);

interface Unit {
  text: string;
  /** Separator placed before this unit when it is not the first of a chunk. */
  sep: string;
  tokens: number;
  start?: number;
  end?: number;
}

interface Section {
  type: BlockType;
  blocks: Block[];
  headingOnly: boolean;
  code: boolean;
}

export function chunkDocument(doc: Pick<ExtractedDocument, 'blocks'>, options: ChunkOptions = {}): Chunk[] {
  const target = Math.max(16, options.targetTokens ?? 500);
  const overlap = Math.min(Math.max(0, options.overlapTokens ?? 50), Math.floor(target / 2));
  const chunks: Chunk[] = [];
  for (const section of sections(doc.blocks)) {
    const units = section.code
      ? section.blocks.flatMap((block, i) => codeUnits(block.text, i === 0 ? '' : '\n\n', target))
      : section.blocks.flatMap((block, i) => blockUnits(block, i === 0 ? '' : blockSeparator(block), target));
    for (const span of pack(units, target, overlap)) chunks.push(makeChunk(chunks.length, section, span));
  }
  return chunks;
}

/** Groups blocks: a new section at each heading and at each change of page, slide, heading path or type. */
function sections(blocks: Block[]): Section[] {
  const out: Section[] = [];
  let current: Section | null = null;
  for (const block of blocks) {
    const prev = current?.blocks[current.blocks.length - 1];
    const sameRegion =
      prev !== undefined &&
      block.type !== 'heading' &&
      !block.metadata.code &&
      !prev.metadata.code &&
      prev.metadata.page === block.metadata.page &&
      prev.metadata.slide === block.metadata.slide &&
      pathKey(prev) === pathKey(block) &&
      (prev.type === block.type || prev.type === 'heading');
    if (current && sameRegion) {
      current.blocks.push(block);
      if (block.type !== 'heading' && current.headingOnly) {
        current.headingOnly = false;
        current.type = block.type;
      }
      continue;
    }
    current = { type: block.type, blocks: [block], headingOnly: block.type === 'heading', code: block.metadata.code === true };
    out.push(current);
  }
  // A heading-only section directly followed by its own sub-section is carried into it.
  const merged: Section[] = [];
  for (let i = 0; i < out.length; i++) {
    const section = out[i]!;
    const next = out[i + 1];
    if (section.headingOnly && next && isAncestorSection(section, next)) {
      next.blocks = [...section.blocks, ...next.blocks];
      continue;
    }
    merged.push(section);
  }
  return merged;
}

function isAncestorSection(parent: Section, child: Section): boolean {
  const last = parent.blocks[parent.blocks.length - 1]!.metadata;
  const first = child.blocks[0]!.metadata;
  const p = last.heading_path ?? [];
  const c = first.heading_path ?? [];
  return last.page === first.page && last.slide === first.slide && c.length > p.length && p.every((h, i) => c[i] === h);
}

const pathKey = (b: Block) => (b.metadata.heading_path ?? []).join('\u0000');

function blockSeparator(block: Block): string {
  return block.type === 'transcript' ? ' ' : '\n\n';
}

/** Splits a block into units: sentence or line boundaries, then bounded pieces, then token-bounded halves. */
function blockUnits(block: Block, firstSep: string, target: number): Unit[] {
  const times = block.type === 'transcript' ? { start: block.metadata.start_seconds, end: block.metadata.end_seconds } : {};
  const units: Unit[] = [];
  const push = (text: string, sep: string) => {
    for (const piece of boundPiece(text, sep, target)) units.push({ ...piece, ...withTimes(times) });
  };
  const text = block.text;
  // Boundaries: after sentence-final punctuation followed by whitespace, and at every line break.
  // CJK sentence ends need no following space (the boundary is then empty and nothing is re-added).
  const boundary = /(?<=[.!?…]["'”’)\]]*)[ \t]+|\s*\n\s*|(?<=[。！？])(?=\S)/g;
  let last = 0;
  let sep = firstSep;
  for (const m of text.matchAll(boundary)) {
    const piece = text.slice(last, m.index);
    if (piece) push(piece, sep);
    sep = m[0] === '' ? '' : m[0].includes('\n') ? (/\n\s*\n/.test(m[0]) ? '\n\n' : '\n') : ' ';
    if (!piece && units.length === 0) sep = firstSep;
    last = m.index + m[0].length;
  }
  const tail = text.slice(last);
  if (tail) push(tail, sep);
  return units;
}

/** Lines of code, each kept whole with its indentation (blank lines too); separators are the line breaks. */
function codeUnits(text: string, firstSep: string, target: number): Unit[] {
  return text.split('\n').flatMap((line, i) => (line === '' ? [{ text: '', sep: i === 0 ? firstSep : '\n', tokens: 0 }] : tokenBounded(line, i === 0 ? firstSep : '\n', target)));
}

function withTimes(t: { start?: number; end?: number }): Pick<Unit, 'start' | 'end'> {
  return { ...(t.start !== undefined && { start: t.start }), ...(t.end !== undefined && { end: t.end }) };
}

function boundPiece(text: string, sep: string, target: number): Omit<Unit, 'start' | 'end'>[] {
  const pieces: { text: string; sep: string }[] = [];
  if (text.length <= MAX_UNIT_CHARS) pieces.push({ text, sep });
  else {
    // Cut at spaces into ≤ MAX_UNIT_CHARS pieces; a run without spaces is cut hard (no separator re-added).
    let rest = text;
    let nextSep = sep;
    while (rest.length > MAX_UNIT_CHARS) {
      const space = rest.lastIndexOf(' ', MAX_UNIT_CHARS);
      const cut = space > MAX_UNIT_CHARS / 4 ? space : safeCut(rest, MAX_UNIT_CHARS);
      pieces.push({ text: rest.slice(0, cut), sep: nextSep });
      nextSep = space > MAX_UNIT_CHARS / 4 ? ' ' : '';
      rest = space > MAX_UNIT_CHARS / 4 ? rest.slice(cut + 1) : rest.slice(cut);
    }
    if (rest) pieces.push({ text: rest, sep: nextSep });
  }
  return pieces.flatMap((p) => tokenBounded(p.text, p.sep, target));
}

/** Halves a piece until each part fits the target (e.g. 400 characters of CJK can exceed 500 tokens). */
function tokenBounded(text: string, sep: string, target: number): Omit<Unit, 'start' | 'end'>[] {
  const tokens = countTokens(text);
  if (tokens <= target || text.length < 2) return [{ text, sep, tokens }];
  const mid = safeCut(text, Math.floor(text.length / 2));
  return [...tokenBounded(text.slice(0, mid), sep, target), ...tokenBounded(text.slice(mid), '', target)];
}

/** A cut position that does not split a UTF-16 surrogate pair. */
function safeCut(text: string, at: number): number {
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
}

const sepTokens = (sep: string) => (sep === '' || sep === ' ' ? 0 : 1);

/** Greedy packing into [start, end) unit ranges with whole-unit overlap. */
function pack(units: Unit[], target: number, overlap: number): Unit[][] {
  const spans: Unit[][] = [];
  let i = 0;
  while (i < units.length) {
    let j = i;
    let used = units[i]!.tokens;
    while (j + 1 < units.length && used + sepTokens(units[j + 1]!.sep) + units[j + 1]!.tokens <= target) {
      j++;
      used += sepTokens(units[j]!.sep) + units[j]!.tokens;
    }
    // Token counts of parts can undercount the joined text slightly; trim until the real count fits.
    while (j > i && countTokens(joinUnits(units.slice(i, j + 1))) > target) j--;
    spans.push(units.slice(i, j + 1));
    if (j + 1 >= units.length) break;
    let k = j + 1;
    let carried = 0;
    while (k - 1 > i && carried + units[k - 1]!.tokens + sepTokens(units[k]?.sep ?? '') <= overlap) {
      k--;
      carried += units[k]!.tokens + sepTokens(units[k + 1]!.sep);
    }
    i = k;
  }
  return spans;
}

function joinUnits(units: Unit[]): string {
  return units.map((u, n) => (n === 0 ? u.text : u.sep + u.text)).join('');
}

function makeChunk(index: number, section: Section, units: Unit[]): Chunk {
  const joined = joinUnits(units);
  // Code loses only its surrounding blank lines; the first line's indentation is part of it.
  const text = section.code ? joined.replace(/^(?:[ \t]*\n)+/, '').replace(/\s+$/, '') : joined.trim();
  const last = section.blocks[section.blocks.length - 1]!.metadata;
  const metadata: ChunkMetadata = {};
  if (section.code) {
    metadata.code = true;
    const language = section.blocks.find((b) => b.metadata.language)?.metadata.language;
    if (language) metadata.language = language;
  }
  if (last.page !== undefined) metadata.page = last.page;
  if (last.slide !== undefined) metadata.slide = last.slide;
  if (last.heading_path && last.heading_path.length > 0) metadata.heading_path = [...last.heading_path];
  const starts = units.map((u) => u.start).filter((n): n is number => n !== undefined);
  const ends = units.map((u) => u.end).filter((n): n is number => n !== undefined);
  if (starts.length > 0) metadata.start_seconds = Math.min(...starts);
  if (ends.length > 0) metadata.end_seconds = Math.max(...ends);
  return {
    index,
    type: section.type,
    text,
    token_count: countTokens(text),
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    metadata,
  };
}
