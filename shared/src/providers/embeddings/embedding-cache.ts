// Embeddings cached by (tenant, model key, SHA-256 of the exact text): re-uploading or retrying never pays twice,
// and one tenant's texts never make another tenant's calls cheaper (which would reveal them). The model key is
// `${provider}:${model}:${dimensions}` so a change of provider, model or dimension never serves a stale vector.
// Material chunks are cached in a DB table (dbEmbeddingCache); search queries only in process memory
// (InMemoryEmbeddingCache, bounded), routed by the call's action (actionRoutedCache).
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { EmbedContext, EmbeddingProvider } from './embedding-provider.js';

export interface EmbeddingCacheEntry {
  hash: string;
  embedding: number[];
}

/**
 * Whose entries, of which model. Entries are per tenant: a hit must never tell one tenant that another tenant
 * embedded the same text (a hit saves a provider call, which GET /reports/cost would show). `action` lets a
 * cache treat query-like texts differently (actionRoutedCache).
 */
export interface EmbeddingCacheScope {
  tenantId: string;
  model: string;
  action: string;
}

export interface EmbeddingCache {
  /** Cached vectors for the hashes that are known in this scope; missing hashes are simply absent from the map. */
  getMany(scope: EmbeddingCacheScope, hashes: readonly string[]): Promise<Map<string, number[]>>;
  /** Store vectors; an entry that already exists may be kept or overwritten (they are equal). */
  putMany(scope: EmbeddingCacheScope, entries: readonly EmbeddingCacheEntry[]): Promise<void>;
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
      const scope: EmbeddingCacheScope = { tenantId: ctx.tenantId, model: key, action: ctx.action };
      const cached = await cache.getMany(scope, unique);
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
        await cache.putMany(scope, entries);
        for (const e of entries) found.set(e.hash, e.embedding);
      }
      return hashes.map((h) => found.get(h)!);
    },
  };
}

/** Sends the actions listed in `routes` to their own cache (search queries to process memory), the rest to `fallback`. */
export function actionRoutedCache(routes: Readonly<Record<string, EmbeddingCache>>, fallback: EmbeddingCache): EmbeddingCache {
  const pick = (action: string) => (Object.hasOwn(routes, action) ? routes[action]! : fallback);
  return {
    getMany: (scope, hashes) => pick(scope.action).getMany(scope, hashes),
    putMany: (scope, entries) => pick(scope.action).putMany(scope, entries),
  };
}

/**
 * A bounded in-process cache (least recently used entries go first), keyed by tenant, model and hash. Used for
 * search queries — every distinct query would otherwise add a database row for ever — and in unit tests.
 */
export class InMemoryEmbeddingCache implements EmbeddingCache {
  readonly store: LRUCache<string, number[]>;

  constructor(readonly maxEntries = 1000) {
    this.store = new LRUCache({ max: maxEntries });
  }

  static key = (scope: Pick<EmbeddingCacheScope, 'tenantId' | 'model'>, hash: string) => `${scope.tenantId}\u0000${scope.model}\u0000${hash}`;

  async getMany(scope: EmbeddingCacheScope, hashes: readonly string[]): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    for (const h of hashes) {
      const v = this.store.get(InMemoryEmbeddingCache.key(scope, h)); // get() also marks it most recently used
      if (v) out.set(h, v);
    }
    return out;
  }

  async putMany(scope: EmbeddingCacheScope, entries: readonly EmbeddingCacheEntry[]): Promise<void> {
    for (const e of entries) this.store.set(InMemoryEmbeddingCache.key(scope, e.hash), e.embedding);
  }
}
