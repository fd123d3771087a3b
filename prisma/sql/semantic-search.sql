-- Semantic search over a node's subtree, one tenant. $1 tenant, $2 root node, $3 query vector, $4 k.
-- Ordered by cosine distance only, so the HNSW index can serve it; the tenant and subtree filters sit in the
-- same query and iterative scans (SET LOCAL hnsw.iterative_scan) keep filtered results from running short.
WITH RECURSIVE subtree AS (
  SELECT id FROM materialnodes WHERE id = $2::uuid AND tenant_id = $1::uuid
  UNION ALL
  SELECT n.id FROM materialnodes n JOIN subtree s ON n.parent_materialnode_id = s.id WHERE n.tenant_id = $1::uuid
)
SELECT c.id::text AS chunk_id, c.material_id::text AS material_id, c.materialnode_id::text AS materialnode_id,
       c.text, c.kind, c.metadata, (c.embedding <=> $3::vector) AS distance
FROM material_chunks c
WHERE c.tenant_id = $1::uuid
  AND c.materialnode_id = ANY (ARRAY(SELECT id FROM subtree)) -- an InitPlan array: a plain filter on the scan
  AND c.embedding IS NOT NULL
ORDER BY c.embedding <=> $3::vector
LIMIT $4
