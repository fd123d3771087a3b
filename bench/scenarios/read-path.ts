// read path: autocannon on the hot authenticated reads of the real API (api/src/main.ts with API_WORKERS=2) —
// GET /jobs/{id} (a queued job and a complete one), GET /nodes and GET /nodes/{id}/materials — each next to the
// I/O floor (bench/servers/io-floor.ts: a minimal Express app doing one Redis INCR and the same indexed Postgres
// read per request, 2 processes) and, for the job route, bare Express answering the same JSON (no I/O at all).
// ours / floor says how much of the cost is our code rather than the I/O. Each target gets a warm-up, then a
// measured run; floor and ours run one after the other in the same run. The key's rate limits are so high that
// they never refuse (the limiter still runs, as in production).
import { newId } from '../../shared/src/db/ids.js';
import { enqueue } from '../../shared/src/jobs/producer.js';
import { jobs } from '../../shared/src/jobs/definitions.js';
import { completeJob, startAttempt } from '../../shared/src/jobs/job-status.js';
import { apiOk, benchTenant, dropTenants, scenarioEnv, type Scenario } from '../lib/context.js';
import { load, type LoadResult } from '../lib/measure.js';
import { answers, startApiProcess, startScript } from '../lib/procs.js';
import { row, type Row } from '../lib/report.js';

const PROCESSES = 2;
const JOB_CONNECTIONS = 64;
const LIST_CONNECTIONS = 32;
const COURSES = 25; // more than one page (20)
const MATERIALS = 8;

export const readPath: Scenario = {
  name: 'read',
  summary: 'GET /jobs/{id}, /nodes, /nodes/{id}/materials (real API, 2 processes) vs the I/O floor and bare Express (2 processes each)',
  async run(ctx) {
    const seconds = ctx.quick ? 2 : 10;
    const warmup = ctx.quick ? 1 : 3;
    // LOG_LEVEL info, as in production: a request line per request is part of the cost (and startApiProcess
    // counts the processes' "api listening" lines).
    const apiProc = await startApiProcess(scenarioEnv(ctx, 'read', { API_WORKERS: String(PROCESSES), LOG_LEVEL: 'info' }));
    const { tenantId, key } = await benchTenant(ctx.prisma, 'read');
    let bare: Awaited<ReturnType<typeof startScript>> | null = null;
    let floor: Awaited<ReturnType<typeof startScript>> | null = null;
    const results: Record<string, LoadResult> = {};
    try {
      // A queued job (what clients poll: row + completion estimate) and a complete one, under a prefix no relay
      // serves, so the queued one stays queued.
      const target = { prefix: `${ctx.env.prefix}-read-idle` };
      const [queued, done] = await ctx.prisma.$transaction(async (tx) => [
        await enqueue(tx, target, tenantId, jobs.ingestMaterial, { tenantId, materialId: newId() }),
        await enqueue(tx, target, tenantId, jobs.ingestMaterial, { tenantId, materialId: newId() }),
      ]);
      if (!queued || !done) throw new Error('jobs not created');
      await startAttempt(ctx.prisma, done.id, 1);
      await completeJob(ctx.prisma, done.id);
      // Courses (a full first page and more) and one lesson with ingested materials (each with a stored
      // normalized document, as after ingestion).
      let course = '';
      for (let i = 0; i < COURSES; i++) {
        course = (await apiOk<{ id: string }>(apiProc.url, key, 'POST', '/nodes', { title: `Course ${i}`, description: 'A course of the read bench' })).id;
      }
      const document = { title: 'Lesson', blocks: Array.from({ length: 200 }, (_, i) => ({ type: 'paragraph', text: `Paragraph ${i} `.repeat(20) })) };
      await ctx.prisma.material.createMany({
        data: Array.from({ length: MATERIALS }, (_, i) => ({
          id: newId(),
          tenantId,
          nodeId: course,
          sourceType: 'text' as const,
          filename: `part-${i}.txt`,
          order: i,
          state: 'ready' as const,
          contentType: 'text/plain',
          sizeBytes: 40_000n,
          sha256: 'a'.repeat(64),
          chunkCount: 12,
          document,
        })),
      });
      const body = await apiOk(apiProc.url, key, 'GET', `/jobs/${queued.id}`);
      bare = await startScript('bench/servers/bare-express.ts', { BENCH_PROCESSES: String(PROCESSES), BENCH_BODY: JSON.stringify(body) }, answers('/health/live'));
      floor = await startScript(
        'bench/servers/io-floor.ts',
        { BENCH_PROCESSES: String(PROCESSES), BENCH_DATABASE_URL: ctx.env.databaseUrl, BENCH_REDIS_URL: ctx.env.redisUrl, BENCH_PREFIX: ctx.env.prefix, BENCH_TENANT_ID: tenantId },
        answers('/health/live'),
      );
      const headers = { 'X-API-Key': key };
      const targets: [string, string, Record<string, string>, number][] = [
        ['bare', `${bare.url}/api/v1/jobs/${queued.id}`, {}, JOB_CONNECTIONS],
        ['floor-job', `${floor.url}/api/v1/jobs/${queued.id}`, {}, JOB_CONNECTIONS],
        ['queued', `${apiProc.url}/api/v1/jobs/${queued.id}`, headers, JOB_CONNECTIONS],
        ['complete', `${apiProc.url}/api/v1/jobs/${done.id}`, headers, JOB_CONNECTIONS],
        ['floor-nodes', `${floor.url}/api/v1/nodes`, {}, LIST_CONNECTIONS],
        ['nodes', `${apiProc.url}/api/v1/nodes`, headers, LIST_CONNECTIONS],
        ['floor-materials', `${floor.url}/api/v1/nodes/${course}/materials`, {}, LIST_CONNECTIONS],
        ['materials', `${apiProc.url}/api/v1/nodes/${course}/materials`, headers, LIST_CONNECTIONS],
      ];
      for (const [name, url, h, connections] of targets) {
        await load({ url, headers: h, connections, seconds: warmup });
        const r = await load({ url, headers: h, connections, seconds });
        if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx and ${r.errors} errors under load`);
        results[name] = r;
        ctx.log(`  ${name.padEnd(16)} ${r.rps.toFixed(0)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms`);
      }
    } finally {
      await bare?.stop();
      await floor?.stop();
      await apiProc.stop();
      await dropTenants(ctx.prisma, [tenantId]);
    }
    const r = (name: string) => results[name] as LoadResult;
    const rows: Row[] = [
      row({ scenario: 'read', metric: 'req/s, I/O floor vs bare Express', ours: r('floor-job').rps, baseline: r('bare').rps, unit: 'req/s', target: '' }),
      row({ scenario: 'read', metric: 'req/s, queued job', ours: r('queued').rps, baseline: r('floor-job').rps, unit: 'req/s', target: 'ratio ≥ 0.7', check: (x) => (x.ratio ?? 0) >= 0.7 }),
      row({ scenario: 'read', metric: 'p99, queued job', ours: r('queued').p99, baseline: r('floor-job').p99, unit: 'ms', target: '≤ 60 ms', check: (x) => (x.ours ?? Infinity) <= 60 }),
      row({ scenario: 'read', metric: 'req/s, complete job', ours: r('complete').rps, baseline: r('floor-job').rps, unit: 'req/s', target: 'ratio ≥ 0.7', check: (x) => (x.ratio ?? 0) >= 0.7 }),
      row({ scenario: 'read', metric: 'p99, complete job', ours: r('complete').p99, baseline: r('floor-job').p99, unit: 'ms', target: '≤ 60 ms', check: (x) => (x.ours ?? Infinity) <= 60 }),
      row({ scenario: 'read', metric: 'req/s, GET /nodes', ours: r('nodes').rps, baseline: r('floor-nodes').rps, unit: 'req/s', target: 'ratio ≥ 0.7', check: (x) => (x.ratio ?? 0) >= 0.7 }),
      row({ scenario: 'read', metric: 'p99, GET /nodes', ours: r('nodes').p99, baseline: r('floor-nodes').p99, unit: 'ms', target: '' }),
      row({ scenario: 'read', metric: 'req/s, GET /nodes/{id}/materials', ours: r('materials').rps, baseline: r('floor-materials').rps, unit: 'req/s', target: 'ratio ≥ 0.7', check: (x) => (x.ratio ?? 0) >= 0.7 }),
      row({ scenario: 'read', metric: 'p99, GET /nodes/{id}/materials', ours: r('materials').p99, baseline: r('floor-materials').p99, unit: 'ms', target: '' }),
    ];
    return {
      details: {
        measured:
          'ours: X-API-Key auth (cached lookup), scope check, Redis rate limiter, zod validation, the route\'s reads from Postgres, JSON; ' +
          'I/O floor: one Redis INCR + one indexed Postgres read per request, no auth/validation/logging; ' +
          `bare: Express returning the job's JSON; all ${PROCESSES} node:cluster processes, autocannon in the bench process, ` +
          `${JOB_CONNECTIONS} connections for the job route, ${LIST_CONNECTIONS} for the lists, ${warmup} s warm-up + ${seconds} s each; ` +
          `${COURSES} courses (GET /nodes answers the first 20 and the total), ${MATERIALS} ready materials with a stored document.`,
        processes: PROCESSES,
        seconds,
        results,
      },
      rows,
    };
  },
};
