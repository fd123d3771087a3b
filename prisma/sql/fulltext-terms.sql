-- The query's terms for full-text search. $1 tenant, $2 root node, $3 query text.
-- Each distinct text search configuration of the subtree's materials turns the query into lexemes (its stemmer
-- and stop words); a lexeme's position is its first in the query. freq is the share of all chunks holding it
-- when ANALYZE counted it among the column's most common elements (0 otherwise): fulltextSearch keeps the rarest
-- terms of a long query. No chunk row is read.
WITH RECURSIVE subtree AS (
  SELECT id FROM materialnodes WHERE id = $2::uuid AND tenant_id = $1::uuid
  UNION ALL
  SELECT n.id FROM materialnodes n JOIN subtree s ON n.parent_materialnode_id = s.id WHERE n.tenant_id = $1::uuid
), configs AS (
  SELECT DISTINCT m.text_search_config AS cfg FROM material_entries m
  WHERE m.tenant_id = $1::uuid AND m.materialnode_id = ANY (ARRAY(SELECT id FROM subtree))
), lexemes AS (
  SELECT u.lexeme, min(u.positions[1]) AS pos
  FROM configs, unnest(to_tsvector(configs.cfg::regconfig, $3)) u
  GROUP BY u.lexeme
), common AS (
  SELECT u.e, u.f FROM pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) u(e, f)
  WHERE s.schemaname = current_schema() AND s.tablename = 'material_chunks' AND s.attname = 'fts' AND u.e IS NOT NULL
)
SELECT l.lexeme, l.pos::int AS pos, coalesce(c.f, 0)::float8 AS freq
FROM lexemes l LEFT JOIN common c ON c.e = l.lexeme
