// Scratch experiment (vsearch helper): load once, then time raw SQL variants against the exact filtered scan.
//   node --import tsx bench/scratch/vsearch-exp.ts load <prose|synthetic> <total>
//   node --import tsx bench/scratch/vsearch-exp.ts run <variant> [...]
import { writeFileSync, readFileSync } from 'node:fs';
import pg from 'pg';
import pgvector from 'pgvector';
import { createPrisma } from '../../shared/src/db/client.js';
import { LocalEmbeddingProvider } from '../../shared/src/providers/embeddings/index.js';
import { benchEnv, createBenchDatabase } from '../lib/env.js';
import { rng } from '../lib/corpus.js';
import { summarize } from '../lib/measure.js';
import { load } from '../scenarios/search.js';
import { proseCorpus, proseWindow } from '../lib/prose.js';

const [cmd, ...args] = process.argv.slice(2);
const env = benchEnv();
const STATE = '/tmp/vsearch-exp-state.json';

const SUB = `WITH RECURSIVE subtree AS (
  SELECT id FROM materialnodes WHERE id = $2::uuid AND tenant_id = $1::uuid
  UNION ALL
  SELECT n.id FROM materialnodes n JOIN subtree s ON n.parent_materialnode_id = s.id WHERE n.tenant_id = $1::uuid
)`;
const Q = (table: string, distExpr: string) => `${SUB}
SELECT c.id::text AS id, (${distExpr}) AS distance
FROM ${table} c
WHERE c.tenant_id = $1::uuid AND c.materialnode_id = ANY (ARRAY(SELECT id FROM subtree)) AND c.embedding IS NOT NULL
ORDER BY ${distExpr} LIMIT $4`;
const VEC = Q('material_chunks', 'c.embedding <=> $3::vector');
const HALF = Q('material_chunks', 'c.embedding::halfvec(384) <=> $3::halfvec(384)');

interface Variant { sets: string[]; sql: string; k?: number }
const V: Record<string, Variant> = {
  exact: { sets: ['SET LOCAL enable_indexscan = off', 'SET LOCAL enable_bitmapscan = off'], sql: VEC },
  exactBitmap: { sets: ['SET LOCAL enable_indexscan = off'], sql: VEC },
  planner: { sets: ['SET LOCAL hnsw.ef_search = 100', 'SET LOCAL hnsw.iterative_scan = relaxed_order'], sql: VEC },
  forced40: { sets: ['SET LOCAL hnsw.ef_search = 40', 'SET LOCAL hnsw.iterative_scan = relaxed_order', 'SET LOCAL enable_sort = off'], sql: VEC },
  forced100: { sets: ['SET LOCAL hnsw.ef_search = 100', 'SET LOCAL hnsw.iterative_scan = relaxed_order', 'SET LOCAL enable_sort = off'], sql: VEC },
  forced200: { sets: ['SET LOCAL hnsw.ef_search = 200', 'SET LOCAL hnsw.iterative_scan = relaxed_order', 'SET LOCAL enable_sort = off'], sql: VEC },
  forced400: { sets: ['SET LOCAL hnsw.ef_search = 400', 'SET LOCAL hnsw.iterative_scan = relaxed_order', 'SET LOCAL enable_sort = off'], sql: VEC },
  strict100: { sets: ['SET LOCAL hnsw.ef_search = 100', 'SET LOCAL hnsw.iterative_scan = strict_order', 'SET LOCAL enable_sort = off'], sql: VEC },
  strict200: { sets: ['SET LOCAL hnsw.ef_search = 200', 'SET LOCAL hnsw.iterative_scan = strict_order', 'SET LOCAL enable_sort = off'], sql: VEC },
  relaxedMax50k: { sets: ['SET LOCAL hnsw.ef_search = 100', 'SET LOCAL hnsw.iterative_scan = relaxed_order', 'SET LOCAL hnsw.max_scan_tuples = 50000', 'SET LOCAL enable_sort = off'], sql: VEC },
  half40: { sets: ['SET LOCAL hnsw.ef_search = 40', 'SET LOCAL hnsw.iterative_scan = relaxed_order', 'SET LOCAL enable_sort = off'], sql: HALF },
  half100: { sets: ['SET LOCAL hnsw.ef_search = 100', 'SET LOCAL hnsw.iterative_scan = relaxed_order', 'SET LOCAL enable_sort = off'], sql: HALF },
  half200: { sets: ['SET LOCAL hnsw.ef_search = 200', 'SET LOCAL hnsw.iterative_scan = relaxed_order', 'SET LOCAL enable_sort = off'], sql: HALF },
  halfPlanner: { sets: ['SET LOCAL hnsw.ef_search = 100', 'SET LOCAL hnsw.iterative_scan = relaxed_order'], sql: HALF },
  halfExact: { sets: ['SET LOCAL enable_indexscan = off'], sql: HALF },
  part100: { sets: ['SET LOCAL hnsw.ef_search = 100', 'SET LOCAL hnsw.iterative_scan = relaxed_order', 'SET LOCAL enable_sort = off'], sql: Q('chunks_part', 'c.embedding <=> $3::vector') },
  part40: { sets: ['SET LOCAL hnsw.ef_search = 40', 'SET LOCAL hnsw.iterative_scan = relaxed_order', 'SET LOCAL enable_sort = off'], sql: Q('chunks_part', 'c.embedding <=> $3::vector') },
  partPlanner: { sets: ['SET LOCAL hnsw.ef_search = 100', 'SET LOCAL hnsw.iterative_scan = relaxed_order'], sql: Q('chunks_part', 'c.embedding <=> $3::vector') },
  mainExact: { sets: ['SET LOCAL enable_indexscan = off'], sql: Q('chunks_main', 'c.embedding <=> $3::vector') },
  mainHalfExact: { sets: ['SET LOCAL enable_indexscan = off'], sql: Q('chunks_main', 'c.embedding::halfvec(384) <=> $3::halfvec(384)') },
  part200: { sets: ['SET LOCAL hnsw.ef_search = 200', 'SET LOCAL hnsw.iterative_scan = relaxed_order', 'SET LOCAL enable_sort = off'], sql: Q('chunks_part', 'c.embedding <=> $3::vector') },
  partExact: { sets: ['SET LOCAL enable_indexscan = off'], sql: Q('chunks_part', 'c.embedding <=> $3::vector') },
};

if (cmd === 'load') {
  const kind = args[0] as 'prose' | 'synthetic';
  const total = Number(args[1]);
  await createBenchDatabase(env);
  const prisma = createPrisma(env.databaseUrl, { poolMax: 4 });
  const embedder = new LocalEmbeddingProvider({ dimensions: 384, model: 'local-wordvec-v1' });
  await embedder.ready();
  const log = (s: string) => console.log(s);
  const t = performance.now();
  const { trees, perLesson, timings } = await load({ env, quick: false, large: false, prisma, log }, total, embedder, kind);
  console.log('loaded', (performance.now() - t) / 1000, timings);
  const corpus = proseCorpus();
  const r = rng(99);
  const qs = Array.from({ length: 300 }, (_, i) => {
    const tree = trees[i % trees.length]!;
    const mod = tree.modules[Math.floor(r() * tree.modules.length)]!;
    const lesson = mod.lessons[Math.floor(r() * mod.lessons.length)]!;
    const j = lesson.seed * perLesson + Math.floor(r() * perLesson);
    const text = proseWindow(corpus, j, Math.floor(r() * 48), 12);
    return { tenantId: tree.tenantId, nodeId: i % 2 === 0 ? tree.courseId : mod.id, scope: i % 2 === 0 ? 'course' : 'module', text, v: pgvector.toSql(embedder.embedSync([text]).vectors[0]) };
  });
  writeFileSync(STATE, JSON.stringify({ kind, total, qs }));
  await prisma.$disconnect();
} else if (cmd === 'sql') {
  const c = new pg.Client({ connectionString: env.databaseUrl });
  await c.connect();
  const t = performance.now();
  await c.query('SET maintenance_work_mem = \'1GB\'');
  await c.query(args.join(' '));
  console.log('sql', ((performance.now() - t) / 1000).toFixed(1), 's');
  await c.end();
} else if (cmd === 'run') {
  const { qs } = JSON.parse(readFileSync(STATE, 'utf8')) as { qs: { tenantId: string; nodeId: string; scope: string; v: string }[] };
  const c = new pg.Client({ connectionString: env.databaseUrl });
  await c.connect();
  const exec = async (v: Variant, q: (typeof qs)[number]) => {
    await c.query('BEGIN');
    for (const s of v.sets) await c.query(s);
    const res = await c.query<{ id: string; distance: number }>(v.sql, [q.tenantId, q.nodeId, q.v, v.k ?? 10]);
    await c.query('COMMIT');
    return res.rows;
  };
  const truth = await Promise.all([]).then(async () => {
    const out = [];
    for (const q of qs) out.push(await exec(V.exact!, q));
    return out;
  });
  const prisma = createPrisma(env.databaseUrl, { poolMax: 4 });
  const { semanticSearch } = await import('../../shared/src/db/vector/vector.repository.js');
  const prod = async (q: (typeof qs)[number], force: boolean, ef: number) =>
    (await semanticSearch(prisma, q.tenantId, q.nodeId, pgvector.fromSql(q.v) as number[], 10, { efSearch: ef, forceIndex: force })).map((h) => ({ id: h.chunk_id, distance: h.distance }));
  for (const name of args) {
    const v = V[name] ?? { sets: [], sql: 'SELECT 1' };
    const execOrProd = name.startsWith('product') ? (_: Variant, q: (typeof qs)[number]) => prod(q, name.includes('Forced'), Number(name.replace(/\D/g, '') || 100)) : exec;
    for (const q of qs.slice(0, 30)) await execOrProd(v, q);
    const times: Record<string, number[]> = { course: [], module: [], all: [] };
    let rs = 0, rc = 0, rm = 0, short = 0, ri = 0;
    for (let i = 0; i < qs.length; i++) {
      const q = qs[i]!;
      const t = performance.now();
      const got = await execOrProd(v, q);
      const ms = performance.now() - t;
      times[q.scope]!.push(ms);
      times.all!.push(ms);
      const tr = truth[i]!;
      const last = Number(tr[tr.length - 1]!.distance);
      const rec = Math.min(10, got.filter((h) => Number(h.distance) <= last + 1e-6).length) / tr.length;
      if (got.length < tr.length) short++;
      const ids = new Set(tr.map((h) => h.id));
      ri += got.filter((h) => ids.has(h.id)).length / tr.length;
      rs += rec;
      if (q.scope === 'course') rc += rec; else rm += rec;
    }
    const plan = (await c.query(`EXPLAIN ${v.sql}`.replace(/\$(\d)/g, (_, d: string) => (d === '1' ? `'${qs[0]!.tenantId}'` : d === '2' ? `'${qs[0]!.nodeId}'` : d === '3' ? `'${qs[0]!.v}'` : '10')))).rows
      .map((r: Record<string, string>) => r['QUERY PLAN'] as string).filter((l: string) => /Index Scan|Seq Scan|Bitmap Heap|^\s*(->\s*)?Sort {2}/.test(l)).map((l: string) => l.trim().replace(/\s+\(cost.*/, '')).join(' | ');
    const s = (k: string) => summarize(times[k]!);
    console.log(`${name.padEnd(14)} p50 ${s('all').p50.toFixed(2)} p99 ${s('all').p99.toFixed(1)} | course p50 ${s('course').p50.toFixed(2)} module p50 ${s('module').p50.toFixed(2)} | recall ${(rs / qs.length).toFixed(3)} course ${(rc / (qs.length / 2)).toFixed(3)} module ${(rm / (qs.length / 2)).toFixed(3)} ids ${(ri / qs.length).toFixed(3)} short ${short} | ${plan.slice(0, 160)}`);
  }
  await c.end();
}
process.exit(0);
