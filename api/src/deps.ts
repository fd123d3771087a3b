// The API process's collaborators, built once from config. Tests build the same thing against the test
// databases (see test/support) — there is no second wiring.
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../shared/src/config/index.js';
import type { Logger } from '../../shared/src/logger/index.js';
import type pg from 'pg';
import { closeDatabase, createDatabase, type PrismaClient } from '../../shared/src/db/client.js';
import { createRedis } from '../../shared/src/db/redis.js';
import { s3ClientFromConfig } from '../../shared/src/storage/from-config.js';
import { heartbeatAge } from '../../shared/src/jobs/heartbeat.js';
import { QueueSet } from '../../shared/src/jobs/queues.js';
import { embeddingProviderFromConfig } from '../../shared/src/providers/from-config.js';
import type { EmbeddingProvider } from '../../shared/src/providers/embeddings/index.js';
import { KeyStore } from './middleware/api-key.js';
import { metrics, onScrape } from '../../shared/src/metrics/index.js';
import { refreshQueueGauges } from '../../shared/src/metrics/queue-gauges.js';
import { mountMetrics } from './ops/metrics.js';
import { mountQueueDashboard } from './ops/queue-dashboard.js';
import { AuthFailureLimiter, RateLimits } from './middleware/rate-limit.js';
import { JobEventHub } from './routes/jobs/jobs.events.js';
import type { Probe } from './routes/health/health.service.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  prisma: PrismaClient;
  /** The pg pool Prisma runs on: the hot read routes send their hand-written SQL straight to it. */
  sql: pg.Pool;
  /** Fail-fast command connection (rate limits, heartbeats, health). */
  redis: Redis;
  s3: S3Client;
  /** Producer side of the BullMQ queues (used by the outbox relay, the reconciler and cancel). */
  queues: QueueSet;
  /** Query embeddings for search (cached, cost rows recorded). */
  embedder: EmbeddingProvider;
  keyStore: KeyStore;
  rateLimits: RateLimits;
  /** Failed authentications per client address (checked before any key lookup). */
  authFailures: AuthFailureLimiter;
  /** This process's one source of job server-sent events (one poller, capped streams). */
  jobEvents: JobEventHub;
  probes: Record<string, Probe>;
  /** Operator-only mounts (metrics, queue dashboard) added by later modules. */
  operatorMounts?: ((app: Express) => void)[];
}

export interface OwnedDeps extends AppDeps {
  close(): Promise<void>;
}

export function createDeps(config: Config, logger: Logger): OwnedDeps {
  const { prisma, pool: sql } = createDatabase(config.DATABASE_URL, {
    poolMax: config.DATABASE_POOL_MAX,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  const redis = createRedis(config.REDIS_URL, 'command');
  const subscriber = createRedis(config.REDIS_URL, 'subscriber');
  const s3 = s3ClientFromConfig(config);
  const queues = QueueSet.create(config.REDIS_URL, config.BULLMQ_PREFIX);
  const keyStore = new KeyStore(prisma, config.API_KEY_CACHE_TTL_MS, config.API_KEY_NEGATIVE_CACHE_TTL_MS);
  keyStore.listen(subscriber, config.BULLMQ_PREFIX);
  const m = metrics();
  const rateLimits = new RateLimits(
    redis,
    {
      prefix: config.BULLMQ_PREFIX,
      windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
      processCount: config.API_WORKERS,
      onReject: (scope) => m.rateLimitRejections.inc({ scope }),
    },
    logger,
  );
  const authFailures = new AuthFailureLimiter(
    redis,
    {
      prefix: config.BULLMQ_PREFIX,
      points: config.AUTH_FAILURES_PER_ADDRESS,
      windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
      processCount: config.API_WORKERS,
      onReject: () => m.rateLimitRejections.inc({ scope: 'address' }),
    },
    logger,
  );
  const jobEvents = jobEventHub(config, { prisma, redis, logger });
  const stopScrape = onScrape(() => refreshQueueGauges(m, { queues, prisma, redis, prefix: config.BULLMQ_PREFIX }));
  const operatorMounts = [mountMetrics(config.METRICS_TOKEN)];
  if (config.BULL_BOARD_ENABLED && config.BULL_BOARD_USER && config.BULL_BOARD_PASSWORD) {
    operatorMounts.push(mountQueueDashboard(queues, config.BULL_BOARD_USER, config.BULL_BOARD_PASSWORD));
  }
  const probes: Record<string, Probe> = {
    db: async () => {
      await prisma.$queryRaw`SELECT 1`;
    },
    s3: async () => {
      await s3.send(new HeadBucketCommand({ Bucket: config.S3_BUCKET }));
    },
    redis: async () => {
      await redis.ping();
    },
    worker: async () => {
      const age = await heartbeatAge(redis, config.BULLMQ_PREFIX);
      return age !== null && age <= config.WORKER_STALE_AFTER_MS ? 'ok' : 'stale';
    },
  };
  return {
    config,
    logger,
    prisma,
    sql,
    redis,
    s3,
    queues,
    embedder: embeddingProviderFromConfig(config, prisma, logger),
    keyStore,
    rateLimits,
    authFailures,
    jobEvents,
    probes,
    operatorMounts,
    async close() {
      stopScrape();
      await jobEvents.shutdown();
      await keyStore.close();
      await queues.close();
      await Promise.allSettled([redis.quit(), subscriber.quit()]);
      await closeDatabase({ prisma, pool: sql });
      s3.destroy();
    },
  };
}

/** The job events hub of one process, from config (tests build theirs with this too, around their own client). */
export function jobEventHub(config: Config, deps: { prisma: PrismaClient; redis: Redis; logger: Logger }): JobEventHub {
  return new JobEventHub({
    ...deps,
    prefix: config.BULLMQ_PREFIX,
    tickMs: config.SSE_POLL_INTERVAL_MS,
    maxPerProcess: config.SSE_MAX_STREAMS_PER_PROCESS,
    maxPerTenant: config.SSE_MAX_STREAMS_PER_TENANT,
    slotTtlMs: config.SSE_SLOT_TTL_MS,
  });
}
