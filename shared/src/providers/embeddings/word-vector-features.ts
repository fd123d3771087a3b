// The "local-wordvec" embedding: meaning from distributional word vectors, lexical detail from hashed features,
// side by side in one vector of `dimensions`:
//   [0, 100)            SIF-weighted mean of the words' GloVe vectors (word-vectors.ts), unit length × √share
//   [100, dimensions)   the hashed lexical features of lexical-features.ts (identifiers, code, other languages,
//                       inflections, rare words), unit length × √(1 − share)
// so the cosine of two texts is share·cos(meaning) + (1 − share)·cos(lexical). A text with no known English word
// (code, Cyrillic) has no meaning part and is its lexical part alone.
//
// Weights: SIF (Arora et al. 2017), a / (a + p(w)), with p(w) from the word's frequency rank by Zipf's law (the
// vectors come in corpus-frequency order), so "the" weighs ~0.01 and a content word ~1 without a stop-word list.
// Negation is meaning, not noise: negators get full weight in the meaning part, stay in the lexical part, and
// "doesn't"/"can't" are read as "does not"/"can not" first.
import { STOPWORDS } from './stopwords.js';
import { LexicalEmbedder, normalizeText } from './lexical-features.js';
import type { WordVectors } from './word-vectors.js';

const NEGATORS: ReadonlySet<string> = new Set(['not', 'no', 'never', 'nor', 'none', 'nothing', 'neither', 'nobody', 'nowhere', 'without', 'cannot', 'не', 'нет', 'ни', 'без', 'ні']);
const LEXICAL_STOPWORDS: ReadonlySet<string> = new Set([...STOPWORDS].filter((w) => !NEGATORS.has(w)));
const WORD_RE = /[\p{L}\p{N}]+/gu;
const CAMEL_RE = /(\p{Ll})(\p{Lu})/gu;

export interface WordVectorEmbedderOptions {
  /** Share of the cosine that comes from the meaning part (0..1). */
  semanticShare?: number;
  /** SIF's a. */
  sifA?: number;
  /** Weight of a negator in the meaning part. */
  negationWeight?: number;
  /** Weight of a content-word bigram in the lexical part (a unigram weighs 1). */
  bigramWeight?: number;
  /** Weight of a word's character n-grams in the lexical part, all of them together. */
  charWeight?: number;
}

// Parameters by model version. A version's numbers never change (stored vectors were made with them); a change
// is a new version, and deployments re-embed (`npm run cli -- embeddings reembed`).
// v1 — chosen on the quality bench's 77 questions over the Python tutorial: share 0.6, a = 1e-4 (SIF's usual
// 1e-3 weighs mid-frequency words too little here), negators ×2, the hashed features' own weights.
// v2 — the same, with the lexical part's bigrams off and its character n-grams ×2, measured on the same questions
// (README → Search quality): students paraphrase, so word pairs of the text rarely recur in a question and
// bigram matches favoured chunks that merely shared a phrase; the n-grams carry the inflections instead. The
// full-text side still rewards phrases (its phrase boost), so hybrid keeps them.
export const WORDVEC_PARAMS = {
  'local-wordvec-v1': { semanticShare: 0.6, sifA: 1e-4, negationWeight: 2, bigramWeight: 0.6, charWeight: 1 },
  'local-wordvec-v2': { semanticShare: 0.6, sifA: 1e-4, negationWeight: 2, bigramWeight: 0, charWeight: 2 },
} as const satisfies Record<string, Required<WordVectorEmbedderOptions>>;
export type WordVectorModel = keyof typeof WORDVEC_PARAMS;
export const WORDVEC_DEFAULTS: Required<WordVectorEmbedderOptions> = WORDVEC_PARAMS['local-wordvec-v2'];

export class WordVectorEmbedder {
  readonly semanticDims: number;
  private readonly lexical: LexicalEmbedder;
  private readonly zipf: number;
  private readonly o: Required<WordVectorEmbedderOptions>;
  private readonly sem: Float32Array;

  constructor(
    readonly dimensions: number,
    private readonly vectors: WordVectors,
    options: WordVectorEmbedderOptions = {},
  ) {
    this.semanticDims = vectors.dims;
    if (dimensions < vectors.dims + 64) throw new RangeError(`local-wordvec needs at least ${vectors.dims + 64} dimensions, got ${dimensions}`);
    this.o = { ...WORDVEC_DEFAULTS, ...options };
    this.lexical = new LexicalEmbedder(dimensions - vectors.dims, LEXICAL_STOPWORDS, { bigram: this.o.bigramWeight, chars: this.o.charWeight });
    this.zipf = Math.log(vectors.count) + 0.5772; // harmonic number: p(rank r) ≈ 1 / ((r + 1) · H)
    this.sem = new Float32Array(vectors.dims);
  }

  /** Writes the unit vector of `text` into `out` (length = dimensions); returns the word count. */
  embedInto(text: string, out: Float32Array): number {
    const { semanticShare, sifA, negationWeight } = this.o;
    // Contractions first: "doesn't" → "does not", "can't" → "can not", "won't" → "will not".
    const expanded = text
      .replace(/\b(ca|wo|sha)n['’]t\b/gi, (_m, s: string) => ({ ca: 'can', wo: 'will', sha: 'shall' })[s.toLowerCase()] + ' not')
      .replace(/n['’]t\b/gi, ' not');
    const words = this.lexical.embedInto(expanded, out.subarray(this.semanticDims));
    const sem = this.sem;
    sem.fill(0);
    let known = 0;
    // camelCase and snake_case identifiers also mean their parts here ("getUserName" → get user name).
    for (const token of normalizeText(expanded.replace(CAMEL_RE, '$1 $2')).match(WORD_RE) ?? []) {
      const row = this.vectors.lookup(token);
      if (row < 0) continue;
      const p = 1 / ((row + 1) * this.zipf);
      this.vectors.addRow(row, NEGATORS.has(token) ? negationWeight : sifA / (sifA + p), sem, 0);
      known++;
    }
    let norm = 0;
    for (let d = 0; d < sem.length; d++) norm += sem[d]! * sem[d]!;
    norm = Math.sqrt(norm);
    const a = known > 0 && norm > 0 ? Math.sqrt(semanticShare) / norm : 0;
    const b = a > 0 ? Math.sqrt(1 - semanticShare) : 1;
    for (let d = 0; d < sem.length; d++) out[d] = sem[d]! * a;
    for (let d = this.semanticDims; d < out.length; d++) out[d]! *= b;
    return words;
  }
}
