// createEmbeddingProvider: plain options in (the lead maps config onto them), a provider out.
import type { EmbeddingProvider } from './embedding-provider.js';
import { LocalEmbeddingProvider, type LocalEmbeddingOptions } from './local-embedding.provider.js';
import { OpenAIEmbeddingProvider, type OpenAIEmbeddingOptions } from './openai-embedding.provider.js';

export type EmbeddingProviderOptions =
  | ({ kind: 'local' } & LocalEmbeddingOptions)
  | ({ kind: 'openai' } & OpenAIEmbeddingOptions);

export function createEmbeddingProvider(opts: EmbeddingProviderOptions): EmbeddingProvider {
  switch (opts.kind) {
    case 'local':
      return new LocalEmbeddingProvider(opts);
    case 'openai':
      return new OpenAIEmbeddingProvider(opts);
    default:
      throw new TypeError(`Unknown embedding provider kind: ${String((opts as { kind: unknown }).kind)}`);
  }
}
