/**
 * The default, offline embedding provider: deterministic lexical vectors by signed feature hashing
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

export const LOCAL_EMBEDDING_MODEL = 'local-hash-v1';

export interface LocalEmbeddingOptions {
  dimensions: number;
  /** Model id recorded in cost rows and cache keys; change it if the feature scheme ever changes. */
  model?: string;
  recorder?: CostRecorder;
}

export class LocalEmbeddingProvider implements EmbeddingProvider {
  readonly name = 'local';
  readonly model: string;
  readonly dimensions: number;
  private readonly recorder: CostRecorder | undefined;
  private readonly scratch: Float32Array;
  private readonly embedder: LexicalEmbedder;

  constructor(opts: LocalEmbeddingOptions) {
    if (!Number.isInteger(opts.dimensions) || opts.dimensions < 8 || opts.dimensions > 16_000) {
      throw new RangeError(`local embeddings: dimensions must be an integer in 8..16000, got ${opts.dimensions}`);
    }
    this.dimensions = opts.dimensions;
    this.model = opts.model ?? LOCAL_EMBEDDING_MODEL;
    this.recorder = opts.recorder;
    this.scratch = new Float32Array(opts.dimensions);
    this.embedder = new LexicalEmbedder(opts.dimensions);
  }

  /** Synchronous core, for benchmarks and callers that do not need cost rows. */
  embedSync(texts: readonly string[]): { vectors: number[][]; words: number } {
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
