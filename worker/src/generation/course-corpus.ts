// TF-IDF over the course's chunks. Every chunk is a document for document frequencies; a term's salience in a
// lesson is its frequency there × its IDF × how concentrated it is in that lesson (share of the course's
// occurrences), so the words that set a lesson apart from the rest of the course come first. Code blocks
// (chunks marked `code`) count for nothing: identifiers and string literals of examples are not the terms taught.
import type { GenerationChunk, GenerationMaterial } from '../../../shared/src/generation/generation-input.js';
import { termOccurrences, tokenize } from './text-analysis.js';

/** A chunk with its material and its position in the course (stable ordering). */
export interface ChunkRef {
  chunk: GenerationChunk;
  material: GenerationMaterial;
  /** Node the material belongs to. */
  nodeId: string;
  /** Position among all chunks of the course, in tree → material → chunk order. */
  order: number;
}

export interface ChunkStats {
  counts: Map<string, number>;
  /** Occurrences of a unigram in a verb's position. */
  verbish: Map<string, number>;
  /** Most frequent surface form per key in this chunk. */
  surfaces: Map<string, Map<string, number>>;
  words: number;
}

export const isCode = (ref: ChunkRef): boolean => ref.chunk.metadata?.code === true;

export class CourseCorpus {
  private readonly stats = new Map<string, ChunkStats>();
  private readonly df = new Map<string, number>();
  private readonly total = new Map<string, number>();
  private readonly verbishTotal = new Map<string, number>();
  private readonly surfaceCounts = new Map<string, Map<string, number>>();
  readonly documents: number;
  readonly words: number;

  constructor(refs: readonly ChunkRef[]) {
    let words = 0;
    for (const ref of refs) {
      const s = isCode(ref) ? analyze('') : analyze(ref.chunk.text);
      this.stats.set(ref.chunk.id, s);
      words += s.words;
      for (const [key, n] of s.counts) {
        this.df.set(key, (this.df.get(key) ?? 0) + 1);
        this.total.set(key, (this.total.get(key) ?? 0) + n);
      }
      for (const [key, n] of s.verbish) this.verbishTotal.set(key, (this.verbishTotal.get(key) ?? 0) + n);
      for (const [key, forms] of s.surfaces) {
        const acc = this.surfaceCounts.get(key) ?? new Map<string, number>();
        for (const [form, n] of forms) acc.set(form, (acc.get(form) ?? 0) + n);
        this.surfaceCounts.set(key, acc);
      }
    }
    this.documents = refs.length;
    this.words = words;
  }

  chunkStats(chunkId: string): ChunkStats | undefined {
    return this.stats.get(chunkId);
  }

  count(chunkId: string, key: string): number {
    return this.stats.get(chunkId)?.counts.get(key) ?? 0;
  }

  idf(key: string): number {
    return Math.log(1 + this.documents / Math.max(1, this.df.get(key) ?? 0));
  }

  /**
   * A word used as a verb more than as a name ("adds an item", "returns it"), or a past participle: not a concept
   * on its own. Gerunds are left to the caller (indexing and slicing are concepts).
   */
  isVerbLike(key: string): boolean {
    if (key.includes(' ')) return this.isVerbLike(key.split(' ').pop()!); // "method returns", not "return statement"
    const s = this.surface(key);
    if (s.endsWith('ing')) return false; // gerunds take objects ("slicing a list") and are often concepts
    const total = this.courseCount(key);
    if (total > 0 && (this.verbishTotal.get(key) ?? 0) / total >= 0.25) return true;
    return s.length > 5 && s.endsWith('ed') && !s.endsWith('eed');
  }

  courseCount(key: string): number {
    return this.total.get(key) ?? 0;
  }

  /** Term frequencies over a set of chunks. */
  counts(refs: readonly ChunkRef[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const ref of refs) for (const [key, n] of this.stats.get(ref.chunk.id)?.counts ?? []) out.set(key, (out.get(key) ?? 0) + n);
    return out;
  }

  /** Salience of a term in a lesson whose term frequencies are `tf`. */
  salience(key: string, tf: number): number {
    if (tf <= 0) return 0;
    const concentration = tf / Math.max(tf, this.courseCount(key));
    const bigram = key.includes(' ') ? 1.5 : 1;
    return tf * this.idf(key) * Math.sqrt(concentration) * bigram;
  }

  /**
   * Display form of a term: its most frequent spelling, lower-cased unless it is mostly written capitalised
   * (names such as "Python"); ties broken alphabetically.
   */
  surface(key: string): string {
    const forms = this.surfaceCounts.get(key);
    if (!forms || forms.size === 0) return key;
    const byLower = new Map<string, { n: number; capital: number; best: string; bestN: number }>();
    for (const [form, n] of forms) {
      const lower = form.toLowerCase();
      const e = byLower.get(lower) ?? { n: 0, capital: 0, best: form, bestN: 0 };
      e.n += n;
      if (/^\p{Lu}/u.test(form)) e.capital += n;
      if (n > e.bestN || (n === e.bestN && form < e.best)) {
        e.best = form;
        e.bestN = n;
      }
      byLower.set(lower, e);
    }
    const ranked = [...byLower.entries()].sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1));
    const [lower, e] = ranked[0]!;
    return e.capital / e.n >= 0.8 ? e.best : lower;
  }

  /** TF-IDF cosine similarity of two term-frequency maps (unigrams only). */
  cosine(a: Map<string, number>, b: Map<string, number>): number {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (const [key, n] of a) {
      if (key.includes(' ')) continue;
      const w = n * this.idf(key);
      na += w * w;
      const m = b.get(key);
      if (m) dot += w * m * this.idf(key);
    }
    for (const [key, n] of b) {
      if (key.includes(' ')) continue;
      const w = n * this.idf(key);
      nb += w * w;
    }
    return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
  }
}

function analyze(text: string): ChunkStats {
  const counts = new Map<string, number>();
  const verbish = new Map<string, number>();
  const surfaces = new Map<string, Map<string, number>>();
  for (const occ of termOccurrences(text)) {
    counts.set(occ.key, (counts.get(occ.key) ?? 0) + 1);
    if (occ.verbish) verbish.set(occ.key, (verbish.get(occ.key) ?? 0) + 1);
    const forms = surfaces.get(occ.key) ?? new Map<string, number>();
    // "Keyword arguments" at the start of a sentence is not a proper name; "KeyError" and "Python" mid-sentence are.
    const form = occ.atStart && /^\p{Lu}[\p{Ll}\p{N}\s'’-]*$/u.test(occ.surface) ? occ.surface.charAt(0).toLowerCase() + occ.surface.slice(1) : occ.surface;
    forms.set(form, (forms.get(form) ?? 0) + 1);
    surfaces.set(occ.key, forms);
  }
  return { counts, verbish, surfaces, words: tokenize(text).length };
}
