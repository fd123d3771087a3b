-- Full-text candidates for hybrid search. $1 tenant, $2 root node, $3 query text, $4 limit, $5 'all' | 'any'.
-- Uses the GIN index on to_tsvector('simple', text); websearch syntax accepts any user input safely.
-- 'all' matches chunks with every word (selective, cheap); 'any' matches chunks with some of the words and ranks
-- at most 2,000 of them (common words would otherwise make ts_rank_cd re-parse most of a tenant's chunks).
WITH RECURSIVE subtree AS (
  SELECT id FROM materialnodes WHERE id = $2::uuid AND tenant_id = $1::uuid
  UNION ALL
  SELECT n.id FROM materialnodes n JOIN subtree s ON n.parent_materialnode_id = s.id WHERE n.tenant_id = $1::uuid
), q AS (
  SELECT CASE WHEN $5 = 'all' THEN websearch_to_tsquery('simple', $3)
              ELSE to_tsquery('simple', replace(websearch_to_tsquery('simple', $3)::text, ' & ', ' | ')) END AS query
), matches AS (
  SELECT c.id, c.material_id, c.materialnode_id, c.text, c.kind, c.metadata
  FROM material_chunks c, q
  WHERE c.tenant_id = $1::uuid
    AND c.materialnode_id = ANY (ARRAY(SELECT id FROM subtree)) -- an InitPlan array: a plain filter on the scan
    AND to_tsvector('simple', c.text) @@ q.query
  LIMIT 2000
)
SELECT m.id::text AS chunk_id, m.material_id::text AS material_id, m.materialnode_id::text AS materialnode_id,
       m.text, m.kind, m.metadata, ts_rank_cd(to_tsvector('simple', m.text), q.query) AS rank
FROM matches m, q
ORDER BY rank DESC, m.id
LIMIT $4
