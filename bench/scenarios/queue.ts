// queue: no-op jobs through the project's durable job layer vs raw BullMQ and two durable Postgres-backed queues a
// user might pick instead (pg-boss, graphile-worker), same job count, same worker concurrency (16 per consumer
// process), timed from the first enqueue to the last completion. Consumers run in child processes
// (bench/servers/queue-worker.ts).
//   raw:      Queue.addBulk in chunks of 1,000 → BullMQ Worker, no-op processor. Not durable across a Redis loss.
//   ours:     enqueue (job row + outbox entry + NOTIFY, one statement committed in Postgres: survives Redis, worker
//             and Postgres restarts) → outbox relays (2 in the bench process as in 2 API processes, and one in each
//             consumer as the worker runtime runs one: claim batches of 500, addBulk) → BullMQ Worker running
//             createProcessor (payload re-parse, admission read, no-op handler, completion, metrics), `embed.material`.
//   pgboss:   send / insert → pg-boss work() (16 in flight: 4 workers × batches of 4 fetched back to back while full;
//             LISTEN/NOTIFY on). One job per fetch would wait ≥ 0.5 s between jobs of each worker.
//   graphile: addJob / addJobs → graphile-worker run() (concurrency 16, its documented batching: local queue of 17,
//             completeJobBatchDelay 0).
// Each durable side twice: "per request" (16 concurrent producers, one job each, as API requests enqueue) and
// "batch" (chunks of 1,000 in one transaction, as addBulk). Growth: ours (batch) with 1, 2 and 4 consumers. After each
// of our runs the job tables are vacuumed and analysed, as autovacuum would between runs (this machine's Postgres
// runs with autovacuum off); each peer run starts on a fresh schema.
import { randomBytes, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { PgBoss } from 'pg-boss';
import { makeWorkerUtils } from 'graphile-worker';
import { createPrisma } from '../../shared/src/db/client.js';
import { createRedis } from '../../shared/src/db/redis.js';
import { createLogger } from '../../shared/src/logger/index.js';
import { enqueue, enqueueMany } from '../../shared/src/jobs/producer.js';
import { jobs } from '../../shared/src/jobs/definitions.js';
import { QueueSet, jobOptions } from '../../shared/src/jobs/queues.js';
import { startOutboxRelay } from '../../shared/src/jobs/outbox-relay.js';
import { benchTenant, dropTenants, type BenchContext, type Scenario } from '../lib/context.js';
import { CONCURRENCY, startConsumers } from '../lib/queue-consumers.js';
import { row } from '../lib/report.js';

const PRODUCERS = 16;
const RELAYS = 2;
const CHUNK = 1000;
const def = jobs.embedMaterial;
type Style = 'request' | 'batch';

interface Run {
  seconds: number;
  enqueueSeconds: number;
  jobsPerSecond: number;
}

const done = (total: number, t0: number, enqueued: number, end: number): Run => ({
  seconds: (end - t0) / 1000,
  enqueueSeconds: (enqueued - t0) / 1000,
  jobsPerSecond: total / ((end - t0) / 1000),
});

/** Runs `one(i)` for i in 0..total-1 from PRODUCERS concurrent loops. */
async function produce(total: number, one: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(Array.from({ length: PRODUCERS }, async () => { while (next < total) await one(next++); }));
}

async function rawBullmq(ctx: BenchContext, total: number): Promise<Run> {
  const prefix = `${ctx.env.prefix}-queue-raw`;
  const connection = createRedis(ctx.env.redisUrl, 'bullmq');
  const queue = new Queue(def.queue, { connection, prefix });
  const consumers = await startConsumers(ctx, 'raw', 1, { BENCH_PREFIX: prefix });
  try {
    const t0 = performance.now();
    for (let i = 0; i < total; i += CHUNK) {
      const n = Math.min(CHUNK, total - i);
      await queue.addBulk(Array.from({ length: n }, () => ({ name: def.name, data: { tenantId: randomUUID(), materialId: randomUUID() }, opts: jobOptions(def, randomUUID()) })));
    }
    const enqueued = performance.now();
    return done(total, t0, enqueued, await consumers.finished(total));
  } finally {
    await consumers.stop();
    await queue.close();
    await connection.quit();
  }
}

async function ours(ctx: BenchContext, total: number, style: Style, workers: number): Promise<Run> {
  const prefix = `${ctx.env.prefix}-queue-ours-${style}-${workers}`;
  const logger = createLogger({ level: 'error', name: 'bench-queue' });
  const prisma = createPrisma(ctx.env.databaseUrl, { poolMax: PRODUCERS });
  const queues = QueueSet.create(ctx.env.redisUrl, prefix);
  const { tenantId } = await benchTenant(ctx.prisma, 'queue');
  const consumers = await startConsumers(ctx, 'ours', workers, { BENCH_PREFIX: prefix });
  const relays = Array.from({ length: RELAYS }, () => startOutboxRelay(prisma, queues, logger, { databaseUrl: ctx.env.databaseUrl }));
  const payload = () => ({ tenantId, materialId: randomUUID() });
  try {
    const t0 = performance.now();
    if (style === 'request') {
      // enqueue is one statement (row, outbox entry, NOTIFY): atomic alone, so a request that writes nothing else
      // sends it without a transaction around it, as pg-boss's send does.
      await produce(total, () => enqueue(prisma, queues, tenantId, def, payload()));
    } else {
      for (let i = 0; i < total; i += CHUNK) {
        const n = Math.min(CHUNK, total - i);
        await prisma.$transaction((tx) => enqueueMany(tx, queues, tenantId, Array.from({ length: n }, () => ({ def, payload: payload() }))));
      }
    }
    const enqueued = performance.now();
    const end = await consumers.finished(total);
    const [check] = await ctx.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM jobs WHERE tenant_id = ${tenantId}::uuid AND status = 'complete'`;
    if (Number(check?.n ?? 0) !== total) throw new Error(`only ${check?.n} of ${total} job rows are complete`);
    return done(total, t0, enqueued, end);
  } finally {
    await Promise.all(relays.map((stop) => stop()));
    await consumers.stop();
    await queues.close();
    await prisma.$disconnect();
    await dropTenants(ctx.prisma, [tenantId]);
    // What autovacuum does between runs in a deployment (this machine's Postgres runs with it off): the next run
    // starts on tables without the dead rows of this one, as each peer run starts on a fresh schema.
    await ctx.prisma.$executeRawUnsafe('VACUUM (ANALYZE) jobs, job_outbox');
  }
}

async function pgBoss(ctx: BenchContext, total: number, style: Style): Promise<Run> {
  const schema = `pgboss_bench_${randomBytes(3).toString('hex')}`;
  const boss = new PgBoss({ connectionString: ctx.env.databaseUrl, schema, supervise: false, schedule: false, useListenNotify: true, max: PRODUCERS });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue(def.queue, { notify: true, retryLimit: def.attempts - 1 });
  const consumers = await startConsumers(ctx, 'pgboss', 1, { BENCH_PGBOSS_SCHEMA: schema });
  const data = () => ({ tenantId: randomUUID(), materialId: randomUUID() });
  try {
    const t0 = performance.now();
    if (style === 'request') {
      await produce(total, () => boss.send(def.queue, data()));
    } else {
      for (let i = 0; i < total; i += CHUNK) await boss.insert(def.queue, Array.from({ length: Math.min(CHUNK, total - i) }, () => ({ data: data() })));
    }
    const enqueued = performance.now();
    return done(total, t0, enqueued, await consumers.finished(total));
  } finally {
    await consumers.stop();
    await boss.stop({ graceful: false });
    await ctx.prisma.$executeRawUnsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
}

async function graphileWorker(ctx: BenchContext, total: number, style: Style): Promise<Run> {
  const schema = `graphile_bench_${randomBytes(3).toString('hex')}`;
  const utils = await makeWorkerUtils({ connectionString: ctx.env.databaseUrl, schema, maxPoolSize: PRODUCERS });
  await utils.migrate();
  const consumers = await startConsumers(ctx, 'graphile', 1, { BENCH_GRAPHILE_SCHEMA: schema });
  const data = () => ({ tenantId: randomUUID(), materialId: randomUUID() });
  const spec = { maxAttempts: def.attempts };
  try {
    const t0 = performance.now();
    if (style === 'request') {
      await produce(total, () => utils.addJob(def.queue, data(), spec));
    } else {
      for (let i = 0; i < total; i += CHUNK) {
        await utils.addJobs(Array.from({ length: Math.min(CHUNK, total - i) }, () => ({ identifier: def.queue, payload: data(), maxAttempts: def.attempts })));
      }
    }
    const enqueued = performance.now();
    return done(total, t0, enqueued, await consumers.finished(total));
  } finally {
    await consumers.stop();
    await utils.release();
    await ctx.prisma.$executeRawUnsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
}

export const queue: Scenario = {
  name: 'queue',
  summary: 'no-op jobs: enqueue + outbox relay + worker processor vs raw BullMQ, pg-boss and graphile-worker; 1/2/4 worker processes',
  async run(ctx) {
    const total = ctx.quick ? 1000 : 20_000;
    const fmt = (r: Run) => `${r.jobsPerSecond.toFixed(0)} jobs/s (enqueued in ${r.enqueueSeconds.toFixed(1)} s)`;
    const raw = await rawBullmq(ctx, total);
    ctx.log(`  raw BullMQ: ${fmt(raw)}`);
    const runs: Record<string, Run> = {};
    for (const style of ['request', 'batch'] as const) {
      runs[`ours ${style}`] = await ours(ctx, total, style, 1);
      ctx.log(`  ours, ${style}: ${fmt(runs[`ours ${style}`] as Run)}`);
      runs[`pg-boss ${style}`] = await pgBoss(ctx, total, style);
      ctx.log(`  pg-boss, ${style}: ${fmt(runs[`pg-boss ${style}`] as Run)}`);
      runs[`graphile-worker ${style}`] = await graphileWorker(ctx, total, style);
      ctx.log(`  graphile-worker, ${style}: ${fmt(runs[`graphile-worker ${style}`] as Run)}`);
    }
    const growth: Record<string, Run> = { 1: runs['ours batch'] as Run };
    for (const n of [2, 4]) {
      growth[n] = await ours(ctx, total, 'batch', n);
      ctx.log(`  ours, batch, ${n} worker processes: ${fmt(growth[n] as Run)}`);
    }
    const rate = (r: Run | undefined) => r?.jobsPerSecond ?? 0;
    return {
      details: {
        jobs: total,
        concurrency_per_process: CONCURRENCY,
        producers: PRODUCERS,
        relays_in_bench_process: RELAYS,
        measured:
          'first enqueue → last completion. raw: Queue.addBulk (1,000) → BullMQ Worker no-op. ours: enqueue() per request (16 concurrent, ' +
          'one statement each, no transaction around it) or enqueueMany (1,000 per transaction) → 2 relays in the bench process + 1 per consumer → ' +
          'BullMQ Worker running createProcessor (admission read, no-op handler, one completing UPDATE; jobs and job_outbox vacuumed after each run). ' +
          'pg-boss: send (16 concurrent) or insert (1,000) → work() (localConcurrency 4 × batchSize 4, burstWhenBatchFull, LISTEN/NOTIFY). ' +
          'graphile-worker: addJob (16 concurrent) or addJobs (1,000) → run() (concurrency 16, localQueue 17, completeJobBatchDelay 0). ' +
          'Growth: ours batch with 1, 2, 4 consumer processes of concurrency 16.',
        baseline: raw,
        runs,
        growth_jobs_per_second: Object.fromEntries(Object.entries(growth).map(([n, r]) => [n, Math.round(r.jobsPerSecond)])),
      },
      rows: [
        row({ scenario: 'queue', metric: `per request, ${total} jobs`, ours: rate(runs['ours request']), baseline: raw.jobsPerSecond, unit: 'jobs/s', target: 'ratio ≥ 0.5', check: (x) => (x.ratio ?? 0) >= 0.5 }),
        row({ scenario: 'queue', metric: `batch, ${total} jobs`, ours: rate(runs['ours batch']), baseline: raw.jobsPerSecond, unit: 'jobs/s', target: 'ratio ≥ 0.5', check: (x) => (x.ratio ?? 0) >= 0.5 }),
        row({ scenario: 'queue', metric: 'vs pg-boss, per request', ours: rate(runs['ours request']), baseline: rate(runs['pg-boss request']), unit: 'jobs/s', target: 'ratio > 1', check: (x) => (x.ratio ?? 0) > 1 }),
        row({ scenario: 'queue', metric: 'vs pg-boss, batch', ours: rate(runs['ours batch']), baseline: rate(runs['pg-boss batch']), unit: 'jobs/s', target: 'ratio > 1', check: (x) => (x.ratio ?? 0) > 1 }),
        row({ scenario: 'queue', metric: 'vs graphile-worker, per request', ours: rate(runs['ours request']), baseline: rate(runs['graphile-worker request']), unit: 'jobs/s', target: 'ratio > 1', check: (x) => (x.ratio ?? 0) > 1 }),
        row({ scenario: 'queue', metric: 'vs graphile-worker, batch', ours: rate(runs['ours batch']), baseline: rate(runs['graphile-worker batch']), unit: 'jobs/s', target: 'ratio > 1', check: (x) => (x.ratio ?? 0) > 1 }),
        row({ scenario: 'queue', metric: 'ours batch, 2 vs 1 worker processes', ours: rate(growth[2]), baseline: rate(growth[1]), unit: 'jobs/s', target: '' }),
        row({ scenario: 'queue', metric: 'ours batch, 4 vs 1 worker processes', ours: rate(growth[4]), baseline: rate(growth[1]), unit: 'jobs/s', target: '' }),
      ],
    };
  },
};
