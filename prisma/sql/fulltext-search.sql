-- Full-text candidates for hybrid search. $1 tenant, $2 root node, $3 query text, $4 limit.
-- Uses the GIN index on to_tsvector('simple', text); websearch syntax accepts any user input safely.
WITH RECURSIVE subtree AS (
  SELECT id FROM materialnodes WHERE id = $2::uuid AND tenant_id = $1::uuid
  UNION ALL
  SELECT n.id FROM materialnodes n JOIN subtree s ON n.parent_materialnode_id = s.id WHERE n.tenant_id = $1::uuid
), q AS (
  -- Any of the words (OR): a whole sentence should still find chunks sharing some of its terms; phrases
  -- ("…") stay phrases. Ranking favours chunks matching more of them.
  SELECT to_tsquery('simple', replace(websearch_to_tsquery('simple', $3)::text, ' & ', ' | ')) AS query
)
SELECT c.id::text AS chunk_id, c.material_id::text AS material_id, c.materialnode_id::text AS materialnode_id,
       c.text, c.kind, c.metadata, ts_rank_cd(to_tsvector('simple', c.text), q.query) AS rank
FROM material_chunks c, q
WHERE c.tenant_id = $1::uuid
  AND c.materialnode_id = ANY (ARRAY(SELECT id FROM subtree)) -- an InitPlan array: a plain filter on the scan
  AND to_tsvector('simple', c.text) @@ q.query
ORDER BY rank DESC, c.id
LIMIT $4
