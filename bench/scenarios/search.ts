// search: chunks across 10 tenants (course → 10 modules → 10 lessons each; one material and an equal share of the
// chunks per lesson), local-wordvec-v1 embeddings (the default model), loaded with COPY and indexed afterwards (the
// migration's own HNSW and GIN definitions, rebuilt on every partition of the tenant-partitioned table). Two
// corpora: real documentation prose (bench/lib/prose.ts; the headline numbers) and the synthetic lesson text of
// corpus.ts (lexical near-duplicates). Half the queries are scoped to a course (a tenant, 10 % of the table), half
// to a module (1 %). Each query runs, one at a time, as:
//   exact:     exactSemanticSearch (sequential scan, same filters) — the latency baseline and the recall reference;
//   forced*:   semanticSearch with forceIndex (HNSW walked with the filters, iterative scan), ef_search 40/100/200;
//   semantic:  searchNode (the API's service: node check + semanticSearch, SEARCH_EF_SEARCH=100, the planner's
//              choice of plan) — the p50 and recall@10 targets;
//   hybrid:    searchNode hybrid (vector + BM25 full text, weighted reciprocal rank fusion);
//   hybrid400: the same with a 400-word query (a pasted paragraph): bounded by MAX_QUERY_TERMS.
// Then 16 400-word hybrid queries at once while another tenant runs short ones, and the growth curve: semantic and
// hybrid p50 on prose at 10k and 100k chunks (1M with --large: ~30 min of loading and indexing on 2 cores).
// Query vectors are computed beforehand (searchNode gets an embedder that returns them), so only search is timed.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import pgvector from 'pgvector';
import { newId } from '../../shared/src/db/ids.js';
import { exactSemanticSearch, semanticSearch } from '../../shared/src/db/vector/vector.repository.js';
import { LocalEmbeddingProvider, LOCAL_WORDVEC_MODEL, type EmbeddingProvider } from '../../shared/src/providers/embeddings/index.js';
import { searchNode } from '../../api/src/routes/search/search.service.js';
import { benchTenant, dropTenants, type BenchContext, type Scenario } from '../lib/context.js';
import { chunkText, rng, topicWords } from '../lib/corpus.js';
import { summarize } from '../lib/measure.js';
import { row } from '../lib/report.js';
import { proseChunk, proseCorpus, proseWindow } from '../lib/prose.js';

const TENANTS = 10;
const MODULES = 10;
const LESSONS = 10;
const K = 10;
const EF_SEARCH = 100; // the SEARCH_EF_SEARCH default
const CHUNK_WORDS = 60;

export interface Tree {
  tenantId: string;
  courseId: string;
  modules: { id: string; lessons: { id: string; materialId: string; seed: number }[] }[];
}

const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');

export type CorpusKind = 'synthetic' | 'prose';

/** The text of the `perLesson` chunks of a lesson (global lesson index `seed`). */
function lessonTexts(kind: CorpusKind, seed: number, perLesson: number): string[] {
  if (kind === 'prose') {
    const corpus = proseCorpus();
    return Array.from({ length: perLesson }, (_, i) => proseChunk(corpus, seed * perLesson + i, CHUNK_WORDS));
  }
  const r = rng(seed + 1);
  const topic = topicWords(seed);
  return Array.from({ length: perLesson }, () => chunkText(r, topic, CHUNK_WORDS));
}

export async function load(ctx: BenchContext, total: number, embedder: LocalEmbeddingProvider, kind: CorpusKind) {
  const perLesson = Math.max(1, Math.round(total / (TENANTS * MODULES * LESSONS)));
  const trees: Tree[] = [];
  for (let t = 0; t < TENANTS; t++) {
    const { tenantId } = await benchTenant(ctx.prisma, `search-${t}`);
    const courseId = newId();
    const tree: Tree = { tenantId, courseId, modules: [] };
    const nodes = [{ id: courseId, tenantId, parentId: null as string | null, title: `Course ${t}` }];
    const materials: { id: string; tenantId: string; nodeId: string; sourceType: 'text'; filename: string; state: 'ready'; chunkCount: number; textSearchConfig: string }[] = [];
    for (let m = 0; m < MODULES; m++) {
      const moduleId = newId();
      nodes.push({ id: moduleId, tenantId, parentId: courseId, title: `Module ${m}` });
      const lessons = [];
      for (let l = 0; l < LESSONS; l++) {
        const id = newId();
        const materialId = newId();
        nodes.push({ id, tenantId, parentId: moduleId, title: `Lesson ${l}` });
        materials.push({ id: materialId, tenantId, nodeId: id, sourceType: 'text', filename: 'lesson.md', state: 'ready', chunkCount: perLesson, textSearchConfig: kind === 'prose' ? 'english' : 'simple' });
        lessons.push({ id, materialId, seed: (t * MODULES + m) * LESSONS + l });
      }
      tree.modules.push({ id: moduleId, lessons });
    }
    // As ingestion leaves them: the chunk count, and the language's text search configuration (ingestion detects
    // English in the prose; the synthetic words are no language: 'simple').
    await ctx.prisma.materialNode.createMany({ data: nodes });
    await ctx.prisma.material.createMany({ data: materials });
    trees.push(tree);
  }

  const client = new pg.Client({ connectionString: ctx.env.databaseUrl });
  await client.connect();
  const timings: Record<string, number> = {};
  try {
    const indexes = (
      await client.query<{ name: string; def: string }>(
        `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'material_chunks' AND indexname IN ('material_chunks_embedding_hnsw_idx', 'material_chunks_fts_idx')`,
      )
    ).rows;
    for (const ix of indexes) await client.query(`DROP INDEX "${ix.name}"`);
    let t = performance.now();
    let embedSeconds = 0;
    function* lines(tree: Tree) {
      for (const mod of tree.modules) {
        for (const lesson of mod.lessons) {
          const texts = lessonTexts(kind, lesson.seed, perLesson);
          const e0 = performance.now();
          const { vectors } = embedder.embedSync(texts);
          embedSeconds += (performance.now() - e0) / 1000;
          yield texts
            .map((text, i) => {
              const sha = createHash('sha256').update(text).digest('hex');
              return `${newId()}\t${tree.tenantId}\t${lesson.materialId}\t${lesson.id}\t${i}\tparagraph\t${esc(text)}\t80\t{}\t${sha}\t${pgvector.toSql(vectors[i] as number[])}\n`;
            })
            .join('');
        }
      }
    }
    for (const tree of trees) {
      await pipeline(
        Readable.from(lines(tree)),
        client.query(copyFrom('COPY material_chunks (id, tenant_id, material_id, materialnode_id, ordinal, kind, text, token_count, metadata, content_sha256, embedding) FROM STDIN')),
      );
    }
    timings.embedAndCopySeconds = (performance.now() - t) / 1000;
    timings.embedSeconds = embedSeconds;
    await client.query(`SET maintenance_work_mem = '2GB'`);
    await client.query('SET max_parallel_maintenance_workers = 2');
    for (const ix of indexes) {
      t = performance.now();
      await client.query(ix.def.replace(' ON ONLY ', ' ON ')); // a partitioned table's index: built on every partition
      timings[`${ix.name}Seconds`] = (performance.now() - t) / 1000;
    }
    await client.query('ANALYZE material_chunks');
    await client.query('ANALYZE materialnodes');
  } finally {
    await client.end();
  }
  return { trees, perLesson, timings };
}

type Hit = { id: string; distance: number };
type Stats = ReturnType<typeof summarize>;

interface Query {
  tenantId: string;
  nodeId: string;
  scope: 'course' | 'module';
  text: string;
  long: string;
}

/** Queries in a lesson's own words: 12 words (a student's question), and 400 (a pasted paragraph). */
export function makeQueries(kind: CorpusKind, trees: Tree[], perLesson: number, n: number): Query[] {
  const r = rng(99);
  return Array.from({ length: n }, (_, i) => {
    const tree = trees[i % TENANTS] as Tree;
    const mod = tree.modules[Math.floor(r() * MODULES)] as Tree['modules'][number];
    const lesson = mod.lessons[Math.floor(r() * LESSONS)] as Tree['modules'][number]['lessons'][number];
    let text: string;
    let long: string;
    if (kind === 'prose') {
      const corpus = proseCorpus();
      const j = lesson.seed * perLesson + Math.floor(r() * perLesson);
      text = proseWindow(corpus, j, Math.floor(r() * (CHUNK_WORDS - 12)), 12, CHUNK_WORDS);
      long = proseWindow(corpus, j, 0, 400, CHUNK_WORDS);
    } else {
      text = chunkText(r, topicWords(lesson.seed), 12);
      long = chunkText(r, topicWords(lesson.seed), 400);
    }
    return { tenantId: tree.tenantId, nodeId: i % 2 === 0 ? tree.courseId : mod.id, scope: i % 2 === 0 ? 'course' : 'module', text, long };
  });
}

const hits = (xs: { chunk_id: string; distance?: number; score?: number }[]): Hit[] =>
  xs.map((h) => ({ id: h.chunk_id, distance: h.distance !== undefined ? Number(h.distance) : 1 - (h.score ?? 0) }));

/**
 * One corpus at one size: loads it, runs the variants one query at a time (each within a time budget), and —
 * when `concurrency` — 16 long hybrid queries at once while another tenant runs short ones. Drops its tenants.
 */
async function measure(ctx: BenchContext, kind: CorpusKind, total: number, opts: { variants: string[]; queries: number; budgetMs: number; concurrency: boolean }) {
  const embedder = new LocalEmbeddingProvider({ dimensions: 384, model: LOCAL_WORDVEC_MODEL });
  await embedder.ready();
  const { trees, perLesson, timings } = await load(ctx, total, embedder, kind);
  const chunks = perLesson * TENANTS * MODULES * LESSONS;
  ctx.log(`  ${kind} ${chunks} chunks loaded: ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v * 10) / 10])))}`);
  try {
    const qs = makeQueries(kind, trees, perLesson, opts.queries);
    const vectors = new Map(qs.flatMap((q) => [q.text, q.long].map((t) => [t, embedder.embedSync([t]).vectors[0] as number[]] as const)));
    const stub: EmbeddingProvider = { name: 'bench', model: 'bench', dimensions: 384, embed: async (texts) => texts.map((t) => vectors.get(t) as number[]) };
    const deps = { prisma: ctx.prisma, embedder: stub, efSearch: EF_SEARCH };
    const vec = (q: Query) => vectors.get(q.text) as number[];
    const all: Record<string, (q: Query) => Promise<Hit[]>> = {
      exact: async (q) => hits(await exactSemanticSearch(ctx.prisma, q.tenantId, q.nodeId, vec(q), K)),
      forced40: async (q) => hits(await semanticSearch(ctx.prisma, q.tenantId, q.nodeId, vec(q), K, { efSearch: 40, forceIndex: true })),
      forced: async (q) => hits(await semanticSearch(ctx.prisma, q.tenantId, q.nodeId, vec(q), K, { efSearch: EF_SEARCH, forceIndex: true })),
      forced200: async (q) => hits(await semanticSearch(ctx.prisma, q.tenantId, q.nodeId, vec(q), K, { efSearch: 200, forceIndex: true })),
      semantic: async (q) => hits(await searchNode(deps, q.tenantId, q.nodeId, { query: q.text, k: K, mode: 'semantic' })),
      hybrid: async (q) => hits(await searchNode(deps, q.tenantId, q.nodeId, { query: q.text, k: K, mode: 'hybrid' })),
      hybrid400: async (q) => hits(await searchNode(deps, q.tenantId, q.nodeId, { query: q.long, k: K, mode: 'hybrid' })),
    };
    const times: Record<string, number[]> = {};
    const ids: Record<string, Hit[][]> = {};
    const counts: Record<string, number> = {};
    for (const name of opts.variants) {
      const fn = all[name] as (q: Query) => Promise<Hit[]>;
      for (const q of qs.slice(0, Math.min(30, qs.length / 5))) await fn(q); // warm-up
      const ts: number[] = (times[name] = []);
      const got: Hit[][] = (ids[name] = []);
      const until = performance.now() + opts.budgetMs;
      for (const q of qs) {
        if (performance.now() > until) break;
        const t = performance.now();
        got.push(await fn(q));
        ts.push(performance.now() - t);
      }
      counts[name] = ts.length;
    }
    // Tie-aware (as ann-benchmarks counts): results within 1e-6 of the exact 10th distance count; strict: ids.
    const recall = (name: string, mode: 'strict' | 'ties', scope?: string) => {
      let sum = 0;
      let n = 0;
      qs.forEach((q, i) => {
        if (scope && q.scope !== scope) return;
        const truth = ids.exact?.[i] ?? [];
        const got = ids[name]?.[i];
        if (!truth.length || !got) return; // a query that ran out of budget on either side
        const found =
          mode === 'strict'
            ? got.filter((h) => truth.some((t) => t.id === h.id)).length
            : got.filter((h) => h.distance <= (truth[truth.length - 1] as Hit).distance + 1e-6).length;
        sum += Math.min(found, truth.length) / truth.length;
        n += 1;
      });
      return n ? sum / n : NaN;
    };
    const latency = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summarize(v)])) as Record<string, Stats>;
    const recallAt10: Record<string, number> = {};
    if (ids.exact) {
      for (const name of opts.variants.filter((v) => v.startsWith('forced') || v === 'semantic')) {
        recallAt10[name] = recall(name, 'ties');
        recallAt10[`${name}Strict`] = recall(name, 'strict');
        recallAt10[`${name}Course`] = recall(name, 'ties', 'course');
        recallAt10[`${name}Module`] = recall(name, 'ties', 'module');
      }
    }
    let concurrent: Record<string, Stats | number> | undefined;
    if (opts.concurrency) {
      // 16 long hybrid queries at once (tenants 0–8), three rounds; tenant 9 runs short hybrid queries one after
      // another meanwhile: how long another tenant waits.
      const longs = qs.filter((q) => q.tenantId !== trees[TENANTS - 1]?.tenantId);
      const others = qs.filter((q) => q.tenantId === trees[TENANTS - 1]?.tenantId);
      const longTimes: number[] = [];
      const otherTimes: number[] = [];
      let running = true;
      const other = (async () => {
        for (let i = 0; running; i++) {
          const q = others[i % others.length] as Query;
          const t = performance.now();
          await searchNode(deps, q.tenantId, q.nodeId, { query: q.text, k: K, mode: 'hybrid' });
          otherTimes.push(performance.now() - t);
        }
      })();
      const t0 = performance.now();
      for (let round = 0; round < 3; round++) {
        await Promise.all(
          Array.from({ length: 16 }, async (_, i) => {
            const q = longs[(round * 16 + i) % longs.length] as Query;
            const t = performance.now();
            await searchNode(deps, q.tenantId, q.nodeId, { query: q.long, k: K, mode: 'hybrid' });
            longTimes.push(performance.now() - t);
          }),
        );
      }
      const wall = performance.now() - t0;
      running = false;
      await other;
      concurrent = { long16: summarize(longTimes), otherTenantShort: summarize(otherTimes), wallSeconds: wall / 1000 };
    }
    const p = (k: string) => latency[k]?.p50.toFixed(1) ?? '—';
    ctx.log(
      `  ${kind} ${chunks}: p50/p99 ms ${Object.entries(latency).map(([k, v]) => `${k} ${v.p50.toFixed(1)}/${v.p99.toFixed(1)}`).join(', ')}` +
        (recallAt10.semantic !== undefined ? `; recall@10 semantic ${recallAt10.semantic.toFixed(3)} (course ${recallAt10.semanticCourse?.toFixed(3)}, module ${recallAt10.semanticModule?.toFixed(3)}), forced ${recallAt10.forced?.toFixed(3)}` : '') +
        (concurrent ? `; 16 long hybrid at once p50/p99 ${(concurrent.long16 as Stats).p50.toFixed(0)}/${(concurrent.long16 as Stats).p99.toFixed(0)} ms, other tenant's short hybrid meanwhile ${(concurrent.otherTenantShort as Stats).p50.toFixed(1)}/${(concurrent.otherTenantShort as Stats).p99.toFixed(1)} ms` : ''),
    );
    void p;
    return { kind, chunks, load: timings, latencyMs: latency, recallAt10, queriesRun: counts, concurrent };
  } finally {
    await dropTenants(ctx.prisma, trees.map((t) => t.tenantId));
  }
}

const FULL = ['exact', 'forced40', 'forced', 'forced200', 'semantic', 'hybrid', 'hybrid400'];
const GROWTH = ['semantic', 'hybrid'];

export const search: Scenario = {
  name: 'search',
  summary: 'chunks across 10 tenants (real prose and synthetic): semantic / hybrid p50/p99, recall@10 vs exact scan, 16 long queries at once, growth 10k/100k(/1M --large)',
  async run(ctx) {
    const big = ctx.quick ? 5_000 : 100_000;
    const queries = ctx.quick ? 60 : 400;
    const budgetMs = ctx.quick ? 8_000 : 25_000;
    const runs: Awaited<ReturnType<typeof measure>>[] = [];
    // Growth first (semantic + hybrid only), then the full set at 100k; real prose is the headline corpus.
    const growthSizes = ctx.quick ? [] : [10_000, ...(ctx.large ? [1_000_000] : [])];
    for (const size of growthSizes) runs.push(await measure(ctx, 'prose', size, { variants: GROWTH, queries: 200, budgetMs: 15_000, concurrency: false }));
    const prose = await measure(ctx, 'prose', big, { variants: FULL, queries, budgetMs, concurrency: true });
    runs.push(prose);
    const synthetic = await measure(ctx, 'synthetic', big, { variants: FULL, queries, budgetMs, concurrency: false });
    runs.push(synthetic);
    const growth = runs
      .filter((r) => r.kind === 'prose')
      .sort((a, b) => a.chunks - b.chunks)
      .map((r) => ({ chunks: r.chunks, semanticP50: r.latencyMs.semantic?.p50, hybridP50: r.latencyMs.hybrid?.p50, semanticRecall: r.recallAt10.semantic ?? null }));
    const st = (r: typeof prose, k: string) => r.latencyMs[k] as Stats;
    const c = prose.concurrent as { long16: Stats; otherTenantShort: Stats };
    const rows = [
      row({ scenario: 'search', metric: 'semantic p50 (searchNode), prose', ours: st(prose, 'semantic').p50, baseline: st(prose, 'exact').p50, unit: 'ms', target: '≤ 10 ms', check: (x) => (x.ours ?? Infinity) <= 10, note: 'baseline: exact scan' }),
      row({ scenario: 'search', metric: 'semantic p99 (searchNode), prose', ours: st(prose, 'semantic').p99, baseline: st(prose, 'exact').p99, unit: 'ms', target: '' }),
      row({ scenario: 'search', metric: 'recall@10 semantic (searchNode), prose', ours: prose.recallAt10.semantic ?? null, baseline: 1, unit: '', target: '≥ 0.95', check: (x) => (x.ours ?? 0) >= 0.95, note: `course ${prose.recallAt10.semanticCourse?.toFixed(3)}, module ${prose.recallAt10.semanticModule?.toFixed(3)}` }),
      row({ scenario: 'search', metric: 'recall@10 HNSW forced ef 100, prose', ours: prose.recallAt10.forced ?? null, baseline: 1, unit: '', target: '', note: `p50 ${st(prose, 'forced').p50.toFixed(1)} ms; ef 40 ${prose.recallAt10.forced40?.toFixed(3)}, ef 200 ${prose.recallAt10.forced200?.toFixed(3)}` }),
      row({ scenario: 'search', metric: 'hybrid p50 (searchNode), prose', ours: st(prose, 'hybrid').p50, baseline: st(prose, 'semantic').p50, unit: 'ms', target: '≤ 20 ms', check: (x) => (x.ours ?? Infinity) <= 20, note: `baseline: semantic; ${prose.queriesRun.hybrid} queries` }),
      row({ scenario: 'search', metric: 'hybrid p99 (searchNode), prose', ours: st(prose, 'hybrid').p99, baseline: st(prose, 'semantic').p99, unit: 'ms', target: '' }),
      row({ scenario: 'search', metric: 'hybrid 400-word query p50, prose', ours: st(prose, 'hybrid400').p50, baseline: st(prose, 'hybrid').p50, unit: 'ms', target: '≤ 100 ms', check: (x) => (x.ours ?? Infinity) <= 100, note: `baseline: 12-word hybrid; ${prose.queriesRun.hybrid400} queries` }),
      row({ scenario: 'search', metric: 'hybrid 400-word query p99, prose', ours: st(prose, 'hybrid400').p99, baseline: st(prose, 'hybrid').p99, unit: 'ms', target: '' }),
      row({ scenario: 'search', metric: '16 long hybrid at once: each p50 / p99', ours: c.long16.p50, baseline: c.long16.p99, unit: 'ms', target: '', ratio: null, note: 'baseline column holds p99' }),
      row({ scenario: 'search', metric: "meanwhile another tenant's short hybrid p50 / p99", ours: c.otherTenantShort.p50, baseline: c.otherTenantShort.p99, unit: 'ms', target: '', ratio: null, note: 'baseline column holds p99' }),
      row({ scenario: 'search', metric: 'semantic p50 (searchNode), synthetic', ours: st(synthetic, 'semantic').p50, baseline: st(synthetic, 'exact').p50, unit: 'ms', target: '≤ 10 ms', check: (x) => (x.ours ?? Infinity) <= 10, note: 'baseline: exact scan' }),
      row({ scenario: 'search', metric: 'recall@10 semantic (searchNode), synthetic', ours: synthetic.recallAt10.semantic ?? null, baseline: 1, unit: '', target: '≥ 0.95', check: (x) => (x.ours ?? 0) >= 0.95, note: `strict ids ${synthetic.recallAt10.semanticStrict?.toFixed(3)}; forced ef 100 ${synthetic.recallAt10.forced?.toFixed(3)}` }),
      row({ scenario: 'search', metric: 'hybrid p50 (searchNode), synthetic', ours: st(synthetic, 'hybrid').p50, baseline: st(synthetic, 'semantic').p50, unit: 'ms', target: '≤ 20 ms', check: (x) => (x.ours ?? Infinity) <= 20 }),
      row({ scenario: 'search', metric: 'hybrid 400-word query p50, synthetic', ours: st(synthetic, 'hybrid400').p50, baseline: st(synthetic, 'hybrid').p50, unit: 'ms', target: '≤ 100 ms', check: (x) => (x.ours ?? Infinity) <= 100 }),
      ...growth.map((g) =>
        row({ scenario: 'search', metric: `growth: ${g.chunks} chunks, semantic / hybrid p50`, ours: g.semanticP50 ?? null, baseline: g.hybridP50 ?? null, unit: 'ms', target: '', ratio: null, note: 'baseline column holds hybrid p50 (prose)' }),
      ),
    ];
    return {
      details: {
        tenants: TENANTS,
        k: K,
        efSearch: EF_SEARCH,
        embedder: LOCAL_WORDVEC_MODEL,
        measured:
          'exact = exactSemanticSearch (seq scan, same tenant+subtree filters); forced* = semanticSearch forceIndex (HNSW + iterative scan, ef 40/100/200); semantic/hybrid = searchNode from the API service with precomputed query vectors; ' +
          'one query at a time; half scoped to a course (a whole tenant, 10 % of the chunks), half to a module (1 %); 60-word chunks, local-wordvec-v1 384-dim; loaded by COPY, indexes rebuilt after. ' +
          'prose: real documentation (bench/lib/prose.ts: test/fixtures/real, Node.js API docs, Git manuals, Python 3.11 docs as installed), queries = 12 / 400 words of a lesson; synthetic: corpus.ts lesson text (lexical near-duplicates). ' +
          'concurrency: 16 400-word hybrid queries at once × 3 rounds (tenants 0–8) while tenant 9 runs 12-word hybrid queries back to back. Growth: prose at 10k, 100k (and 1M with --large).',
        runs,
        growth,
      },
      rows,
    };
  },
};
