// Everything a worker process runs, separated from main.ts so tests can start and stop a worker in-process.
import { stopSpareExtractor } from './ingestion/extract-subprocess.js';
import { Worker } from 'bullmq';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../shared/src/config/index.js';
import type { Logger } from '../../shared/src/logger/index.js';
import { createPrisma, type PrismaClient } from '../../shared/src/db/client.js';
import { createRedis, whenReady } from '../../shared/src/db/redis.js';
import { s3ClientFromConfig } from '../../shared/src/storage/from-config.js';
import { beat, removeHeartbeat } from '../../shared/src/jobs/heartbeat.js';
import { assertEmbeddingDimensions } from '../../shared/src/db/vector/vector.repository.js';
import { assertEmbeddingModel } from '../../shared/src/db/vector/embedding-space.js';
import { embeddingModelKey } from '../../shared/src/providers/from-config.js';
import { ALL_JOBS, type QueueName } from '../../shared/src/jobs/definitions.js';
import { QueueSet } from '../../shared/src/jobs/queues.js';
import { startJobLoops } from '../../shared/src/jobs/loops.js';
import { statusWriter } from '../../shared/src/jobs/job-status.js';
import { createRegistry, type Registry } from './registry.js';
import { buildHandlers } from './handlers.js';
import { createProcessor } from './processor.js';
import { queueConcurrency } from './concurrency.js';
import { startMetricsServer } from './metrics-server.js';
import { metrics, onScrape } from '../../shared/src/metrics/index.js';
import { refreshQueueGauges } from '../../shared/src/metrics/queue-gauges.js';
import { scheduleMaintenance } from './maintenance-schedule.js';

export interface WorkerRuntime {
  queues: string[];
  registry: Registry;
  prisma: PrismaClient;
  s3: S3Client;
  close(): Promise<void>;
}

export async function createWorkerRuntime(config: Config, logger: Logger, workerId: string): Promise<WorkerRuntime> {
  const prisma = createPrisma(config.DATABASE_URL, {
    poolMax: config.DATABASE_POOL_MAX,
    statementTimeoutMs: config.WORKER_DATABASE_STATEMENT_TIMEOUT_MS,
  });
  const redis = createRedis(config.REDIS_URL, 'command');
  const bullConnection = createRedis(config.REDIS_URL, 'bullmq');
  const s3 = s3ClientFromConfig(config);
  await assertEmbeddingDimensions(prisma, config.EMBEDDING_DIMENSIONS);
  await assertEmbeddingModel(prisma, embeddingModelKey(config));
  const registry = createRegistry(ALL_JOBS, buildHandlers({ config, logger, prisma, s3 }));

  // Heartbeat first so /health sees the worker as soon as it is up; failures are logged, never fatal.
  const sendBeat = () =>
    beat(redis, config.BULLMQ_PREFIX, workerId).catch((err: unknown) => logger.warn({ err }, 'heartbeat failed'));
  await whenReady(redis);
  await sendBeat();
  const heartbeatTimer = setInterval(sendBeat, config.WORKER_HEARTBEAT_INTERVAL_MS);

  // The worker produces jobs too (ingest → embed, check → webhook, failure webhooks): it runs the outbox relay
  // and the reconciler itself, so its follow-ups move on with no API process running.
  const queues = QueueSet.create(config.REDIS_URL, config.BULLMQ_PREFIX);
  const stopLoops = startJobLoops({ prisma, queues, logger, databaseUrl: config.DATABASE_URL });
  const status = statusWriter(config.DATABASE_URL, { statementTimeoutMs: config.WORKER_DATABASE_STATEMENT_TIMEOUT_MS });
  const processor = createProcessor(registry, prisma, queues, logger, status);
  const workers = registry.queues().map(
    (queue) =>
      new Worker(queue, processor, {
        connection: bullConnection,
        prefix: config.BULLMQ_PREFIX,
        concurrency: queueConcurrency(config, queue as QueueName),
        lockDuration: config.WORKER_LOCK_DURATION_MS,
        stalledInterval: config.WORKER_LOCK_DURATION_MS,
        maxStalledCount: 2,
      }),
  );
  for (const w of workers) w.on('error', (err) => logger.warn({ err, queue: w.name }, 'queue worker error'));
  const stopSchedules = scheduleMaintenance(config, bullConnection, logger);
  // The worker measures queue depths, the outbox backlog and the heartbeat age itself, at scrape time, so its
  // port is complete with no API process running.
  const stopScrape = onScrape(() => refreshQueueGauges(metrics(), { queues, prisma, redis, prefix: config.BULLMQ_PREFIX }));
  const metricsServer =
    config.WORKER_METRICS_PORT > 0 && config.METRICS_TOKEN
      ? await startMetricsServer(config.WORKER_METRICS_PORT, config.METRICS_TOKEN).catch((err: unknown) => {
          logger.warn({ err }, 'worker metrics port unavailable; metrics not served');
          return null;
        })
      : null;

  return {
    queues: registry.queues(),
    registry,
    prisma,
    s3,
    async close() {
      clearInterval(heartbeatTimer);
      await stopSchedules();
      metricsServer?.close();
      stopScrape();
      await Promise.allSettled(workers.map((w) => w.close()));
      stopSpareExtractor();
      await status.close();
      await stopLoops(); // after the workers: a job finishing during shutdown still has its follow-ups relayed
      await queues.close();
      await removeHeartbeat(redis, config.BULLMQ_PREFIX, workerId).catch(() => undefined);
      await Promise.allSettled([redis.quit(), bullConnection.quit()]);
      await prisma.$disconnect();
      s3.destroy();
    },
  };
}
