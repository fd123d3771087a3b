// The consuming side of the queue scenario, in its own process as the worker is in production (several may run).
//   BENCH_MODE=ours:   a BullMQ Worker running the project's createProcessor (payload re-parse, admission read,
//     handler, completion, metrics) with a registry whose only handler is a no-op under `embed.material`, and the
//     outbox relay the worker runtime runs (worker/src/runtime.ts → startJobLoops).
//   BENCH_MODE=raw:    a BullMQ Worker with a no-op processor.
//   BENCH_MODE=pgboss: pg-boss `work` with a no-op handler (BENCH_CONCURRENCY jobs in flight: 4 workers × batches of 4).
//   BENCH_MODE=graphile: graphile-worker `run` with a no-op task (concurrency BENCH_CONCURRENCY, its documented
//     batching on: a local queue of concurrency + 1 locked jobs, completions batched).
// Prints "ready" once it takes jobs, then "completed <n>" (its own count) every 20 ms while the count moves.
import { Worker } from 'bullmq';
import { PgBoss } from 'pg-boss';
import { Logger, run as runGraphile } from 'graphile-worker';
import { createPrisma } from '../../shared/src/db/client.js';
import { createRedis } from '../../shared/src/db/redis.js';
import { createLogger } from '../../shared/src/logger/index.js';
import { jobs } from '../../shared/src/jobs/definitions.js';
import { QueueSet } from '../../shared/src/jobs/queues.js';
import { startOutboxRelay } from '../../shared/src/jobs/outbox-relay.js';
import { statusWriter } from '../../shared/src/jobs/job-status.js';
import { createRegistry, handle } from '../../worker/src/registry.js';
import { createProcessor } from '../../worker/src/processor.js';

// Bench tooling reads its own settings (the app's config module is not involved).
const mode = process.env.BENCH_MODE;
const concurrency = Number(process.env.BENCH_CONCURRENCY);
const prefix = process.env.BENCH_PREFIX as string;
const redisUrl = process.env.REDIS_URL as string;
const databaseUrl = process.env.DATABASE_URL as string;
const def = jobs.embedMaterial;
const logger = createLogger({ level: 'error', name: 'bench-queue-worker' });

let done = 0;
let reported = -1;
const report = setInterval(() => {
  if (done !== reported) process.stdout.write(`completed ${(reported = done)}\n`);
}, 20);

const closers: (() => Promise<unknown>)[] = [];
if (mode === 'pgboss') {
  const boss = new PgBoss({ connectionString: databaseUrl, schema: process.env.BENCH_PGBOSS_SCHEMA, supervise: false, schedule: false, max: 10 });
  boss.on('error', (err) => process.stdout.write(`failed pg-boss ${err.message}\n`));
  await boss.start();
  // One job per fetch waits a polling interval (≥ 0.5 s) between jobs of each of its workers (~32 jobs/s at 16):
  // pg-boss's throughput setting is batches fetched back to back while they come back full. Same 16 in flight.
  const perWorker = 4;
  await boss.work(
    def.queue,
    { localConcurrency: Math.max(1, concurrency / perWorker), batchSize: perWorker, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 },
    async (batch) => {
      done += batch.length;
    },
  );
  closers.push(() => boss.stop({ graceful: true }));
} else if (mode === 'graphile') {
  const runner = await runGraphile({
    connectionString: databaseUrl,
    schema: process.env.BENCH_GRAPHILE_SCHEMA,
    concurrency,
    maxPoolSize: 10,
    noHandleSignals: true,
    pollInterval: 500,
    logger: new Logger(() => () => undefined),
    taskList: { [def.queue]: async () => undefined },
    preset: { worker: { localQueue: { size: concurrency + 1 }, completeJobBatchDelay: 0 } },
  });
  runner.events.on('job:success', () => (done += 1));
  runner.events.on('job:error', ({ error }) => process.stdout.write(`failed graphile ${String(error)}\n`));
  closers.push(() => runner.stop());
} else {
  const prisma = mode === 'ours' ? createPrisma(databaseUrl, { poolMax: 10 }) : null;
  const queues = prisma ? QueueSet.create(redisUrl, prefix) : null;
  const status = prisma ? statusWriter(databaseUrl) : null;
  const processor =
    prisma && queues && status
      ? createProcessor(createRegistry([def], [handle(def, async () => null)]), prisma, queues, logger, status)
      : async () => null;
  const stopRelay = prisma && queues ? startOutboxRelay(prisma, queues, logger, { databaseUrl }) : null;
  const connection = createRedis(redisUrl, 'bullmq');
  const worker = new Worker(def.queue, processor, {
    connection,
    prefix,
    concurrency,
    // As the worker runtime sets them (worker/src/runtime.ts); the same on both sides.
    lockDuration: 30_000,
    stalledInterval: 30_000,
    maxStalledCount: 2,
  });
  worker.on('completed', () => (done += 1));
  worker.on('failed', (job, err) => process.stdout.write(`failed ${job?.id} ${err.message}\n`));
  await worker.waitUntilReady();
  closers.push(async () => {
    await worker.close();
    await stopRelay?.();
    await status?.close();
    await queues?.close();
    await connection.quit();
    await prisma?.$disconnect();
  });
}
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  clearInterval(report);
  void Promise.allSettled(closers.map((c) => c())).finally(() => process.exit(0));
});
