import { describe, expect, it } from 'vitest';
import { planBatches } from './embedding-batches.js';
import { createEmbeddingProvider } from './embedding.factory.js';
import { LocalEmbeddingProvider } from './local-embedding.provider.js';
import { OpenAIEmbeddingProvider } from './openai-embedding.provider.js';

describe('createEmbeddingProvider', () => {
  it('builds the configured kind from plain options', () => {
    const local = createEmbeddingProvider({ kind: 'local', dimensions: 128 });
    expect(local).toBeInstanceOf(LocalEmbeddingProvider);
    expect([local.name, local.model, local.dimensions]).toEqual(['local', 'local-hash-v1', 128]);
    const remote = createEmbeddingProvider({ kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1', model: 'text-embedding-3-small', dimensions: 1536 });
    expect(remote).toBeInstanceOf(OpenAIEmbeddingProvider);
    expect([remote.name, remote.model, remote.dimensions]).toEqual(['openai', 'text-embedding-3-small', 1536]);
    expect(() => createEmbeddingProvider({ kind: 'openai', baseUrl: '', model: 'm', dimensions: 8 })).toThrow(TypeError);
    expect(() => createEmbeddingProvider({ kind: 'nope' } as never)).toThrow(/Unknown embedding provider/);
  });
});

describe('planBatches', () => {
  it('packs contiguous inputs within both limits', () => {
    expect(planBatches([5, 5, 5, 5, 5], { maxInputs: 2, maxTokens: 100 }).map((b) => [b.start, b.end])).toEqual([
      [0, 2],
      [2, 4],
      [4, 5],
    ]);
    expect(planBatches([60, 30, 20, 90, 10], { maxInputs: 10, maxTokens: 100 })).toEqual([
      { start: 0, end: 2, tokens: 90 },
      { start: 2, end: 3, tokens: 20 },
      { start: 3, end: 5, tokens: 100 },
    ]);
    expect(planBatches([], { maxInputs: 10, maxTokens: 100 })).toEqual([]);
    expect(() => planBatches([101], { maxInputs: 10, maxTokens: 100 })).toThrow(RangeError);
  });
});
