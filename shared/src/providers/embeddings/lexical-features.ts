// Signed feature hashing of lexical features into a fixed-size vector (the "hashing trick"):
//   - word unigrams and bigrams of content words (function words dropped),
//   - character 3-, 4- and 5-grams of each content word with boundary markers (so "embedding" and
//     "embeddings" share most features, and typos or inflections still overlap),
// after Unicode NFKC normalisation and lower-casing. Each feature adds ±weight at hash(feature) mod dims (the
// sign from another hash bit, so collisions cancel out on average); the vector is then power-normalised
// (signed square root, damping repeated terms) and L2-normalised.
// Speed matters (benchmarks embed 100k chunks): char n-grams are hashed incrementally without substrings, and a
// word's unigram + n-gram slots are computed once and memoised (bounded) since vocabularies are Zipfian.

import { STOPWORDS } from './stopwords.js';

const WORD_SEED = 0x811c9dc5; // FNV-1a offset basis
const CHAR_SEED = 0x050c5d1f;
const BIGRAM_SALT = 0x9e3779b9;
const W_UNIGRAM = 1.0;
const W_BIGRAM = 0.6;
const W_CHARS = 1.0; // per word, spread over its n-grams
const MAX_WORD_CHARS = 40; // longer "words" (hashes, URLs) only contribute their first n-grams
const TOKEN_RE = /[\p{L}\p{N}]+/gu;
const BOW = 0x02; // word boundary markers for char n-grams
const EOW = 0x03;
const MEMO_LIMIT = 200_000;

/** murmur3's 32-bit finaliser: spreads FNV's weak low bits before we take index and sign from them. */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashString(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix(h);
}

export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

interface WordFeatures {
  hash: number;
  /** Slot of each char n-gram, +1, negated when the sign is negative. */
  slots: Int32Array;
  weight: number;
}

export class LexicalEmbedder {
  private readonly memo = new Map<string, WordFeatures>();
  private readonly codes = new Uint16Array(MAX_WORD_CHARS + 2);

  /**
   * @param stopwords function words left out of word features; the word-vector model passes a list without the
   *   negators, so "not return" keeps its "not" (and, with bigrams, its "not return" bigram).
   * @param weights the word-vector model's own weights for bigrams and character n-grams (local-hash-v1 keeps
   *   the defaults above).
   */
  constructor(
    readonly dimensions: number,
    private readonly stopwords: ReadonlySet<string> = STOPWORDS,
    weights: { bigram?: number; chars?: number } = {},
  ) {
    this.bigramWeight = weights.bigram ?? W_BIGRAM;
    this.charWeight = weights.chars ?? W_CHARS;
  }

  private readonly bigramWeight: number;
  private readonly charWeight: number;

  private add(out: Float32Array, h: number, weight: number): void {
    out[h % this.dimensions]! += h & 0x80000000 ? -weight : weight;
  }

  private wordFeatures(word: string): WordFeatures {
    const hit = this.memo.get(word);
    if (hit) return hit;
    const codes = this.codes;
    const chars = Math.min(word.length, MAX_WORD_CHARS);
    const len = chars + 2;
    codes[0] = BOW;
    for (let i = 0; i < chars; i++) codes[i + 1] = word.charCodeAt(i);
    codes[len - 1] = EOW;
    const slots: number[] = [];
    for (let start = 0; start + 3 <= len; start++) {
      let h = Math.imul(Math.imul(CHAR_SEED ^ codes[start]!, 0x01000193) ^ codes[start + 1]!, 0x01000193);
      const end = Math.min(len, start + 5);
      for (let j = start + 2; j < end; j++) {
        h = Math.imul(h ^ codes[j]!, 0x01000193);
        const f = fmix(h ^ (j - start));
        const slot = (f % this.dimensions) + 1;
        slots.push(f & 0x80000000 ? -slot : slot);
      }
    }
    const features = { hash: hashString(word, WORD_SEED), slots: Int32Array.from(slots), weight: this.charWeight / Math.sqrt(Math.max(1, slots.length)) };
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(word, features);
    return features;
  }

  /**
   * Write `text`'s normalised vector into `out` (length = dimensions). Returns the number of word tokens, used as
   * the call's "units".
   */
  embedInto(text: string, out: Float32Array): number {
    out.fill(0);
    const tokens = normalizeText(text).match(TOKEN_RE) ?? [];
    let prev = -1;
    let content = 0;
    for (const t of tokens) {
      if (this.stopwords.has(t)) continue;
      content++;
      const f = this.wordFeatures(t);
      this.add(out, f.hash, W_UNIGRAM);
      if (prev !== -1 && this.bigramWeight !== 0) this.add(out, fmix(Math.imul(prev, 31) ^ f.hash ^ BIGRAM_SALT), this.bigramWeight);
      prev = f.hash;
      const w = f.weight;
      const slots = f.slots;
      for (let i = 0; i < slots.length; i++) {
        const s = slots[i]!;
        if (s > 0) out[s - 1]! += w;
        else out[-s - 1]! -= w;
      }
    }
    if (content === 0) {
      // Only function words (or nothing): use them after all, so the vector is never zero.
      for (const t of tokens) this.add(out, hashString(t, WORD_SEED), W_UNIGRAM);
      if (tokens.length === 0) this.add(out, hashString('\u0000empty', WORD_SEED), 1);
    }
    let norm = 0;
    for (let i = 0; i < out.length; i++) {
      const v = out[i]!;
      const s = v < 0 ? -Math.sqrt(-v) : Math.sqrt(v);
      out[i] = s;
      norm += s * s;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < out.length; i++) out[i]! /= norm;
    return tokens.length;
  }
}
