// quality: search quality on a real manual (test/support/search-quality.ts): the Python 3.11 tutorial, 16
// chapters one per lesson, and the questions of bench/quality/questions.json (written before any tuning).
// Prints hit@1, hit@5, MRR@10 and p50/p99 latency for semantic, full text alone, hybrid and the BM25 library
// baseline (wink-bm25-text-search), then a sweep of the fusion parameters (the table the defaults came from).
// The embedder comes from the configuration (EMBEDDING_* variables, as the API builds it), so the scenario can
// be re-run with another one; the bench database's embedding column must have its dimensions.
import { loadConfig } from '../../shared/src/config/index.js';
import { createLogger } from '../../shared/src/logger/index.js';
import { embeddingProviderFromConfig } from '../../shared/src/providers/from-config.js';
import { FUSION, type FusionParams } from '../../api/src/routes/search/search.service.js';
import { bm25Library, evaluateMode, loadQualityCourse, QUALITY_QUESTIONS, type QualityMode } from '../../test/support/search-quality.js';
import { benchTenant, dropTenants, scenarioEnv, type Scenario } from '../lib/context.js';
import { summarize } from '../lib/measure.js';
import { row } from '../lib/report.js';

const MODES: QualityMode[] = ['semantic', 'fulltext', 'hybrid', 'bm25-library'];

export const quality: Scenario = {
  name: 'quality',
  summary: 'real manual (Python tutorial, 16 chapters) + written questions: hit@1/hit@5/MRR@10 per search mode vs a BM25 library',
  async run(ctx) {
    const config = loadConfig(scenarioEnv(ctx, 'quality'));
    const embedder = embeddingProviderFromConfig(config, ctx.prisma, createLogger({ level: 'silent' }));
    const { tenantId } = await benchTenant(ctx.prisma, 'quality');
    try {
      const course = await loadQualityCourse(ctx.prisma, tenantId, embedder);
      ctx.log(`  ${course.chunks.length} chunks, ${QUALITY_QUESTIONS.length} questions, embedder ${embedder.name}/${embedder.model}`);
      const library = bm25Library(course);
      const deps = { prisma: ctx.prisma, embedder, efSearch: config.SEARCH_EF_SEARCH };
      for (const q of QUALITY_QUESTIONS.slice(0, 5)) await evaluateMode(deps, tenantId, course, 'hybrid', [q], library); // warm-up
      const results = Object.fromEntries(await sequential(MODES, async (m) => [m, await evaluateMode(deps, tenantId, course, m, QUALITY_QUESTIONS, library)] as const));
      const fmt = (x: number) => x.toFixed(3);
      ctx.log('  mode          hit@1  hit@5  MRR@10  p50 ms  p99 ms');
      for (const m of MODES) {
        const r = results[m] as Awaited<ReturnType<typeof evaluateMode>>;
        const s = summarize(r.latencies);
        ctx.log(`  ${m.padEnd(13)} ${fmt(r.hitAt1)}  ${fmt(r.hitAt5)}  ${fmt(r.mrrAt10)}  ${s.p50.toFixed(1).padStart(6)}  ${s.p99.toFixed(1).padStart(6)}`);
      }
      // The fusion sweep: RRF k, list depth and the full-text weight.
      const sweep: { params: FusionParams; hitAt1: number; hitAt5: number; mrrAt10: number }[] = [];
      for (const k of [2, 5, 20, 60])
        for (const depth of [20, 40, 80])
          for (const fulltextWeight of [1, 2, 3, 5]) {
            const params = { k, depth, semanticWeight: 1, fulltextWeight };
            const r = await evaluateMode({ ...deps, fusion: params }, tenantId, course, 'hybrid', QUALITY_QUESTIONS, library);
            sweep.push({ params, hitAt1: r.hitAt1, hitAt5: r.hitAt5, mrrAt10: r.mrrAt10 });
          }
      ctx.log('  fusion sweep (k depth w_fulltext: hit@1 hit@5 MRR@10):');
      for (const s of sweep) ctx.log(`    ${s.params.k} ${s.params.depth} ${s.params.fulltextWeight}: ${fmt(s.hitAt1)} ${fmt(s.hitAt5)} ${fmt(s.mrrAt10)}`);
      const get = (m: QualityMode) => results[m] as Awaited<ReturnType<typeof evaluateMode>>;
      const metric = (m: QualityMode, name: 'hitAt1' | 'hitAt5' | 'mrrAt10') => get(m)[name];
      const rows = (['hitAt1', 'hitAt5', 'mrrAt10'] as const).flatMap((name) => [
        row({ scenario: 'quality', metric: `hybrid ${name}`, ours: metric('hybrid', name), baseline: metric('bm25-library', name), unit: '', target: name === 'hitAt1' ? '≥ 0.80, ≥ baseline' : name === 'hitAt5' ? '≥ 0.95, ≥ baseline' : '≥ baseline', check: (x) => (x.ours ?? 0) >= (x.baseline ?? 1) && (x.ours ?? 0) >= (name === 'hitAt1' ? 0.8 : name === 'hitAt5' ? 0.95 : 0), note: 'baseline: wink-bm25-text-search' }),
        row({ scenario: 'quality', metric: `fulltext ${name}`, ours: metric('fulltext', name), baseline: metric('bm25-library', name), unit: '', target: '' }),
        row({ scenario: 'quality', metric: `semantic ${name}`, ours: metric('semantic', name), baseline: metric('bm25-library', name), unit: '', target: name === 'hitAt5' ? '≥ 0.90' : '', ...(name === 'hitAt5' ? { check: (x: { ours: number | null }) => (x.ours ?? 0) >= 0.9 } : {}) }),
      ]);
      for (const m of ['semantic', 'fulltext', 'hybrid'] as const) {
        const s = summarize(get(m).latencies);
        rows.push(row({ scenario: 'quality', metric: `${m} p50 / p99`, ours: s.p50, baseline: s.p99, unit: 'ms', target: '', ratio: null, note: 'baseline column holds p99' }));
      }
      return {
        details: {
          chunks: course.chunks.length,
          questions: QUALITY_QUESTIONS.length,
          embedder: `${embedder.name}/${embedder.model}`,
          fusion: FUSION,
          modes: Object.fromEntries(MODES.map((m) => [m, { hitAt1: get(m).hitAt1, hitAt5: get(m).hitAt5, mrrAt10: get(m).mrrAt10, latencyMs: summarize(get(m).latencies), ranks: get(m).ranks }])),
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
