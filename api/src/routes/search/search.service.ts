// Search over a node's subtree. semantic: cosine similarity (score = 1 − distance) from the HNSW index.
// hybrid: weighted reciprocal rank fusion of the vector ranking and the BM25 full-text ranking,
// score = w_semantic / (k + rank_semantic) + w_fulltext / (k + rank_fulltext) over the top `depth` of each list
// (a chunk found by both ranks highest). The parameters were chosen on bench/quality (README → Performance).
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import type { EmbeddingProvider } from '../../../../shared/src/providers/embeddings/index.js';
import { fulltextSearch, semanticSearch, type SearchHit } from '../../../../shared/src/db/vector/vector.repository.js';
import { getNode } from '../nodes/nodes.service.js';

export interface FusionParams {
  k: number;
  depth: number;
  semanticWeight: number;
  fulltextWeight: number;
}

// k 5, depth 40, full-text weight 5. Re-measured with local-wordvec-v2 (the quality scenario's sweep on the
// tutorial, README → Search quality): hit@1 and hit@5 tie across most of the grid, the best MRR@10 (k 5, depth
// 20, weight 3: 0.879) is 0.004 above this one (0.875), less than one question moving one rank, and with the
// hashed model it puts hybrid below full text alone on the integration guard's questions; this one keeps
// hybrid ≥ each part with both models.
export const FUSION: FusionParams = { k: 5, depth: 40, semanticWeight: 1, fulltextWeight: 5 };

export interface SearchDeps {
  prisma: PrismaClient;
  embedder: EmbeddingProvider;
  efSearch: number;
  /** Overrides FUSION (the quality bench's parameter sweep). */
  fusion?: FusionParams;
}

export interface ScoredHit extends SearchHit {
  score: number;
}

export async function searchNode(
  deps: SearchDeps,
  tenantId: string,
  nodeId: string,
  q: { query: string; k: number; mode: 'semantic' | 'hybrid' },
): Promise<ScoredHit[]> {
  await getNode(deps.prisma, tenantId, nodeId);
  const [vector] = await deps.embedder.embed([q.query], { tenantId, action: 'search' });
  if (q.mode === 'semantic') {
    const hits = await semanticSearch(deps.prisma, tenantId, nodeId, vector as number[], q.k, { efSearch: deps.efSearch });
    return hits.map(({ distance, ...h }) => ({ ...h, score: 1 - distance }));
  }
  const fusion = deps.fusion ?? FUSION;
  const depth = Math.max(q.k, fusion.depth);
  const [vec, text] = await Promise.all([
    semanticSearch(deps.prisma, tenantId, nodeId, vector as number[], depth, { efSearch: deps.efSearch }),
    fulltextSearch(deps.prisma, tenantId, nodeId, q.query, depth),
  ]);
  const fused = new Map<string, ScoredHit>();
  const add = (list: SearchHit[], weight: number) =>
    list.forEach((hit, i) => {
      const prev = fused.get(hit.chunk_id);
      const score = weight / (fusion.k + i + 1);
      if (prev) prev.score += score;
      else fused.set(hit.chunk_id, { chunk_id: hit.chunk_id, material_id: hit.material_id, materialnode_id: hit.materialnode_id, text: hit.text, kind: hit.kind, metadata: hit.metadata, score });
    });
  add(vec, fusion.semanticWeight);
  add(text, fusion.fulltextWeight);
  return [...fused.values()].sort((a, b) => b.score - a.score || a.chunk_id.localeCompare(b.chunk_id)).slice(0, q.k);
}
