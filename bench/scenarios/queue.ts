// queue: no-op jobs through the project's job layer vs raw BullMQ on the same Redis. Producer side in the bench
// process (as in an API process), consumer in a child process (as the worker), on both sides.
//   ours: enqueue() (job row + outbox row, one transaction per job, 16 concurrent producers as concurrent requests
//         would) → 2 outbox relays (startOutboxRelay as in 2 API processes: FOR UPDATE SKIP LOCKED batches of 100,
//         QueueSet.add per job) → BullMQ → bench/servers/queue-worker.ts running createProcessor (payload
//         re-validated, startAttempt / completeJob on the row, metrics) with a no-op handler.
//   baseline: Queue.addBulk (chunks of 1,000, the same job options as QueueSet.add) → a Worker with a no-op processor.
// Same Worker concurrency and settings, same Redis, separate bench-only prefixes; timed from the first enqueue to
// the last completion. The no-op handler is registered under the existing `embed.material` definition (queue
// embed, 5 attempts) because relayBatch resolves job names with the static definitionByName (a bench-only
// definition would be dropped as unknown); the handler never touches a material.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { createPrisma } from '../../shared/src/db/client.js';
import { createRedis } from '../../shared/src/db/redis.js';
import { createLogger } from '../../shared/src/logger/index.js';
import { enqueue } from '../../shared/src/jobs/producer.js';
import { jobs } from '../../shared/src/jobs/definitions.js';
import { QueueSet } from '../../shared/src/jobs/queues.js';
import { startOutboxRelay } from '../../shared/src/jobs/outbox-relay.js';
import { benchTenant, dropTenants, type BenchContext, type Scenario } from '../lib/context.js';
import { printed, startScript, waitFor } from '../lib/procs.js';
import { row } from '../lib/report.js';

const CONCURRENCY = 16; // BullMQ Worker concurrency, both sides
const PRODUCERS = 16; // concurrent enqueue transactions (ours)
const RELAYS = 2;
const def = jobs.embedMaterial;

async function consumer(ctx: BenchContext, mode: 'ours' | 'raw', prefix: string, total: number) {
  let out = '';
  const c = await startScript(
    'bench/servers/queue-worker.ts',
    { ...ctx.env.appEnv, BENCH_MODE: mode, BENCH_TOTAL: String(total), BENCH_CONCURRENCY: String(CONCURRENCY), BENCH_PREFIX: prefix },
    printed('ready'),
  );
  c.child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const finished = async (): Promise<number> => {
    await waitFor(async () => {
      if (out.includes('failed ')) throw new Error(`a job failed: ${out.slice(out.indexOf('failed '), 300)}`);
      return out.includes('done');
    }, 600_000, `${mode} consumer`).catch((err: unknown) => {
      throw err instanceof Error ? err : new Error(String(err));
    });
    return performance.now();
  };
  return { finished, stop: c.stop };
}

async function ours(ctx: BenchContext, total: number) {
  const prefix = `${ctx.env.prefix}-queue-ours`;
  const logger = createLogger({ level: 'error', name: 'bench-queue' });
  const prisma = createPrisma(ctx.env.databaseUrl, { poolMax: 10 });
  const queues = QueueSet.create(ctx.env.redisUrl, prefix);
  const { tenantId } = await benchTenant(ctx.prisma, 'queue');
  const worker = await consumer(ctx, 'ours', prefix, total);
  try {
    const t0 = performance.now();
    const relays = Array.from({ length: RELAYS }, () => startOutboxRelay(prisma, queues, logger, { databaseUrl: ctx.env.databaseUrl }));
    let next = 0;
    const producer = async () => {
      while (next < total) {
        next += 1;
        await prisma.$transaction((tx) => enqueue(tx, queues, tenantId, def, { tenantId, materialId: randomUUID() }));
      }
    };
    await Promise.all(Array.from({ length: PRODUCERS }, producer));
    const enqueued = performance.now();
    const end = await worker.finished();
    await Promise.all(relays.map((stop) => stop()));
    const [check] = await ctx.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM jobs WHERE tenant_id = ${tenantId}::uuid AND status = 'complete'`;
    if (Number(check?.n ?? 0) !== total) throw new Error(`only ${check?.n} of ${total} job rows are complete`);
    return { seconds: (end - t0) / 1000, enqueueSeconds: (enqueued - t0) / 1000 };
  } finally {
    await worker.stop();
    await queues.close();
    await prisma.$disconnect();
    await dropTenants(ctx.prisma, [tenantId]);
  }
}

async function rawBullmq(ctx: BenchContext, total: number) {
  const prefix = `${ctx.env.prefix}-queue-raw`;
  const connection = createRedis(ctx.env.redisUrl, 'bullmq');
  const queue = new Queue(def.queue, { connection, prefix });
  const worker = await consumer(ctx, 'raw', prefix, total);
  const opts = { attempts: def.attempts, backoff: { type: 'exponential', delay: def.backoffMs }, removeOnComplete: { age: 3600, count: 5000 }, removeOnFail: { age: 7 * 86400 } };
  try {
    const t0 = performance.now();
    for (let i = 0; i < total; i += 1000) {
      const n = Math.min(1000, total - i);
      await queue.addBulk(Array.from({ length: n }, () => ({ name: def.name, data: { tenantId: randomUUID(), materialId: randomUUID() }, opts: { ...opts, jobId: randomUUID() } })));
    }
    const enqueued = performance.now();
    const end = await worker.finished();
    return { seconds: (end - t0) / 1000, enqueueSeconds: (enqueued - t0) / 1000 };
  } finally {
    await worker.stop();
    await queue.close();
    await connection.quit();
  }
}

export const queue: Scenario = {
  name: 'queue',
  summary: 'no-op jobs: enqueue() + outbox relay + worker processor vs raw BullMQ addBulk + Worker',
  async run(ctx) {
    const total = ctx.quick ? 1000 : 20_000;
    const raw = await rawBullmq(ctx, total);
    ctx.log(`  raw BullMQ: ${(total / raw.seconds).toFixed(0)} jobs/s (added in ${raw.enqueueSeconds.toFixed(1)} s)`);
    const o = await ours(ctx, total);
    ctx.log(`  ours: ${(total / o.seconds).toFixed(0)} jobs/s (rows enqueued in ${o.enqueueSeconds.toFixed(1)} s)`);
    return {
      details: {
        jobs: total,
        concurrency: CONCURRENCY,
        producers: PRODUCERS,
        relays: RELAYS,
        measured:
          `ours: ${PRODUCERS} concurrent enqueue() transactions (jobs + job_outbox rows) → ${RELAYS} startOutboxRelay loops (relayBatch → QueueSet.add) in the bench process → ` +
          `BullMQ Worker (concurrency ${CONCURRENCY}) in a child process running createProcessor (payload re-parse, startAttempt, no-op handler, completeJob, metrics; logs at error level) under the embed.material definition; ` +
          `baseline: Queue.addBulk in chunks of 1,000 in the bench process → Worker with a no-op processor (concurrency ${CONCURRENCY}) in a child process; same job options, same Redis; first enqueue → last completion.`,
        ours: o,
        baseline: raw,
      },
      rows: [
        row({ scenario: 'queue', metric: `throughput ${total} jobs`, ours: total / o.seconds, baseline: total / raw.seconds, unit: 'jobs/s', target: 'ratio ≥ 0.8', check: (x) => (x.ratio ?? 0) >= 0.8 }),
        row({ scenario: 'queue', metric: 'enqueue only', ours: total / o.enqueueSeconds, baseline: total / raw.enqueueSeconds, unit: 'jobs/s', target: '' }),
      ],
    };
  },
};
