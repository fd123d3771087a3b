// Embeddings cached by (model key, SHA-256 of the exact text): re-uploading or retrying never pays twice.
// The model key is `${provider}:${model}:${dimensions}` so a change of provider, model or dimension never serves
// a stale vector. The production cache (a DB table) implements EmbeddingCache; InMemoryEmbeddingCache is for
// tests only.
import { createHash } from 'node:crypto';
import type { EmbedContext, EmbeddingProvider } from './embedding-provider.js';

export interface EmbeddingCacheEntry {
  hash: string;
  embedding: number[];
}

export interface EmbeddingCache {
  /** Cached vectors for the hashes that are known; missing hashes are simply absent from the map. */
  getMany(model: string, hashes: readonly string[]): Promise<Map<string, number[]>>;
  /** Store vectors; an entry that already exists may be kept or overwritten (they are equal). */
  putMany(model: string, entries: readonly EmbeddingCacheEntry[]): Promise<void>;
}

export const textHash = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export const embeddingCacheKey = (p: Pick<EmbeddingProvider, 'name' | 'model' | 'dimensions'>): string => `${p.name}:${p.model}:${p.dimensions}`;

export function withEmbeddingCache(provider: EmbeddingProvider, cache: EmbeddingCache): EmbeddingProvider {
  const key = embeddingCacheKey(provider);
  return {
    name: provider.name,
    model: provider.model,
    dimensions: provider.dimensions,
    async embed(texts: readonly string[], ctx: EmbedContext): Promise<number[][]> {
      if (texts.length === 0) return [];
      const hashes = texts.map(textHash);
      const unique = [...new Set(hashes)];
      const cached = await cache.getMany(key, unique);
      const missing: { hash: string; text: string }[] = [];
      const seen = new Set<string>();
      hashes.forEach((h, i) => {
        const hit = cached.get(h);
        if ((hit && hit.length === provider.dimensions) || seen.has(h)) return;
        seen.add(h);
        missing.push({ hash: h, text: texts[i]! });
      });
      const found = new Map<string, number[]>();
      for (const [h, v] of cached) if (v.length === provider.dimensions) found.set(h, v);
      if (missing.length > 0) {
        const vectors = await provider.embed(
          missing.map((m) => m.text),
          ctx,
        );
        const entries = missing.map((m, i) => ({ hash: m.hash, embedding: vectors[i]! }));
        await cache.putMany(key, entries);
        for (const e of entries) found.set(e.hash, e.embedding);
      }
      return hashes.map((h) => found.get(h)!);
    },
  };
}

/** For tests: a Map-backed cache that counts lookups and stores. */
export class InMemoryEmbeddingCache implements EmbeddingCache {
  readonly store = new Map<string, number[]>();
  gets = 0;
  puts = 0;

  async getMany(model: string, hashes: readonly string[]): Promise<Map<string, number[]>> {
    this.gets++;
    const out = new Map<string, number[]>();
    for (const h of hashes) {
      const v = this.store.get(`${model}\u0000${h}`);
      if (v) out.set(h, v);
    }
    return out;
  }

  async putMany(model: string, entries: readonly EmbeddingCacheEntry[]): Promise<void> {
    this.puts++;
    for (const e of entries) this.store.set(`${model}\u0000${e.hash}`, e.embedding);
  }
}
