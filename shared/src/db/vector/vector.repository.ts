// All vector SQL in one place (DESIGN.md §4): embedding column checks, batched embedding writes, the
// embedding cache, and the filtered HNSW / BM25 full-text queries of prisma/sql.
import pgvector from 'pgvector';
import type { Prisma, PrismaClient } from '../client.js';
import type { EmbeddingCache, EmbeddingCacheEntry } from '../../providers/embeddings/embedding-cache.js';
import { sqlFile } from './sql-files.js';

type Db = PrismaClient | Prisma.TransactionClient;

/** The dimension of material_chunks.embedding as migrated (null when the column is missing). */
export async function embeddingColumnDimensions(db: Db): Promise<number | null> {
  const rows = await db.$queryRaw<{ dims: number }[]>`
    SELECT atttypmod AS dims FROM pg_attribute
    WHERE attrelid = 'material_chunks'::regclass AND attname = 'embedding' AND NOT attisdropped`;
  return rows[0]?.dims ?? null;
}

export class EmbeddingDimensionError extends Error {
  override name = 'EmbeddingDimensionError';
}

/** Boot check: configuration and database must agree on the vector size. */
export async function assertEmbeddingDimensions(db: Db, expected: number): Promise<void> {
  const actual = await embeddingColumnDimensions(db);
  if (actual === null) throw new EmbeddingDimensionError('material_chunks.embedding is missing: run `npm run migrate`');
  if (actual !== expected) {
    throw new EmbeddingDimensionError(
      `EMBEDDING_DIMENSIONS=${expected} but material_chunks.embedding is vector(${actual}). ` +
        `After changing the embedding model run \`npm run cli -- embeddings reembed\` (it resizes the column and ` +
        `re-embeds every material), or set EMBEDDING_DIMENSIONS=${actual}.`,
    );
  }
}

/** Writes many chunk embeddings in one statement per batch. */
export async function writeChunkEmbeddings(db: Db, rows: { id: string; embedding: number[] }[], batch = 500): Promise<void> {
  for (let i = 0; i < rows.length; i += batch) {
    const part = rows.slice(i, i + batch);
    await db.$executeRaw`
      UPDATE material_chunks c SET embedding = v.e::vector
      FROM (SELECT unnest(${part.map((r) => r.id)}::uuid[]) AS id, unnest(${part.map((r) => pgvector.toSql(r.embedding))}::text[]) AS e) v
      WHERE c.id = v.id`;
  }
}

/** The persistent embedding cache: one row per (tenant, model, text hash); rows go with their tenant. */
export function dbEmbeddingCache(prisma: PrismaClient): EmbeddingCache {
  return {
    async getMany({ tenantId, model }, hashes) {
      const out = new Map<string, number[]>();
      if (!hashes.length) return out;
      const rows = await prisma.$queryRaw<{ h: string; e: string }[]>`
        SELECT text_sha256 AS h, embedding::text AS e FROM embedding_cache
        WHERE tenant_id = ${tenantId}::uuid AND model = ${model} AND text_sha256 = ANY(${[...hashes]}::text[])`;
      for (const r of rows) out.set(r.h, pgvector.fromSql(r.e) as number[]);
      return out;
    },
    async putMany({ tenantId, model }, entries: readonly EmbeddingCacheEntry[]) {
      for (let i = 0; i < entries.length; i += 500) {
        const part = entries.slice(i, i + 500);
        await prisma.$executeRaw`
          INSERT INTO embedding_cache (tenant_id, model, text_sha256, embedding)
          SELECT ${tenantId}::uuid, ${model}, h, e::vector FROM unnest(${part.map((p) => p.hash)}::text[], ${part.map((p) => pgvector.toSql(p.embedding))}::text[]) AS t(h, e)
          ON CONFLICT (tenant_id, model, text_sha256) DO NOTHING`;
      }
    },
  };
}

export interface SearchHit {
  chunk_id: string;
  material_id: string;
  materialnode_id: string;
  text: string;
  kind: string;
  metadata: Record<string, unknown>;
}

export interface SearchOptions {
  /** HNSW candidate list size; larger = better recall, slower. */
  efSearch?: number;
  /** Walk the HNSW index whatever the subtree's size (recall measurements and benchmarks). */
  forceIndex?: boolean;
}

/**
 * Subtrees of at most this many chunks are sorted exactly instead of walking the HNSW index: exact results, and a
 * small subtree is where a filtered walk would have to visit most of the graph to find k matches. Measured at 100k
 * chunks / 10 tenants (load average ~11): a 1k-chunk module sorts in 13–29 ms against 16–18 ms for the walk, a
 * 10k-chunk course in 80–95 ms against 16–19 ms (bench/scenarios/search.ts, /work/notes/vsearch.md).
 */
export const EXACT_SCAN_MAX_CHUNKS = 500;

type Scored = SearchHit & { distance: number };

async function runSemantic(prisma: PrismaClient, tenantId: string, nodeId: string, query: number[], k: number, ef: number, exactMax: number): Promise<Scored[]> {
  const rows = await prisma.$transaction(async (tx) => {
    // The scan's settings in one round trip (set_config(…, true) is SET LOCAL: they end with the transaction).
    // enable_sort = off makes the index branch walk the HNSW graph; the exact branch still sorts (its only plan),
    // but the sort's disable cost inflates the plan's estimate past jit_above_cost: jit = off, or every query
    // pays a JIT compilation (1–3 s on a loaded 2-core machine, measured).
    await tx.$queryRaw`SELECT set_config('hnsw.ef_search', ${String(Math.floor(ef))}, true),
      set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('enable_sort', 'off', true), set_config('jit', 'off', true)`;
    return tx.$queryRawUnsafe<Scored[]>(sqlFile('semantic-search.sql'), tenantId, nodeId, pgvector.toSql(query), k, exactMax);
  });
  // relaxed_order may return near-ties slightly out of order; the contract is by distance.
  return rows.map((r) => ({ ...r, distance: Number(r.distance) })).sort((a, b) => a.distance - b.distance);
}

/**
 * Nearest chunks by cosine distance in a node's subtree: an exact sort of a small subtree's chunks, else the HNSW
 * index of the tenant's partition with an iterative scan for the subtree filter (semantic-search.sql).
 */
export async function semanticSearch(prisma: PrismaClient, tenantId: string, nodeId: string, query: number[], k: number, opts: SearchOptions = {}): Promise<Scored[]> {
  return runSemantic(prisma, tenantId, nodeId, query, k, Math.max(opts.efSearch ?? 100, k), opts.forceIndex ? -1 : EXACT_SCAN_MAX_CHUNKS);
}

/** Exact variant of semanticSearch (the filtered rows sorted, whatever their number): the reference for recall. */
export async function exactSemanticSearch(prisma: PrismaClient, tenantId: string, nodeId: string, query: number[], k: number): Promise<Scored[]> {
  return runSemantic(prisma, tenantId, nodeId, query, k, 100, 2 ** 31 - 1);
}

/**
 * A query costs a bounded amount however long it is: at most this many terms reach the ranking statement (the
 * rarest in the tenant's own chunks, fulltext_lexeme_df), and at most FULLTEXT_CANDIDATES chunks are ranked.
 */
export const MAX_QUERY_TERMS = 32;
export const FULLTEXT_CANDIDATES = 5000;
/**
 * BM25 parameters (Lucene's defaults), the weight of a query phrase found in a chunk (scored as one more BM25
 * term with the phrase's own df) and of the chunk's heading path (a second field: a term there counts as
 * headingWeight occurrences in the text; fulltext-search.sql), chosen on the tutorial of bench/quality
 * (README → Search quality).
 */
export const BM25 = { k1: 1.2, b: 0.75, phraseBoost: 0.1, headingWeight: 3 };

export interface QueryTerm {
  lexeme: string;
  /** First position in the query (1-based, stop words counted). */
  pos: number;
  /** How many of the tenant's chunks hold it (0: none). */
  df: number;
}

/**
 * The query's lexemes in every configuration of the subtree's materials; more than MAX_QUERY_TERMS: the rarest
 * in the tenant's chunks, those in none of them last (they cannot match), ties by position.
 */
export async function fulltextQueryTerms(prisma: PrismaClient, tenantId: string, nodeId: string, text: string): Promise<QueryTerm[]> {
  const all = await prisma.$queryRawUnsafe<QueryTerm[]>(sqlFile('fulltext-terms.sql'), tenantId, nodeId, text);
  const rarity = (t: QueryTerm) => (t.df === 0 ? Number.POSITIVE_INFINITY : t.df);
  const kept = all.length <= MAX_QUERY_TERMS ? all : [...all].sort((a, b) => rarity(a) - rarity(b) || a.pos - b.pos).slice(0, MAX_QUERY_TERMS);
  return kept.sort((a, b) => a.pos - b.pos || a.lexeme.localeCompare(b.lexeme));
}

/** The parameters of fulltext-search.sql for a query (null: no term to search for). */
export async function fulltextSearchArgs(prisma: PrismaClient, tenantId: string, nodeId: string, text: string, limit: number, params = BM25): Promise<unknown[] | null> {
  const terms = await fulltextQueryTerms(prisma, tenantId, nodeId, text);
  if (!terms.length) return null;
  // Phrases: pairs of kept terms at most 2 apart in the query (a stop word between them counts).
  const pairs = terms.flatMap((a, i) => terms.slice(i + 1).filter((b) => b.pos > a.pos && b.pos - a.pos <= 2).map((b) => [a, b] as const));
  return [
    tenantId,
    nodeId,
    terms.map((t) => t.lexeme),
    limit,
    FULLTEXT_CANDIDATES,
    params.k1,
    params.b,
    pairs.map(([a]) => a.lexeme),
    pairs.map(([, b]) => b.lexeme),
    pairs.map(([a, b]) => b.pos - a.pos),
    params.phraseBoost,
    params.headingWeight,
  ];
}

/** BM25-ranked chunks holding any of the query's terms; a query phrase found in a chunk counts as one more term. */
export async function fulltextSearch(prisma: PrismaClient, tenantId: string, nodeId: string, text: string, limit: number, params = BM25) {
  const args = await fulltextSearchArgs(prisma, tenantId, nodeId, text, limit, params);
  if (!args) return [];
  const rows = await prisma.$queryRawUnsafe<(SearchHit & { rank: number })[]>(sqlFile('fulltext-search.sql'), ...args);
  return rows.map((r) => ({ ...r, rank: Number(r.rank) }));
}
