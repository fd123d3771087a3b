import { describe, expect, it } from 'vitest';
import { startLocalServer } from '../../net/local-server.test-support.js';
import { MemoryCostRecorder } from '../http/cost.js';
import { actionRoutedCache, embeddingCacheKey, InMemoryEmbeddingCache, textHash, withEmbeddingCache } from './embedding-cache.js';
import type { EmbeddingProvider } from './embedding-provider.js';
import { LocalEmbeddingProvider } from './local-embedding.provider.js';
import { OpenAIEmbeddingProvider } from './openai-embedding.provider.js';

const ctx = { tenantId: 't1', jobId: 'j1', action: 'embed' };

function counting(inner: EmbeddingProvider) {
  const calls: string[][] = [];
  const p: EmbeddingProvider = {
    name: inner.name,
    model: inner.model,
    dimensions: inner.dimensions,
    embed: (texts, c) => (calls.push([...texts]), inner.embed(texts, c)),
  };
  return { p, calls };
}

describe('withEmbeddingCache', () => {
  it('embeds only texts it has not seen, once each, and returns vectors in input order', async () => {
    const local = new LocalEmbeddingProvider({ dimensions: 32 });
    const { p, calls } = counting(local);
    const cache = new InMemoryEmbeddingCache();
    const cached = withEmbeddingCache(p, cache);

    const first = await cached.embed(['alpha', 'beta', 'alpha'], ctx);
    expect(calls).toEqual([['alpha', 'beta']]);
    expect(first).toEqual(await local.embed(['alpha', 'beta', 'alpha'], ctx));

    const second = await cached.embed(['beta', 'gamma', 'alpha'], ctx);
    expect(calls).toEqual([['alpha', 'beta'], ['gamma']]);
    expect(second).toEqual(await local.embed(['beta', 'gamma', 'alpha'], ctx));

    await cached.embed(['gamma', 'alpha'], ctx);
    expect(calls).toHaveLength(2);
    expect(cache.store.has(InMemoryEmbeddingCache.key({ tenantId: 't1', model: 'local:local-hash-v1:32' }, textHash('alpha')))).toBe(true);
  });

  it('keys by provider, model and dimensions, and ignores cached vectors of the wrong size', async () => {
    const cache = new InMemoryEmbeddingCache();
    const a = counting(new LocalEmbeddingProvider({ dimensions: 32 }));
    const b = counting(new LocalEmbeddingProvider({ dimensions: 64 }));
    await withEmbeddingCache(a.p, cache).embed(['same text'], ctx);
    const out = await withEmbeddingCache(b.p, cache).embed(['same text'], ctx);
    expect(b.calls).toHaveLength(1);
    expect(out[0]).toHaveLength(64);
    expect(embeddingCacheKey(a.p)).not.toBe(embeddingCacheKey(b.p));

    await cache.putMany({ tenantId: ctx.tenantId, model: embeddingCacheKey(b.p), action: 'embed' }, [{ hash: textHash('corrupt'), embedding: [1, 2] }]);
    const fixed = await withEmbeddingCache(b.p, cache).embed(['corrupt'], ctx);
    expect(fixed[0]).toHaveLength(64);
  });

  it("keys by tenant: another tenant's text is embedded (and charged) again", async () => {
    const { p, calls } = counting(new LocalEmbeddingProvider({ dimensions: 32 }));
    const cached = withEmbeddingCache(p, new InMemoryEmbeddingCache());
    await cached.embed(['same text'], ctx);
    await cached.embed(['same text'], { ...ctx, tenantId: 't2' });
    await cached.embed(['same text'], { ...ctx, tenantId: 't2' });
    expect(calls).toEqual([['same text'], ['same text']]);
  });

  it('routes actions to their own cache, and the in-memory cache drops its least recently used entries', async () => {
    const { p, calls } = counting(new LocalEmbeddingProvider({ dimensions: 8 }));
    const queries = new InMemoryEmbeddingCache(2);
    const chunks = new InMemoryEmbeddingCache();
    const cached = withEmbeddingCache(p, actionRoutedCache({ search: queries }, chunks));
    const search = { tenantId: 't1', action: 'search' };
    await cached.embed(['q1'], search);
    await cached.embed(['q2'], search);
    await cached.embed(['q1'], search); // q1 is now the most recently used
    await cached.embed(['q3'], search); // evicts q2
    expect(chunks.store.size).toBe(0);
    expect(queries.store.size).toBe(2);
    await cached.embed(['q1'], search);
    await cached.embed(['q2'], search);
    expect(calls).toEqual([['q1'], ['q2'], ['q3'], ['q2']]);
    await cached.embed(['chunk'], ctx);
    expect(chunks.store.size).toBe(1);
  });

  it('never pays twice: a retried job makes no second HTTP call and no second cost row', async () => {
    const server = await startLocalServer((_req, res, raw) => {
      const { input } = JSON.parse(raw.toString()) as { input: string[] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ data: input.map((_, index) => ({ index, embedding: [index, 1, 0, 0] })), usage: { prompt_tokens: input.length } }),
      );
    });
    try {
      const recorder = new MemoryCostRecorder();
      const cache = new InMemoryEmbeddingCache();
      const provider = withEmbeddingCache(
        new OpenAIEmbeddingProvider({ baseUrl: server.origin, model: 'm', dimensions: 4, recorder, prices: { m: { inputUsdPer1M: 1 } } }),
        cache,
      );
      const texts = ['one', 'two', 'three'];
      const a = await provider.embed(texts, ctx);
      const b = await provider.embed(texts, ctx);
      expect(b).toEqual(a);
      expect(server.requests).toHaveLength(1);
      expect(recorder.rows).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
