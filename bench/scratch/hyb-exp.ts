// Scratch experiment (hyb helper): load one corpus once, then time full-text SQL variants on the search
// scenario's own queries and compare their ordered results with the product's statement.
//   node --import tsx bench/scratch/hyb-exp.ts load <prose|synthetic> <total>
//   node --import tsx bench/scratch/hyb-exp.ts run <kind> <short|long> <file.sql>...   (p50/p99, same-order check vs the first)
//   node --import tsx bench/scratch/hyb-exp.ts explain <kind> <short|long> <query index> <file.sql>
import { readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { createPrisma } from '../../shared/src/db/client.js';
import { LocalEmbeddingProvider, LOCAL_WORDVEC_MODEL } from '../../shared/src/providers/embeddings/index.js';
import { BM25, FULLTEXT_CANDIDATES, fulltextQueryTerms } from '../../shared/src/db/vector/vector.repository.js';
import { benchEnv, createBenchDatabase } from '../lib/env.js';
import { summarize } from '../lib/measure.js';
import { load, makeQueries, type CorpusKind } from '../scenarios/search.js';

const [cmd, ...args] = process.argv.slice(2);
const env = benchEnv();
const state = (kind: string) => `/tmp/hyb/state-${kind}.json`;
const prisma = createPrisma(env.databaseUrl, { poolMax: 4 });

type Q = { tenantId: string; nodeId: string; scope: string; text: string; long: string };

async function params(q: Q, long: boolean) {
  const text = long ? q.long : q.text;
  const terms = await fulltextQueryTerms(prisma, q.tenantId, q.nodeId, text);
  const pairs = terms.flatMap((a, i) => terms.slice(i + 1).filter((b) => b.pos > a.pos && b.pos - a.pos <= 2).map((b) => [a, b] as const));
  return [q.tenantId, q.nodeId, terms.map((t) => t.lexeme), 40, FULLTEXT_CANDIDATES, BM25.k1, BM25.b, pairs.map(([a]) => a.lexeme), pairs.map(([, b]) => b.lexeme), pairs.map(([a, b]) => b.pos - a.pos), BM25.phraseBoost];
}

if (cmd === 'load') {
  const kind = args[0] as CorpusKind;
  await createBenchDatabase(env);
  const embedder = new LocalEmbeddingProvider({ dimensions: 384, model: LOCAL_WORDVEC_MODEL });
  await embedder.ready();
  const { trees, perLesson, timings } = await load({ env, quick: false, large: false, prisma, log: console.log } as never, Number(args[1]), embedder, kind);
  console.log('loaded', timings);
  writeFileSync(state(kind), JSON.stringify({ qs: makeQueries(kind, trees, perLesson, 400) }));
} else if (cmd === 'run' || cmd === 'explain') {
  const [kind, which] = args as [string, string];
  const long = which === 'long';
  const { qs } = JSON.parse(readFileSync(state(kind), 'utf8')) as { qs: Q[] };
  const n = Number(process.env.N ?? 100);
  const ps: unknown[][] = [];
  for (const q of qs.slice(0, n)) ps.push(await params(q, long));
  if (cmd === 'explain') {
    const i = Number(args[2]);
    const sql = readFileSync(args[3] as string, 'utf8');
    const rows = await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL jit = off`);
      return tx.$queryRawUnsafe<Record<string, string>[]>(`EXPLAIN (ANALYZE, BUFFERS, VERBOSE off) ${sql}`, ...(ps[i] as unknown[]));
    });
    console.log(rows.map((r) => r['QUERY PLAN']).join('\n'));
  } else {
    // One pg connection: wall time per query, and the backend's own CPU time (utime+stime of its process, from
    // /proc: less sensitive to the machine's load than wall time).
    const files = args.slice(2);
    const results: string[][][] = [];
    const c = new pg.Client({ connectionString: env.databaseUrl });
    await c.connect();
    const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    const cpu = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
    const rounds = Number(process.env.ROUNDS ?? 1);
    const stats: Record<string, { wall: number[]; cpu: number }> = {};
    for (let r = 0; r < rounds; r++) {
      for (const f of files) {
        const sql = readFileSync(f, 'utf8');
        for (const p of ps.slice(0, 5)) await c.query(sql, p); // warm-up
        const st = (stats[f] ??= { wall: [], cpu: 0 });
        const out: string[][] = [];
        const c0 = cpu();
        for (const p of ps) {
          const t = performance.now();
          const rows = (await c.query<{ chunk_id: string; rank: number }>(sql, p)).rows;
          st.wall.push(performance.now() - t);
          out.push(rows.map((row) => `${row.chunk_id}:${Number(row.rank).toFixed(9)}`));
        }
        st.cpu += cpu() - c0;
        if (r === 0) results.push(out);
        const same = out.filter((o, i) => JSON.stringify(o) === JSON.stringify(results[0]?.[i])).length;
        if (r === rounds - 1) {
          const s = summarize(st.wall);
          console.log(`${f.padEnd(26)} wall p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} ms | backend CPU ${(st.cpu / (ps.length * rounds)).toFixed(1)} ms/query | same ordered results as first: ${same}/${out.length}`);
        }
      }
    }
    await c.end();
  }
}
await prisma.$disconnect();
process.exit(0);
