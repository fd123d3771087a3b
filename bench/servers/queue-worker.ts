// The consuming side of the queue scenario, in its own process as the worker is in production.
//   BENCH_MODE=ours: a BullMQ Worker running the project's createProcessor (payload re-parse, startAttempt,
//     handler, completeJob, metrics) with a registry whose only handler is a no-op under `embed.material`.
//   BENCH_MODE=raw:  a BullMQ Worker with a no-op processor.
// Prints "ready" once the Worker is connected and "done" after BENCH_TOTAL completions.
import { Worker } from 'bullmq';
import { createPrisma } from '../../shared/src/db/client.js';
import { createRedis } from '../../shared/src/db/redis.js';
import { createLogger } from '../../shared/src/logger/index.js';
import { jobs } from '../../shared/src/jobs/definitions.js';
import { createRegistry, handle } from '../../worker/src/registry.js';
import { createProcessor } from '../../worker/src/processor.js';

const mode = process.env.BENCH_MODE;
const total = Number(process.env.BENCH_TOTAL);
const concurrency = Number(process.env.BENCH_CONCURRENCY);
const prefix = process.env.BENCH_PREFIX as string;
const redisUrl = process.env.REDIS_URL as string;
const def = jobs.embedMaterial;

const prisma = mode === 'ours' ? createPrisma(process.env.DATABASE_URL as string, { poolMax: 10 }) : null;
const processor = prisma
  ? createProcessor(createRegistry([def], [handle(def, async () => null)]), prisma, { prefix }, createLogger({ level: 'error', name: 'bench-queue-worker' }))
  : async () => null;
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
let done = 0;
worker.on('completed', () => {
  done += 1;
  if (done === total) process.stdout.write('done\n');
});
worker.on('failed', (job, err) => process.stdout.write(`failed ${job?.id} ${err.message}\n`));
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker
    .close()
    .then(() => connection.quit())
    .then(() => prisma?.$disconnect())
    .finally(() => process.exit(0));
});
