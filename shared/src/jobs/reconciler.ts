// Jobs accepted in Postgres must reach a terminal state even when Redis lost its data (restart without
// persistence, failover) or a worker died between BullMQ and Postgres updates. Every few seconds one API
// process (transaction-scoped advisory lock) compares unfinished job rows with BullMQ:
//  - no BullMQ job and no outbox entry → a new outbox entry (the relay re-adds it under the same id);
//  - BullMQ says failed / completed but the row does not → the row follows BullMQ.
// Jobs stuck `active` because their worker died are returned to the queue by BullMQ's own stalled-job check
// (lock expiry); this covers what BullMQ cannot see.
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../logger/index.js';
import { completeJob, finishUnsuccessfully } from './job-status.js';
import { failSubject } from './subject-failure.js';
import type { QueueName } from './definitions.js';
import type { QueueSet } from './queues.js';

const LOCK_KEY = 0x63735f72; // "cs_r"

export async function reconcileOnce(prisma: PrismaClient, queues: QueueSet, logger: Logger, graceMs = 20_000): Promise<number> {
  return prisma.$transaction(
    async (tx) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${LOCK_KEY}) AS locked`;
      if (!lock?.locked) return 0;
      const rows = await tx.$queryRaw<{ id: string; queue: string; status: string }[]>`
        SELECT j.id::text AS id, j.queue, j.status::text AS status FROM jobs j
        WHERE j.status IN ('queued', 'active') AND j.updated_at < now() - make_interval(secs => ${graceMs / 1000})
          AND NOT EXISTS (SELECT 1 FROM job_outbox o WHERE o.job_id = j.id)
        ORDER BY j.updated_at LIMIT 200`;
      let fixed = 0;
      for (const row of rows) {
        const bull = await queues.get(row.queue as QueueName).getJob(row.id);
        if (!bull) {
          await tx.$executeRaw`INSERT INTO job_outbox (job_id) VALUES (${row.id}::uuid) ON CONFLICT (job_id) DO NOTHING`;
          // Touch the row so the next pass waits a grace period for the relay.
          await tx.$executeRaw`UPDATE jobs SET updated_at = now() WHERE id = ${row.id}::uuid`;
          logger.warn({ job_id: row.id }, 'job missing from BullMQ; re-enqueued');
          fixed++;
          continue;
        }
        const state = await bull.getState();
        await tx.$executeRaw`UPDATE jobs SET updated_at = now() WHERE id = ${row.id}::uuid`; // rotate the sample
        if (state === 'failed') {
          const reason = bull.failedReason || 'failed';
          await finishUnsuccessfully(tx, row.id, 'failed', reason);
          const job = await tx.job.findUniqueOrThrow({ where: { id: row.id } });
          await failSubject(tx, job, reason); // the worker died before its failure hook ran
          fixed++;
        } else if (state === 'completed') {
          if (row.status === 'queued') await tx.$executeRaw`UPDATE jobs SET status = 'active' WHERE id = ${row.id}::uuid`;
          await completeJob(tx, row.id);
          fixed++;
        }
      }
      return fixed;
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}

export function startReconciler(prisma: PrismaClient, queues: QueueSet, logger: Logger, intervalMs = 5000): () => Promise<void> {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    if (stopped) return;
    running = reconcileOnce(prisma, queues, logger).catch((err: unknown) =>
      logger.debug({ err }, 'job reconciler pass skipped'),
    );
  }, intervalMs);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
