export type { EmbedContext, EmbeddingProvider } from './embedding-provider.js';
export { LocalEmbeddingProvider, LOCAL_EMBEDDING_MODEL, LOCAL_WORDVEC_MODEL, LOCAL_EMBEDDING_MODELS, DEFAULT_WORDVEC_DIR, type LocalEmbeddingOptions } from './local-embedding.provider.js';
export { OpenAIEmbeddingProvider, type OpenAIEmbeddingOptions } from './openai-embedding.provider.js';
export { withEmbeddingCache, actionRoutedCache, InMemoryEmbeddingCache, embeddingCacheKey, textHash, type EmbeddingCache, type EmbeddingCacheEntry, type EmbeddingCacheScope } from './embedding-cache.js';
export { createEmbeddingProvider, type EmbeddingProviderOptions } from './embedding.factory.js';
export { planBatches, type Batch, type BatchLimits } from './embedding-batches.js';
