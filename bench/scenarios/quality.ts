// quality: search quality on real manuals (test/support/search-quality.ts), each loaded one chapter per lesson:
// the Python 3.11 tutorial (16 chapters, bench/quality/questions.json — the embedder and the fusion parameters
// were measured on it) and the held-out GNU gettext manual (17 chapters, Texinfo, questions-gettext.json —
// written before any run on it, nothing tuned on it). Prints hit@1, hit@5, MRR@10 and p50/p99 latency for
// semantic, full text alone, hybrid and the BM25 library baseline (wink-bm25-text-search) of both side by side,
// a line per target (met/missed) for each, and the sweep of the fusion parameters on the tutorial (the table the
// defaults come from).
// The embedder comes from the configuration (EMBEDDING_* variables, as the API builds it), so the scenario can
// be re-run with another one; the bench database's embedding column must have its dimensions.
import { loadConfig } from '../../shared/src/config/index.js';
import { createLogger } from '../../shared/src/logger/index.js';
import { embeddingProviderFromConfig } from '../../shared/src/providers/from-config.js';
import { FUSION, type FusionParams } from '../../api/src/routes/search/search.service.js';
import { bm25Library, evaluateMode, loadQualityCourse, QUALITY_CORPORA, type ModeResult, type QualityMode } from '../../test/support/search-quality.js';
import { benchTenant, dropTenants, scenarioEnv, type Scenario } from '../lib/context.js';
import { summarize } from '../lib/measure.js';
import { row } from '../lib/report.js';

const MODES: QualityMode[] = ['semantic', 'fulltext', 'hybrid', 'bm25-library'];
const METRICS = ['hitAt1', 'hitAt5', 'mrrAt10'] as const;

export const quality: Scenario = {
  name: 'quality',
  summary: 'real manuals (Python tutorial; held-out GNU gettext manual) + written questions: hit@1/hit@5/MRR@10 per search mode vs a BM25 library',
  async run(ctx) {
    const config = loadConfig(scenarioEnv(ctx, 'quality'));
    const embedder = embeddingProviderFromConfig(config, ctx.prisma, createLogger({ level: 'silent' }));
    const { tenantId } = await benchTenant(ctx.prisma, 'quality');
    const fmt = (x: number) => x.toFixed(3);
    try {
      const runs: { name: string; chunks: number; questions: number; results: Record<QualityMode, ModeResult> }[] = [];
      const sweep: { params: FusionParams; hitAt1: number; hitAt5: number; mrrAt10: number }[] = [];
      for (const corpus of QUALITY_CORPORA) {
        const course = await loadQualityCourse(ctx.prisma, tenantId, embedder, corpus);
        ctx.log(`  ${corpus.name}: ${course.chunks.length} chunks, ${corpus.questions.length} questions, embedder ${embedder.name}/${embedder.model}`);
        const library = bm25Library(course);
        const deps = { prisma: ctx.prisma, embedder, efSearch: config.SEARCH_EF_SEARCH };
        for (const q of corpus.questions.slice(0, 5)) await evaluateMode(deps, tenantId, course, 'hybrid', [q], library); // warm-up
        const results = Object.fromEntries(await sequential(MODES, async (m) => [m, await evaluateMode(deps, tenantId, course, m, corpus.questions, library)] as const)) as Record<QualityMode, ModeResult>;
        runs.push({ name: corpus.name, chunks: course.chunks.length, questions: corpus.questions.length, results });
        if (corpus.name === 'tutorial') {
          // The fusion sweep (RRF k, list depth, full-text weight), on the tutorial only: the held-out manual
          // is never used to choose a parameter.
          for (const k of [2, 5, 20, 60])
            for (const depth of [20, 40, 80])
              for (const fulltextWeight of [1, 2, 3, 5]) {
                const params = { k, depth, semanticWeight: 1, fulltextWeight };
                const r = await evaluateMode({ ...deps, fusion: params }, tenantId, course, 'hybrid', corpus.questions, library);
                sweep.push({ params, hitAt1: r.hitAt1, hitAt5: r.hitAt5, mrrAt10: r.mrrAt10 });
              }
        }
      }
      ctx.log(`  ${''.padEnd(13)} ${runs.map((r) => `${r.name} (${r.chunks} chunks, ${r.questions} q)`.padEnd(45)).join(' ')}`);
      ctx.log(`  ${'mode'.padEnd(13)} ${runs.map(() => 'hit@1  hit@5  MRR@10  p50 ms  p99 ms'.padEnd(45)).join(' ')}`);
      for (const m of MODES) {
        const cells = runs.map((run) => {
          const r = run.results[m];
          const s = summarize(r.latencies);
          return `${fmt(r.hitAt1)}  ${fmt(r.hitAt5)}  ${fmt(r.mrrAt10)}  ${s.p50.toFixed(1).padStart(6)}  ${s.p99.toFixed(1).padStart(6)}`.padEnd(45);
        });
        ctx.log(`  ${m.padEnd(13)} ${cells.join(' ')}`);
      }
      const targets = (r: Record<QualityMode, ModeResult>): [string, boolean][] => [
        ['hybrid hit@1 ≥ 0.80', r.hybrid.hitAt1 >= 0.8],
        ['hybrid hit@5 ≥ 0.95', r.hybrid.hitAt5 >= 0.95],
        ...METRICS.map((n): [string, boolean] => [`hybrid ${n} ≥ semantic, full text and the BM25 library`, r.hybrid[n] >= Math.max(r.semantic[n], r.fulltext[n], r['bm25-library'][n])]),
        ['semantic hit@5 ≥ 0.90', r.semantic.hitAt5 >= 0.9],
      ];
      for (const run of runs) for (const [name, ok] of targets(run.results)) ctx.log(`  ${run.name}: ${name}: ${ok ? 'met' : 'MISSED'}`);
      ctx.log('  fusion sweep on the tutorial (k depth w_fulltext: hit@1 hit@5 MRR@10):');
      for (const s of sweep) ctx.log(`    ${s.params.k} ${s.params.depth} ${s.params.fulltextWeight}: ${fmt(s.hitAt1)} ${fmt(s.hitAt5)} ${fmt(s.mrrAt10)}`);
      const rows = runs.flatMap(({ name: corpus, results }) => {
        const metric = (m: QualityMode, n: (typeof METRICS)[number]) => results[m][n];
        const out = METRICS.flatMap((name) => [
          row({ scenario: 'quality', metric: `${corpus} hybrid ${name}`, ours: metric('hybrid', name), baseline: metric('bm25-library', name), unit: '', target: name === 'hitAt1' ? '≥ 0.80, ≥ baseline' : name === 'hitAt5' ? '≥ 0.95, ≥ baseline' : '≥ baseline', check: (x) => (x.ours ?? 0) >= (x.baseline ?? 1) && (x.ours ?? 0) >= (name === 'hitAt1' ? 0.8 : name === 'hitAt5' ? 0.95 : 0), note: 'baseline: wink-bm25-text-search' }),
          row({ scenario: 'quality', metric: `${corpus} fulltext ${name}`, ours: metric('fulltext', name), baseline: metric('bm25-library', name), unit: '', target: '' }),
          row({ scenario: 'quality', metric: `${corpus} semantic ${name}`, ours: metric('semantic', name), baseline: metric('bm25-library', name), unit: '', target: name === 'hitAt5' ? '≥ 0.90' : '', ...(name === 'hitAt5' ? { check: (x: { ours: number | null }) => (x.ours ?? 0) >= 0.9 } : {}) }),
        ]);
        for (const m of ['semantic', 'fulltext', 'hybrid'] as const) {
          const s = summarize(results[m].latencies);
          out.push(row({ scenario: 'quality', metric: `${corpus} ${m} p50 / p99`, ours: s.p50, baseline: s.p99, unit: 'ms', target: '', ratio: null, note: 'baseline column holds p99' }));
        }
        return out;
      });
      return {
        details: {
          embedder: `${embedder.name}/${embedder.model}`,
          fusion: FUSION,
          corpora: Object.fromEntries(
            runs.map((run) => [
              run.name,
              {
                chunks: run.chunks,
                questions: run.questions,
                modes: Object.fromEntries(MODES.map((m) => [m, { hitAt1: run.results[m].hitAt1, hitAt5: run.results[m].hitAt5, mrrAt10: run.results[m].mrrAt10, latencyMs: summarize(run.results[m].latencies), ranks: run.results[m].ranks }])),
              },
            ]),
          ),
          sweep,
        },
        rows,
      };
    } finally {
      await dropTenants(ctx.prisma, [tenantId]);
    }
  },
};

async function sequential<T, R>(xs: readonly T[], f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const x of xs) out.push(await f(x));
  return out;
}
