// The one place configuration becomes provider objects (embedding with its DB cache, transcription), with
// cost rows written to provider_calls. API (search) and worker (ingestion, review) build them the same way.
import type { Config } from '../config/index.js';
import type { Logger } from '../logger/index.js';
import type { PrismaClient } from '../db/client.js';
import { dbCostRecorder } from '../db/costs.repository.js';
import { dbEmbeddingCache } from '../db/vector/vector.repository.js';
import { actionRoutedCache, createEmbeddingProvider, embeddingCacheKey, InMemoryEmbeddingCache, withEmbeddingCache, type EmbeddingProvider } from './embeddings/index.js';
import { createTranscriber, type Transcriber } from './transcription/index.js';
import { priceTableSchema, type PriceTable } from './http/cost.js';
import type { RetryPolicy } from './http/retry.js';
import { createLlmProvider, type LlmProvider } from './llm/index.js';

export function pricesFromConfig(config: Config): PriceTable {
  return priceTableSchema.parse(config.PROVIDER_PRICES);
}

export function retryFromConfig(config: Config): Partial<RetryPolicy> {
  return {
    maxAttempts: config.PROVIDER_MAX_ATTEMPTS,
    baseDelayMs: config.PROVIDER_RETRY_BASE_MS,
    maxDelayMs: config.PROVIDER_RETRY_MAX_DELAY_MS,
    maxRetryAfterMs: config.PROVIDER_MAX_RETRY_AFTER_MS,
  };
}

/** Query vectors kept per process (a 1536-dimension vector is ~12 KB in memory, so ~12 MB at most). */
const QUERY_CACHE_ENTRIES = 1000;

/** provider:model:dimensions of the configured embedding model (as cache keys and embedding_space record it). */
export function embeddingModelKey(config: Pick<Config, 'EMBEDDING_PROVIDER' | 'EMBEDDING_MODEL' | 'EMBEDDING_DIMENSIONS'>, dimensions = config.EMBEDDING_DIMENSIONS): string {
  return embeddingCacheKey({ name: config.EMBEDDING_PROVIDER, model: config.EMBEDDING_MODEL, dimensions });
}

export function embeddingProviderFromConfig(config: Config, prisma: PrismaClient, logger: Logger): EmbeddingProvider {
  const recorder = dbCostRecorder(prisma, 'embedding');
  const base =
    config.EMBEDDING_PROVIDER === 'local'
      ? createEmbeddingProvider({
          kind: 'local',
          dimensions: config.EMBEDDING_DIMENSIONS,
          model: config.EMBEDDING_MODEL,
          recorder,
          wordVectors: { cacheDir: config.LOCAL_EMBEDDING_CACHE_DIR },
        })
      : createEmbeddingProvider({
          kind: 'openai',
          baseUrl: config.EMBEDDING_BASE_URL,
          apiKey: config.EMBEDDING_API_KEY,
          model: config.EMBEDDING_MODEL,
          dimensions: config.EMBEDDING_DIMENSIONS,
          sendDimensions: config.EMBEDDING_SEND_DIMENSIONS,
          timeoutMs: config.EMBEDDING_TIMEOUT_MS,
          concurrency: config.EMBEDDING_CONCURRENCY,
          maxInputsPerRequest: config.EMBEDDING_MAX_INPUTS_PER_REQUEST,
          maxTokensPerRequest: config.EMBEDDING_MAX_TOKENS_PER_REQUEST,
          maxTokensPerInput: config.EMBEDDING_MAX_TOKENS_PER_INPUT,
          retry: retryFromConfig(config),
          prices: pricesFromConfig(config),
          recorder,
          logger,
        });
  // Search queries: one process-local LRU (no DB row per distinct query); material chunks: the tenant's DB cache.
  return withEmbeddingCache(base, actionRoutedCache({ search: new InMemoryEmbeddingCache(QUERY_CACHE_ENTRIES) }, dbEmbeddingCache(prisma)));
}

export function transcriberFromConfig(config: Config, prisma: PrismaClient, logger: Logger): Transcriber {
  if (config.TRANSCRIPTION_PROVIDER === 'none') return createTranscriber({ kind: 'none' });
  return createTranscriber({
    kind: 'openai',
    baseUrl: config.TRANSCRIPTION_BASE_URL,
    apiKey: config.TRANSCRIPTION_API_KEY,
    model: config.TRANSCRIPTION_MODEL,
    timeoutMs: config.TRANSCRIPTION_TIMEOUT_MS,
    maxFileBytes: config.TRANSCRIPTION_MAX_FILE_BYTES,
    retry: retryFromConfig(config),
    prices: pricesFromConfig(config),
    recorder: dbCostRecorder(prisma, 'transcription'),
    logger,
  });
}

/** The LLM layer: LLM_PROVIDER decides unless a kind is forced (the homework reviewer's REVIEW_PROVIDER). */
export function llmProviderFromConfig(
  config: Config,
  prisma: PrismaClient,
  logger: Logger,
  kind: 'local' | 'openai' = config.LLM_PROVIDER,
): LlmProvider {
  const recorder = dbCostRecorder(prisma, 'llm');
  if (kind === 'local') return createLlmProvider({ kind: 'local', recorder });
  const chain = (specific: string[]) => (specific.length ? specific : config.LLM_MODELS);
  return createLlmProvider({
    kind: 'openai',
    baseUrl: config.LLM_BASE_URL,
    apiKey: config.LLM_API_KEY,
    models: {
      default: config.LLM_MODELS,
      structuring: chain(config.LLM_MODELS_STRUCTURING),
      reconcile: chain(config.LLM_MODELS_RECONCILE),
      refine: chain(config.LLM_MODELS_REFINE),
      review: chain(config.LLM_MODELS_REVIEW),
    },
    timeoutMs: config.LLM_TIMEOUT_MS,
    maxRepairs: config.LLM_MAX_REPAIRS,
    retry: retryFromConfig(config),
    prices: pricesFromConfig(config),
    recorder,
    logger,
  });
}
