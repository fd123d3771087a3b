// Embeddings from any OpenAI-compatible `POST {baseUrl}/embeddings` endpoint (OpenAI, Azure-compatible gateways,
// vLLM, Ollama's /v1, LiteLLM, TEI …). Inputs are split into requests within the input and token limits,
// requests run with bounded concurrency, each attempt is retried on 429/5xx/network/timeouts with backoff that
// honours Retry-After and rate-limit reset headers, 4xx are permanent, and every attempt is reported to the cost
// recorder exactly once. Tokens are counted with the cl100k_base tokenizer (OpenAI's embedding models); other
// models' tokenizers differ, so keep maxTokensPerRequest a little under the server's real limit for them.
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import type { Dispatcher } from 'undici';
import type { Logger } from '../../logger/index.js';
import { mapWithConcurrency } from '../http/concurrency.js';
import { tokenCost, type CostRecorder, type PriceTable } from '../http/cost.js';
import { ProviderError } from '../http/provider-error.js';
import { postToProvider, type ProviderEndpoint } from '../http/provider-http.js';
import { DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy } from '../http/retry.js';
import { planBatches } from './embedding-batches.js';
import type { EmbedContext, EmbeddingProvider } from './embedding-provider.js';
import { parseEmbeddingResponse } from './embedding-response.js';

export interface OpenAIEmbeddingOptions {
  baseUrl: string;
  apiKey?: string;
  model: string;
  dimensions: number;
  /** Send `dimensions` in the request (text-embedding-3-*). Off for models that reject it. Default true. */
  sendDimensions?: boolean;
  /** Per-request timeout. Default 60 s. */
  timeoutMs?: number;
  /** Requests in flight per embed() call. Default 4. */
  concurrency?: number;
  maxInputsPerRequest?: number; // default 2048
  maxTokensPerRequest?: number; // default 300_000
  maxTokensPerInput?: number; // default 8191
  retry?: Partial<RetryPolicy>;
  prices?: PriceTable;
  recorder?: CostRecorder;
  logger?: Logger;
  /** Provider name in cost rows and errors. Default `openai`. */
  providerName?: string;
  dispatcher?: Dispatcher;
  sleep?: (ms: number) => Promise<void>;
}

export class OpenAIEmbeddingProvider implements EmbeddingProvider {
  readonly name: string;
  readonly model: string;
  readonly dimensions: number;
  private readonly endpoint: ProviderEndpoint;
  private readonly policy: RetryPolicy;

  constructor(private readonly opts: OpenAIEmbeddingOptions) {
    if (!opts.baseUrl) throw new TypeError('openai embeddings: baseUrl is required');
    if (!opts.model) throw new TypeError('openai embeddings: model is required');
    if (!Number.isInteger(opts.dimensions) || opts.dimensions < 1) throw new RangeError('openai embeddings: dimensions must be a positive integer');
    this.name = opts.providerName ?? 'openai';
    this.model = opts.model;
    this.dimensions = opts.dimensions;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    this.endpoint = {
      provider: this.name,
      baseUrl: opts.baseUrl,
      apiKey: opts.apiKey,
      timeoutMs: opts.timeoutMs ?? 60_000,
      dispatcher: opts.dispatcher,
    };
  }

  async embed(texts: readonly string[], ctx: EmbedContext): Promise<number[][]> {
    if (texts.length === 0) return [];
    const perInput = this.opts.maxTokensPerInput ?? 8191;
    const counts = texts.map((t, i) => {
      if (t.trim() === '') throw this.invalid(`input ${i} is empty`);
      const n = countTokens(t);
      if (n > perInput) throw this.invalid(`input ${i} has ${n} tokens, more than the model's ${perInput}`);
      return n;
    });
    const batches = planBatches(counts, {
      maxInputs: this.opts.maxInputsPerRequest ?? 2048,
      maxTokens: this.opts.maxTokensPerRequest ?? 300_000,
    });
    const out = new Array<number[]>(texts.length);
    await mapWithConcurrency(batches, this.opts.concurrency ?? 4, async (b) => {
      const vectors = await this.embedBatch(texts.slice(b.start, b.end), b.tokens, ctx);
      for (let i = 0; i < vectors.length; i++) out[b.start + i] = vectors[i]!;
    });
    return out;
  }

  private invalid(message: string): ProviderError {
    return new ProviderError(`${this.name}: ${message}`, { provider: this.name, code: 'invalid_input', permanent: true });
  }

  private embedBatch(input: string[], tokens: number, ctx: EmbedContext): Promise<number[][]> {
    const body: Record<string, unknown> = { model: this.model, input, encoding_format: 'float' };
    if (this.opts.sendDimensions !== false) body.dimensions = this.dimensions;
    return withRetries(
      async () => {
        const started = performance.now();
        let unitsIn = 0;
        try {
          const res = await postToProvider(this.endpoint, '/embeddings', { json: body });
          const parsed = parseEmbeddingResponse(res.json, input.length, this.dimensions, this.name);
          unitsIn = parsed.promptTokens ?? tokens;
          if (!parsed.ok) throw parsed.error;
          await this.record(ctx, started, unitsIn, true);
          return parsed.vectors;
        } catch (e) {
          if (e instanceof ProviderError) {
            await this.record(ctx, started, unitsIn, false, e.message);
            throw e;
          }
          throw e; // the recorder itself failed: do not record twice
        }
      },
      this.policy,
      {
        sleep: this.opts.sleep,
        onRetry: (e, attempt, delayMs) =>
          this.opts.logger?.warn({ provider: this.name, model: this.model, status: e.status, code: e.code, attempt, delayMs }, 'embedding request failed; retrying'),
      },
    );
  }

  private async record(ctx: EmbedContext, started: number, unitsIn: number, success: boolean, error?: string): Promise<void> {
    await this.opts.recorder?.record({
      tenantId: ctx.tenantId,
      jobId: ctx.jobId ?? null,
      action: ctx.action,
      provider: this.name,
      model: this.model,
      unitsIn,
      unitsOut: 0,
      costUsd: tokenCost(this.opts.prices, this.model, unitsIn),
      latencyMs: Math.round(performance.now() - started),
      success,
      ...(error === undefined ? {} : { error: error.slice(0, 500) }),
    });
  }
}
