-- Full-text search, BM25-ranked. $1 tenant, $2 root node, $3 lexemes (text[], at most MAX_QUERY_TERMS, from
-- fulltext-terms.sql), $4 limit, $5 candidate cap, $6 k1, $7 b, $8, $9, $10 phrases (first
-- lexemes, second lexemes, their distance in the query: 'a' <d> 'b'), $11 phrase weight, $12 heading weight.
-- Candidates: chunks of the subtree holding any of the terms (GIN index on fts), at most $5. For each candidate
-- and term: tf = ts_rank_cd of the one-term query × 10 (each occurrence is a cover of weight 0.1, the default for
-- unlabelled lexemes); document length |D| = its number of distinct lexemes (length(fts): read from the tsvector's
-- header; counting every position instead costs an unnest per candidate, ~100 ms at 5,000, and measured no better
-- on the tutorial), avglen its mean over the candidates. df counts the candidates holding the term, N the
-- chunks of the subtree: score = Σ idf · tf·(k1+1) / (tf + k1·(1 − b + b·|D|/avglen)), idf =
-- ln(1 + (N − df + 0.5) / (df + 0.5)) (BM25 as Lucene computes it). Each query phrase (two query terms at most 2
-- apart) found as a phrase in the chunk is one more BM25 term of weight $11, with its own df (the candidates
-- holding the phrase) and tf 1: a phrase that most chunks contain ('po file') adds almost nothing, a rare one a
-- lot, and it saturates and is length-normalised like a word. The chunk's heading path (heading_fts) is a second
-- field, BM25F-style: a term in it adds $12 occurrences to tf (and the chunk to the term's df). Candidates are
-- still chosen by the text alone. Scores are rounded to 1e-9: a float sum depends on the order its terms come in
-- (the row order, which an UPDATE changes), and the same evidence must tie. Ties: earlier chunk of its material
-- first, then id.
-- Execution shape (the planner estimates one row for every CTE here, so it nests loops over them): each tsquery
-- is built once (terms, q, phrases, pq MATERIALIZED; an inlined CTE is re-evaluated for every row it is joined to),
-- a candidate is tested against the phrases only if it matches their OR (pq), every idf (a numeric ln) is computed
-- once per term into an array (w) rather than per joined row, one aggregate scores every candidate, and only the
-- top $4 are read back from material_chunks, in the tenant's partition.
WITH RECURSIVE subtree AS (
  SELECT id FROM materialnodes WHERE id = $2::uuid AND tenant_id = $1::uuid
  UNION ALL
  SELECT n.id FROM materialnodes n JOIN subtree s ON n.parent_materialnode_id = s.id WHERE n.tenant_id = $1::uuid
), nodes AS MATERIALIZED (
  SELECT ARRAY(SELECT id FROM subtree) AS ids
), terms AS MATERIALIZED (
  SELECT u.i, u.l AS lexeme, quote_literal(u.l)::tsquery AS tq FROM unnest($3::text[]) WITH ORDINALITY u(l, i)
), q AS MATERIALIZED (
  SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery AS any FROM terms
), cand AS MATERIALIZED (
  SELECT c.id, c.ordinal, c.fts, c.heading_fts, length(c.fts)::float8 AS len
  FROM material_chunks c, q, nodes
  WHERE c.tenant_id = $1::uuid
    AND c.materialnode_id = ANY (nodes.ids)
    AND c.fts @@ q.any
  LIMIT $5
), phrases AS MATERIALIZED (
  SELECT u.i, (quote_literal(u.a) || ' <' || u.d || '> ' || quote_literal(u.b))::tsquery AS tq
  FROM unnest($8::text[], $9::text[], $10::int[]) WITH ORDINALITY u(a, b, d, i)
), pq AS MATERIALIZED (
  SELECT string_agg('(' || tq::text || ')', ' | ')::tsquery AS any FROM phrases
), hits AS MATERIALIZED (
  SELECT cand.id, cand.ordinal, cand.len, 0 AS kind, t.i,
         (ts_rank_cd(cand.fts, t.tq, 0) + $12::float8 * ts_rank_cd(coalesce(cand.heading_fts, ''), t.tq, 0)) * 10 AS tf
  FROM cand, terms t WHERE cand.fts @@ t.tq OR cand.heading_fts @@ t.tq
  UNION ALL
  SELECT c.id, c.ordinal, c.len, 1, p.i, 1
  FROM (SELECT cand.* FROM cand, pq WHERE cand.fts @@ pq.any OFFSET 0) c, phrases p WHERE c.fts @@ p.tq
), stats AS MATERIALIZED (
  SELECT (SELECT count(*) FROM material_chunks c, nodes WHERE c.tenant_id = $1::uuid AND c.materialnode_id = ANY (nodes.ids)) AS n,
         (SELECT greatest(avg(len), 1) FROM cand) AS avglen
), df AS (
  SELECT h.kind, h.i, ln(1 + (stats.n - count(*) + 0.5) / (count(*) + 0.5)) AS idf FROM hits h, stats GROUP BY h.kind, h.i, stats.n
), w AS MATERIALIZED (
  SELECT array_agg(idf ORDER BY i) FILTER (WHERE kind = 0) AS t, array_agg(idf ORDER BY i) FILTER (WHERE kind = 1) AS p,
         array_agg(i ORDER BY i) FILTER (WHERE kind = 0) AS ti, array_agg(i ORDER BY i) FILTER (WHERE kind = 1) AS pi FROM df
), scored AS (
  SELECT h.id, h.ordinal,
         sum(w.t[array_position(w.ti, h.i)] * h.tf * ($6::float8 + 1) / (h.tf + $6::float8 * (1 - $7::float8 + $7::float8 * h.len / stats.avglen))) FILTER (WHERE h.kind = 0) AS score,
         sum(w.p[array_position(w.pi, h.i)] * ($6::float8 + 1) / (1 + $6::float8 * (1 - $7::float8 + $7::float8 * h.len / stats.avglen))) FILTER (WHERE h.kind = 1) AS pscore
  FROM hits h, w, stats GROUP BY h.id, h.ordinal
), top AS MATERIALIZED (
  SELECT s.id, s.ordinal, round((s.score + $11::float8 * coalesce(s.pscore, 0))::numeric, 9)::float8 AS score FROM scored s
  ORDER BY 3 DESC, s.ordinal, s.id
  LIMIT $4
)
SELECT m.id::text AS chunk_id, m.material_id::text AS material_id, m.materialnode_id::text AS materialnode_id,
       m.text, m.kind, m.metadata, top.score AS rank
FROM top JOIN material_chunks m ON m.id = top.id AND m.tenant_id = $1::uuid
ORDER BY top.score DESC, top.ordinal, top.id
