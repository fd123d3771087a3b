// read path: autocannon on an authenticated GET /api/v1/jobs/{id} (the real API, api/src/main.ts with
// API_WORKERS=2) vs a bare Express handler answering the same JSON (node:cluster, 2 processes). 64 connections,
// a warm-up, then a measured run per target, one after the other, in the same run. The key's rate limits are
// set so high that they never refuse (the limiter still runs, as in production).
import { newId } from '../../shared/src/db/ids.js';
import { enqueue } from '../../shared/src/jobs/producer.js';
import { jobs } from '../../shared/src/jobs/definitions.js';
import { completeJob, startAttempt } from '../../shared/src/jobs/job-status.js';
import { apiOk, benchTenant, dropTenants, scenarioEnv, type Scenario } from '../lib/context.js';
import { load, type LoadResult } from '../lib/measure.js';
import { answers, startApiProcess, startScript } from '../lib/procs.js';
import { row } from '../lib/report.js';

const PROCESSES = 2;
const CONNECTIONS = 64;

export const readPath: Scenario = {
  name: 'read',
  summary: 'GET /api/v1/jobs/{id} (real API, 2 processes) vs bare Express (2 processes), autocannon, 64 connections',
  async run(ctx) {
    const seconds = ctx.quick ? 2 : 10;
    const warmup = ctx.quick ? 1 : 3;
    const apiProc = await startApiProcess(scenarioEnv(ctx, 'read', { API_WORKERS: String(PROCESSES) }));
    const { tenantId, key } = await benchTenant(ctx.prisma, 'read');
    let bare: Awaited<ReturnType<typeof startScript>> | null = null;
    const results: Record<string, LoadResult> = {};
    try {
      // A queued job (what clients poll: row + completion estimate, 3 queries) and a complete one (1 query), under
      // a prefix no relay serves, so the queued one stays queued.
      const target = { prefix: `${ctx.env.prefix}-read-idle` };
      const [queued, done] = await ctx.prisma.$transaction(async (tx) => [
        await enqueue(tx, target, tenantId, jobs.ingestMaterial, { tenantId, materialId: newId() }),
        await enqueue(tx, target, tenantId, jobs.ingestMaterial, { tenantId, materialId: newId() }),
      ]);
      if (!queued || !done) throw new Error('jobs not created');
      await startAttempt(ctx.prisma, done.id, 1);
      await completeJob(ctx.prisma, done.id);
      const body = await apiOk(apiProc.url, key, 'GET', `/jobs/${queued.id}`);
      bare = await startScript('bench/servers/bare-express.ts', { BENCH_PROCESSES: String(PROCESSES), BENCH_BODY: JSON.stringify(body) }, answers('/health/live'));
      const headers = { 'X-API-Key': key };
      const targets: [string, string, Record<string, string>][] = [
        ['bare', `${bare.url}/api/v1/jobs/${queued.id}`, {}],
        ['queued', `${apiProc.url}/api/v1/jobs/${queued.id}`, headers],
        ['complete', `${apiProc.url}/api/v1/jobs/${done.id}`, headers],
      ];
      for (const [name, url, h] of targets) {
        await load({ url, headers: h, connections: CONNECTIONS, seconds: warmup });
        const r = await load({ url, headers: h, connections: CONNECTIONS, seconds });
        if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx and ${r.errors} errors under load`);
        results[name] = r;
        ctx.log(`  ${name.padEnd(8)} ${r.rps.toFixed(0)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms`);
      }
    } finally {
      await bare?.stop();
      await apiProc.stop();
      await dropTenants(ctx.prisma, [tenantId]);
    }
    const b = results.bare as LoadResult;
    const q = results.queued as LoadResult;
    const c = results.complete as LoadResult;
    return {
      details: {
        measured:
          'ours: X-API-Key auth (cached lookup), scope check, Redis rate limiter, zod validation, job row (+ completion estimate for a queued job) from Postgres, JSON; ' +
          `baseline: bare Express returning the same JSON; both ${PROCESSES} node:cluster processes, autocannon in the bench process, ${CONNECTIONS} connections, ${warmup} s warm-up + ${seconds} s each.`,
        connections: CONNECTIONS,
        seconds,
        processes: PROCESSES,
        results,
      },
      rows: [
        row({ scenario: 'read', metric: 'req/s, queued job', ours: q.rps, baseline: b.rps, unit: 'req/s', target: 'ratio ≥ 0.5', check: (x) => (x.ratio ?? 0) >= 0.5 }),
        row({ scenario: 'read', metric: 'p99, queued job', ours: q.p99, baseline: b.p99, unit: 'ms', target: '≤ 25 ms', check: (x) => (x.ours ?? Infinity) <= 25 }),
        row({ scenario: 'read', metric: 'req/s, complete job', ours: c.rps, baseline: b.rps, unit: 'req/s', target: 'ratio ≥ 0.5', check: (x) => (x.ratio ?? 0) >= 0.5 }),
        row({ scenario: 'read', metric: 'p99, complete job', ours: c.p99, baseline: b.p99, unit: 'ms', target: '≤ 25 ms', check: (x) => (x.ours ?? Infinity) <= 25 }),
      ],
    };
  },
};
