// The maintenance sweeps run as BullMQ job schedulers (one per task; upserting is idempotent, so every worker
// process may do it). They are upserted again periodically: a Redis that lost its data loses schedulers too.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../../shared/src/config/index.js';
import type { Logger } from '../../shared/src/logger/index.js';
import { jobs } from '../../shared/src/jobs/definitions.js';

const TASKS = ['pending-deletions', 'orphan-uploads', 'unconfirmed-uploads', 'retention'] as const;

export function scheduleMaintenance(config: Config, connection: Redis, logger: Logger): () => Promise<void> {
  const queue = new Queue(jobs.maintenanceSweep.queue, { connection, prefix: config.BULLMQ_PREFIX });
  queue.on('error', () => undefined);
  const upsert = async () => {
    for (const task of TASKS) {
      const every = task === 'unconfirmed-uploads' ? config.UPLOAD_CHECK_INTERVAL_MS : config.MAINTENANCE_INTERVAL_MS;
      await queue.upsertJobScheduler(`sweep:${task}`, { every }, {
        name: jobs.maintenanceSweep.name,
        data: { task },
        opts: { removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } },
      });
    }
  };
  const run = () => upsert().catch((err: unknown) => logger.warn({ err }, 'could not schedule maintenance sweeps'));
  void run();
  const timer = setInterval(run, Math.max(config.MAINTENANCE_INTERVAL_MS, 60_000));
  return async () => {
    clearInterval(timer);
    await queue.close().catch(() => undefined);
  };
}
