// sse: what open job event streams of one tenant cost another tenant. One real API process (api/src/main.ts);
// tenant B's GET /jobs/{id} latency is measured at a fixed offered load with no streams open (baseline) and then
// with STREAMS streams of tenant A open on queued jobs (its tenant cap raised so that all of them are admitted).
// Prints only: a timing never fails the bench.
import { randomUUID } from 'node:crypto';
import { benchTenant, dropTenants, scenarioEnv, type Scenario } from '../lib/context.js';
import { load } from '../lib/measure.js';
import { startApiProcess } from '../lib/procs.js';
import { row } from '../lib/report.js';

const STREAMS = 200;

export const sse: Scenario = {
  name: 'sse',
  summary: `tenant B's GET /jobs/{id} latency with ${STREAMS} event streams of tenant A open vs none`,
  async run(ctx) {
    const seconds = ctx.quick ? 3 : 10;
    const env = scenarioEnv(ctx, 'sse', { SSE_MAX_STREAMS_PER_TENANT: String(STREAMS), SSE_MAX_STREAMS_PER_PROCESS: String(STREAMS + 10) });
    const a = await benchTenant(ctx.prisma, 'sse-a');
    const b = await benchTenant(ctx.prisma, 'sse-b');
    const job = async (tenantId: string) => {
      const id = randomUUID();
      await ctx.prisma.job.create({ data: { id, tenantId, prefix: env.BULLMQ_PREFIX, jobType: 'ingest', name: 'ingest.material', queue: 'ingest', payload: {} } });
      return id;
    };
    const bJob = await job(b.tenantId);
    const aJobs = await Promise.all(Array.from({ length: 20 }, () => job(a.tenantId)));
    const server = await startApiProcess(env);
    const ac = new AbortController();
    const target = { url: `${server.url}/api/v1/jobs/${bJob}`, headers: { 'X-API-Key': b.key }, connections: 4, seconds, overallRate: 100 };
    try {
      await load({ ...target, seconds: 1 });
      const idle = await load(target);
      const opened = await Promise.all(
        Array.from({ length: STREAMS }, (_, i) =>
          fetch(`${server.url}/api/v1/jobs/${aJobs[i % aJobs.length]}/events`, { headers: { 'X-API-Key': a.key }, signal: ac.signal }),
        ),
      );
      const admitted = opened.filter((r) => r.status === 200).length;
      const busy = await load(target);
      ctx.log(`  B p50/p99 with no streams ${idle.p50}/${idle.p99} ms; with ${admitted} of A's streams open ${busy.p50}/${busy.p99} ms`);
      return {
        details: {
          measured: `GET /jobs/{id} of tenant B at 100 req/s over 4 connections for ${seconds} s, one API process; then the same with ${admitted} streams of tenant A open on ${aJobs.length} queued jobs`,
          idle,
          busy,
          admitted,
        },
        rows: [
          row({ scenario: 'sse', metric: `B p99, ${admitted} A streams open`, ours: busy.p99, baseline: idle.p99, unit: 'ms', target: '' }),
          row({ scenario: 'sse', metric: `B p50, ${admitted} A streams open`, ours: busy.p50, baseline: idle.p50, unit: 'ms', target: '' }),
        ],
      };
    } finally {
      ac.abort();
      await server.stop();
      await dropTenants(ctx.prisma, [a.tenantId, b.tenantId]);
    }
  },
};
