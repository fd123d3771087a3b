-- The query's terms for full-text search. $1 tenant, $2 root node, $3 query text.
-- Each distinct text search configuration of the subtree's materials turns the query into lexemes (its stemmer
-- and stop words); a lexeme's position is its first in the query. df is the number of the TENANT's chunks
-- holding it (fulltext_lexeme_df, kept by triggers on material_chunks; 0 when none): fulltextSearch keeps the
-- rarest terms of a long query. Only this tenant's statistics are read, so another tenant's corpus cannot change
-- which terms are kept. One primary-key lookup per distinct lexeme of the query; no chunk row is read.
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
)
SELECT l.lexeme, l.pos::int AS pos, coalesce(d.df, 0)::int AS df
FROM lexemes l LEFT JOIN fulltext_lexeme_df d ON d.tenant_id = $1::uuid AND d.lexeme = l.lexeme
