-- Full-text search, BM25-ranked. $1 tenant, $2 root node, $3 lexemes (text[], at most MAX_QUERY_TERMS, from
-- fulltext-terms.sql), $4 limit, $5 candidate cap, $6 k1, $7 b, $8, $9, $10 phrases (first
-- lexemes, second lexemes, their distance in the query: 'a' <d> 'b'), $11 phrase boost.
-- Candidates: chunks of the subtree holding any of the terms (GIN index on fts), at most $5. For each candidate
-- and term: tf = ts_rank_cd of the one-term query × 10 (each occurrence is a cover of weight 0.1, the default for
-- unlabelled lexemes), document length = its number of distinct lexemes. df counts the candidates holding the
-- term, N the chunks of the subtree: score = Σ idf · tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen)), idf =
-- ln(1 + (N − df + 0.5) / (df + 0.5)) (BM25 as Lucene computes it), plus $11 × Σ idf of both terms for each
-- query phrase (two query terms at most 2 apart) found as a phrase in the chunk.
WITH RECURSIVE subtree AS (
  SELECT id FROM materialnodes WHERE id = $2::uuid AND tenant_id = $1::uuid
  UNION ALL
  SELECT n.id FROM materialnodes n JOIN subtree s ON n.parent_materialnode_id = s.id WHERE n.tenant_id = $1::uuid
), nodes AS MATERIALIZED (
  SELECT ARRAY(SELECT id FROM subtree) AS ids
), terms AS (
  SELECT u.l AS lexeme, quote_literal(u.l)::tsquery AS tq FROM unnest($3::text[]) u(l)
), q AS (
  SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery AS any FROM terms
), cand AS MATERIALIZED (
  SELECT c.id, c.fts, length(c.fts) AS len
  FROM material_chunks c, q, nodes
  WHERE c.tenant_id = $1::uuid
    AND c.materialnode_id = ANY (nodes.ids)
    AND c.fts @@ q.any
  LIMIT $5
), tf AS (
  SELECT cand.id, cand.len, terms.lexeme, ts_rank_cd(cand.fts, terms.tq, 0) * 10 AS tf
  FROM cand, terms WHERE cand.fts @@ terms.tq
), stats AS (
  SELECT (SELECT count(*) FROM material_chunks c, nodes WHERE c.tenant_id = $1::uuid AND c.materialnode_id = ANY (nodes.ids)) AS n,
         (SELECT greatest(avg(len), 1) FROM cand) AS avglen
), idf AS (
  SELECT tf.lexeme, ln(1 + (stats.n - count(*) + 0.5) / (count(*) + 0.5)) AS idf FROM tf, stats GROUP BY tf.lexeme, stats.n
), bm25 AS (
  SELECT tf.id, sum(idf.idf * tf.tf * ($6::float8 + 1) / (tf.tf + $6::float8 * (1 - $7::float8 + $7::float8 * tf.len / stats.avglen))) AS score
  FROM tf JOIN idf USING (lexeme), stats GROUP BY tf.id
), phrases AS (
  SELECT (quote_literal(u.a) || ' <' || u.d || '> ' || quote_literal(u.b))::tsquery AS tq, coalesce(ia.idf, 0) + coalesce(ib.idf, 0) AS idf
  FROM unnest($8::text[], $9::text[], $10::int[]) u(a, b, d)
  LEFT JOIN idf ia ON ia.lexeme = u.a LEFT JOIN idf ib ON ib.lexeme = u.b
), phrase_hits AS (
  SELECT cand.id, sum(p.idf) AS idf FROM cand, phrases p WHERE cand.fts @@ p.tq GROUP BY cand.id
), boosted AS (
  SELECT b.id, b.score + $11::float8 * coalesce(ph.idf, 0) AS score
  FROM bm25 b LEFT JOIN phrase_hits ph ON ph.id = b.id
)
SELECT m.id::text AS chunk_id, m.material_id::text AS material_id, m.materialnode_id::text AS materialnode_id,
       m.text, m.kind, m.metadata, boosted.score AS rank
FROM boosted JOIN material_chunks m ON m.id = boosted.id
ORDER BY boosted.score DESC, m.id
LIMIT $4
