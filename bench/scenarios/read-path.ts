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
import { load, treeCpuSeconds, type LoadResult } from '../lib/measure.js';
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
    // BENCH_CPU_PROF=<dir>: the API processes write V8 CPU profiles there too (tooling, as in startScript).
    const prof: Record<string, string> = process.env.BENCH_CPU_PROF ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF}` } : {};
    const apiProc = await startApiProcess(scenarioEnv(ctx, 'read', { API_WORKERS: String(PROCESSES), LOG_LEVEL: 'info', ...prof }));
    const { tenantId, key } = await benchTenant(ctx.prisma, 'read');
    let bare: Awaited<ReturnType<typeof startScript>> | null = null;
    let floor: Awaited<ReturnType<typeof startScript>> | null = null;
    const results: Record<string, LoadResult & { cpuUsPerRequest: number }> = {};
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
      const [bareSrv, floorSrv] = [bare, floor];
      const api = apiProc.child.pid as number;
      const targets: [string, string, Record<string, string>, number, number][] = [
        ['bare', `${bareSrv.url}/api/v1/jobs/${queued.id}`, {}, JOB_CONNECTIONS, bareSrv.child.pid as number],
        ['floor-job', `${floorSrv.url}/api/v1/jobs/${queued.id}`, {}, JOB_CONNECTIONS, floorSrv.child.pid as number],
        ['queued', `${apiProc.url}/api/v1/jobs/${queued.id}`, headers, JOB_CONNECTIONS, api],
        ['complete', `${apiProc.url}/api/v1/jobs/${done.id}`, headers, JOB_CONNECTIONS, api],
        ['floor-nodes', `${floorSrv.url}/api/v1/nodes`, {}, LIST_CONNECTIONS, floorSrv.child.pid as number],
        ['nodes', `${apiProc.url}/api/v1/nodes`, headers, LIST_CONNECTIONS, api],
        ['floor-materials', `${floorSrv.url}/api/v1/nodes/${course}/materials`, {}, LIST_CONNECTIONS, floorSrv.child.pid as number],
        ['materials', `${apiProc.url}/api/v1/nodes/${course}/materials`, headers, LIST_CONNECTIONS, api],
      ];
      // BENCH_READ_TARGETS=queued,floor-job: only these (profiling one route; tooling, not app config).
      const only = process.env.BENCH_READ_TARGETS?.split(',');
      // BENCH_READ_RATE=<req/s>: a fixed offered load instead of saturation, so that CPU per request compares
      // across runs at the same batching (tooling).
      const overallRate = Number(process.env.BENCH_READ_RATE ?? 0) || undefined;
      for (const [name, url, h, connections, pid] of targets.filter(([n]) => !only || only.includes(n))) {
        await load({ url, headers: h, connections, seconds: warmup, overallRate });
        // The server's own CPU per request (its process tree, from /proc): what the code costs, which other load
        // on the machine moves far less than req/s.
        const cpuBefore = treeCpuSeconds(pid);
        const r = await load({ url, headers: h, connections, seconds, overallRate });
        const cpuUsPerRequest = ((treeCpuSeconds(pid) - cpuBefore) * 1e6) / Math.max(1, r.requests);
        if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx and ${r.errors} errors under load`);
        results[name] = { ...r, cpuUsPerRequest };
        ctx.log(`  ${name.padEnd(16)} ${r.rps.toFixed(0)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  server CPU ${cpuUsPerRequest.toFixed(0)} µs/req`);
      }
    } finally {
      await bare?.stop();
      await floor?.stop();
      await apiProc.stop();
      await dropTenants(ctx.prisma, [tenantId]);
    }
    const r = (name: string) => results[name] as LoadResult & { cpuUsPerRequest: number };
    const rows: Row[] = [];
    // Each row needs both of its measurements (all of them unless BENCH_READ_TARGETS picked some).
    const add = (names: string[], make: () => Row) => {
      if (names.every((n) => results[n])) rows.push(make());
    };
    const all: [string[], () => Row][] = [
      [['floor-job', 'bare'], () => row({ scenario: 'read', metric: 'req/s, I/O floor vs bare Express', ours: r('floor-job').rps, baseline: r('bare').rps, unit: 'req/s', target: '' })],
      [['queued', 'floor-job'], () => row({ scenario: 'read', metric: 'req/s, queued job', ours: r('queued').rps, baseline: r('floor-job').rps, unit: 'req/s', target: 'ratio ≥ 0.7', check: (x) => (x.ratio ?? 0) >= 0.7 })],
      [['queued', 'floor-job'], () => row({ scenario: 'read', metric: 'p99, queued job', ours: r('queued').p99, baseline: r('floor-job').p99, unit: 'ms', target: '≤ 60 ms', check: (x) => (x.ours ?? Infinity) <= 60 })],
      [['complete', 'floor-job'], () => row({ scenario: 'read', metric: 'req/s, complete job', ours: r('complete').rps, baseline: r('floor-job').rps, unit: 'req/s', target: 'ratio ≥ 0.7', check: (x) => (x.ratio ?? 0) >= 0.7 })],
      [['complete', 'floor-job'], () => row({ scenario: 'read', metric: 'p99, complete job', ours: r('complete').p99, baseline: r('floor-job').p99, unit: 'ms', target: '≤ 60 ms', check: (x) => (x.ours ?? Infinity) <= 60 })],
      [['nodes', 'floor-nodes'], () => row({ scenario: 'read', metric: 'req/s, GET /nodes', ours: r('nodes').rps, baseline: r('floor-nodes').rps, unit: 'req/s', target: 'ratio ≥ 0.7', check: (x) => (x.ratio ?? 0) >= 0.7 })],
      [['nodes', 'floor-nodes'], () => row({ scenario: 'read', metric: 'p99, GET /nodes', ours: r('nodes').p99, baseline: r('floor-nodes').p99, unit: 'ms', target: '' })],
      [['materials', 'floor-materials'], () => row({ scenario: 'read', metric: 'req/s, GET /nodes/{id}/materials', ours: r('materials').rps, baseline: r('floor-materials').rps, unit: 'req/s', target: 'ratio ≥ 0.7', check: (x) => (x.ratio ?? 0) >= 0.7 })],
      [['materials', 'floor-materials'], () => row({ scenario: 'read', metric: 'p99, GET /nodes/{id}/materials', ours: r('materials').p99, baseline: r('floor-materials').p99, unit: 'ms', target: '' })],
      // Server CPU per request (both processes, from /proc) beside the floor's: the part of the cost that is ours,
      // less moved by the machine's other load than req/s.
      [['queued', 'floor-job'], () => row({ scenario: 'read', metric: 'server CPU per request, queued job', ours: r('queued').cpuUsPerRequest, baseline: r('floor-job').cpuUsPerRequest, unit: 'µs', target: '' })],
      [['complete', 'floor-job'], () => row({ scenario: 'read', metric: 'server CPU per request, complete job', ours: r('complete').cpuUsPerRequest, baseline: r('floor-job').cpuUsPerRequest, unit: 'µs', target: '' })],
      [['nodes', 'floor-nodes'], () => row({ scenario: 'read', metric: 'server CPU per request, GET /nodes', ours: r('nodes').cpuUsPerRequest, baseline: r('floor-nodes').cpuUsPerRequest, unit: 'µs', target: '' })],
      [['materials', 'floor-materials'], () => row({ scenario: 'read', metric: 'server CPU per request, GET /nodes/{id}/materials', ours: r('materials').cpuUsPerRequest, baseline: r('floor-materials').cpuUsPerRequest, unit: 'µs', target: '' })],
    ];
    for (const [names, make] of all) add(names, make);
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
