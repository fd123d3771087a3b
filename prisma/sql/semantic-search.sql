-- Semantic search over a node's subtree, one tenant. $1 tenant, $2 root node, $3 query vector, $4 k,
-- $5 exact-scan limit: a subtree holding at most $5 chunks (material_entries.chunk_count) is sorted exactly, a
-- larger one is served by the HNSW index.
-- tenant_id = $1 prunes material_chunks (hash-partitioned by tenant) to one partition and its own HNSW graph.
-- Both branches filter by tenant and subtree in the same query; a one-time filter on the subtree's size runs one
-- of them. The index branch is ordered by cosine distance only, so the HNSW index can serve it (the caller sets
-- enable_sort = off so the planner walks the index instead of sorting a large subtree: Postgres estimates the
-- subtree filter badly, and a sort of 10k vectors costs several times the walk), and iterative scans
-- (hnsw.iterative_scan) keep its filtered results from running short. The exact branch orders by distance + 0,
-- an expression no index serves: the filtered rows (index on tenant_id, materialnode_id) sorted, exact.
WITH RECURSIVE subtree AS (
  SELECT id FROM materialnodes WHERE id = $2::uuid AND tenant_id = $1::uuid
  UNION ALL
  SELECT n.id FROM materialnodes n JOIN subtree s ON n.parent_materialnode_id = s.id WHERE n.tenant_id = $1::uuid
), size AS MATERIALIZED (
  SELECT coalesce(sum(m.chunk_count), 0) AS n FROM material_entries m
  WHERE m.tenant_id = $1::uuid AND m.materialnode_id = ANY (ARRAY(SELECT id FROM subtree))
)
(SELECT c.id::text AS chunk_id, c.material_id::text AS material_id, c.materialnode_id::text AS materialnode_id,
        c.text, c.kind, c.metadata, (c.embedding <=> $3::vector) AS distance
 FROM material_chunks c
 WHERE c.tenant_id = $1::uuid
   AND c.materialnode_id = ANY (ARRAY(SELECT id FROM subtree)) -- an InitPlan array: a plain filter on the scan
   AND c.embedding IS NOT NULL
   AND (SELECT n FROM size) > $5::int
 ORDER BY c.embedding <=> $3::vector
 LIMIT $4)
UNION ALL
(SELECT c.id::text, c.material_id::text, c.materialnode_id::text, c.text, c.kind, c.metadata, (c.embedding <=> $3::vector)
 FROM material_chunks c
 WHERE c.tenant_id = $1::uuid
   AND c.materialnode_id = ANY (ARRAY(SELECT id FROM subtree))
   AND c.embedding IS NOT NULL
   AND (SELECT n FROM size) <= $5::int
 ORDER BY (c.embedding <=> $3::vector) + 0
 LIMIT $4)
