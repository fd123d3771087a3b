// Full-text variants: negation, question words, heading evidence (BM25F), on both manuals.
import { readFileSync } from 'node:fs';
import { load, prisma, embedder, evalRanker, fuse, fmt, semanticSearch, QUALITY_CORPORA } from './qual-exp.js';
import { fulltextQueryTerms, MAX_QUERY_TERMS, FULLTEXT_CANDIDATES, BM25, type SearchHit } from '../../shared/src/db/vector/vector.repository.js';

const BASE_SQL = (await import('node:child_process')).execSync('git show cac15dd:prisma/sql/fulltext-search.sql').toString();
const NEW_SQL = readFileSync('prisma/sql/fulltext-search.sql', 'utf8');
// BM25F: the chunk's heading path as a second field: tf = tf_body + $12 · tf_heading (tf_heading counted the same
// way, ts_rank_cd × 10 on to_tsvector(cfg, heading path)), so a heading word counts like $12 body occurrences.
const HEAD_SQL = BASE_SQL
  .replace(`SELECT c.id, c.fts, length(c.fts)::float8 AS len
  FROM material_chunks c, q, nodes`, `SELECT c.id, c.fts, length(c.fts)::float8 AS len,
         to_tsvector(me.text_search_config::regconfig, coalesce((SELECT string_agg(h, ' ') FROM jsonb_array_elements_text(c.metadata->'heading_path') h), '')) AS hv
  FROM material_chunks c JOIN material_entries me ON me.id = c.material_id, q, nodes`)
  .replace(`SELECT cand.id, cand.len, terms.lexeme, ts_rank_cd(cand.fts, terms.tq, 0) * 10 AS tf
  FROM cand, terms WHERE cand.fts @@ terms.tq`, `SELECT cand.id, cand.len, terms.lexeme, ts_rank_cd(cand.fts, terms.tq, 0) * 10 + $12::float8 * ts_rank_cd(cand.hv, terms.tq, 0) * 10 AS tf
  FROM cand, terms WHERE cand.fts @@ terms.tq OR cand.hv @@ terms.tq`);
if (HEAD_SQL === BASE_SQL) throw new Error('head sql not patched');

const NEG = /^(not|no|never|nor|none|nothing|neither|nobody|nowhere|without|cannot)$/i;
/** wink-like: the (up to `upto`) words after a negator, within the clause, are blanked out (replaced by a stop word). */
function dropNegated(text: string, upto = 2): string {
  const expanded = text.replace(/\b(ca|wo|sha)n['’]t\b/gi, (_m, s: string) => ({ ca: 'can', wo: 'will', sha: 'shall' })[s.toLowerCase()] + ' not').replace(/n['’]t\b/gi, ' not');
  const toks = expanded.split(/(\s+|[,.;:!?])/);
  let left = 0;
  return toks.map((t) => {
    if (/^[,.;:!?]$/.test(t)) { left = 0; return t; }
    if (!/\S/.test(t)) return t;
    if (left > 0) { left--; return 'the'; }
    if (NEG.test(t)) left = upto;
    return t;
  }).join('');
}
import { STOPWORDS } from '../../shared/src/providers/embeddings/stopwords.js';
const WNEG = /^(never|none|not|no)$/i;
/** wink-like: the next `upto` content words after not/no/never/none (n't read as not), within the clause, are left out. */
function dropNegatedContent(text: string, upto: number): string {
  const expanded = text.replace(/\b(ca|wo|sha)n['’]t\b/gi, (_m, s: string) => ({ ca: 'can', wo: 'will', sha: 'shall' })[s.toLowerCase()] + ' not').replace(/n['’]t\b/gi, ' not');
  let left = 0;
  return expanded.replace(/[\p{L}\p{N}_']+|[,.;:!?]/gu, (t) => {
    if (/^[,.;:!?]$/.test(t)) { left = 0; return t; }
    if (WNEG.test(t)) { left = upto; return t; }
    if (left > 0 && !STOPWORDS.has(t.toLowerCase())) { left--; return ''; }
    return t;
  });
}
const QWORDS = new Set(['how', 'what', 'why', 'when', 'where', 'which', 'who', 'can', 'could', 'do', 'does', 'did', 'i', 'my', 'me', 'is', 'are', 'way', 'ways', 'want', 'need', 'possible', 'someone', 'something', 'tell', 'like']);
const dropQ = (t: string) => t.replace(/[\p{L}']+/gu, (w) => (QWORDS.has(w.toLowerCase()) ? 'the' : w));

async function ft(tenantId: string, nodeId: string, text: string, limit: number, v: { head?: number; phrase?: number; stored?: number }): Promise<SearchHit[]> {
  const terms = await fulltextQueryTerms(prisma, tenantId, nodeId, text);
  if (!terms.length) return [];
  const pairs = terms.flatMap((a, i) => terms.slice(i + 1).filter((b) => b.pos > a.pos && b.pos - a.pos <= 2).map((b) => [a, b] as const));
  const args = [tenantId, nodeId, terms.map((t) => t.lexeme), limit, FULLTEXT_CANDIDATES, BM25.k1, BM25.b, pairs.map(([a]) => a.lexeme), pairs.map(([, b]) => b.lexeme), pairs.map(([a, b]) => b.pos - a.pos), v.phrase ?? BM25.phraseBoost];
  void MAX_QUERY_TERMS;
  return v.stored ? prisma.$queryRawUnsafe(NEW_SQL, ...args, v.stored) : v.head ? prisma.$queryRawUnsafe(HEAD_SQL, ...args, v.head) : prisma.$queryRawUnsafe(BASE_SQL, ...args);
}

const { tenantId, courses } = await load();
const variants: [string, (q: string) => string, { head?: number; stored?: number }][] = (process.env.V ?? 'base,neg1,neg2,qw,head0.5,head1,head2,head3').split(',').map((name) => {
  const hm = /head([\d.]+)/.exec(name);
  const head = hm ? Number(hm[1]) : undefined;
  const sm = /stored([\d.]+)/.exec(name);
  const stored = sm ? Number(sm[1]) : undefined;
  const fs: ((q: string) => string)[] = [];
  if (/(^|\+)neg1/.test(name)) fs.push((q) => dropNegated(q, 1));
  if (/(^|\+)neg2/.test(name)) fs.push((q) => dropNegated(q, 2));
  if (name.includes('qw')) fs.push(dropQ);
  if (name.includes('wneg1')) fs.push((q) => dropNegatedContent(q, 1));
  if (name.includes('wneg2')) fs.push((q) => dropNegatedContent(q, 2));
  const pre = (q: string) => fs.reduce((t, f) => f(t), q);
  return [name, pre, { head, stored }];
});
for (const c of QUALITY_CORPORA) {
  if (process.env.ONLY && process.env.ONLY !== c.name) continue;
  const course = courses[c.name]!;
  const vecs = new Map<string, SearchHit[]>();
  for (const { q } of c.questions) vecs.set(q, await semanticSearch(prisma, tenantId, course.courseId, (await embedder.embed([q], { tenantId, action: 'search' }))[0]!, 40, { efSearch: 100 }));
  for (const [name, pre, v] of variants) {
    const ftr = await evalRanker(course, c.questions, async (q) => (await ft(tenantId, course.courseId, pre(q), 10, v)).map((h) => h.material_id));
    const hyb = await evalRanker(course, c.questions, async (q) => fuse(vecs.get(q)!, await ft(tenantId, course.courseId, pre(q), 40, v)).map((h) => h.material_id));
    console.log(c.name.padEnd(9), name.padEnd(8), 'ft', fmt(ftr), ' hyb', fmt(hyb), process.env.RANKS ? JSON.stringify(hyb.ranks) : '');
  }
}
await prisma.$disconnect();
