// Jobs accepted in Postgres must reach a terminal state even when Redis lost its data (restart without
// persistence, failover) or a worker died between BullMQ and Postgres updates. Every few seconds one process of
// the prefix (a Redis lease; API and worker processes all run the loop) compares unfinished job rows of its
// prefix with BullMQ:
//  - no BullMQ job and no outbox entry → a new outbox entry (the relay re-adds it under the same id);
//  - BullMQ says failed / completed but the row does not → the row follows BullMQ (failJob for a failure, so
//    the material or submission, its webhook and the dependents follow too).
// It reads, asks Redis, then acts with conditional statements (each holds its row only for that statement):
// a row that changed since it was read is left for the next pass. Jobs stuck `active` because their worker died
// are returned to the queue by BullMQ's own stalled-job check (lock expiry); this covers what BullMQ cannot see.
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../logger/index.js';
import { failJob } from './subject-failure.js';
import type { QueueName } from './definitions.js';
import type { QueueSet } from './queues.js';

const BATCH = 200;

interface Candidate {
  id: string;
  queue: string;
  updated_at: Date;
}

export async function reconcileOnce(prisma: PrismaClient, queues: QueueSet, logger: Logger, graceMs = 20_000): Promise<number> {
  const rows = await prisma.$queryRaw<Candidate[]>`
    SELECT j.id::text AS id, j.queue, j.updated_at FROM jobs j
    WHERE j.prefix = ${queues.prefix} AND j.status IN ('queued', 'active')
      AND j.updated_at < now() - make_interval(secs => ${graceMs / 1000})
      AND NOT EXISTS (SELECT 1 FROM job_outbox o WHERE o.job_id = j.id)
    ORDER BY j.updated_at LIMIT ${BATCH}`;
  let fixed = 0;
  for (const row of rows) {
    const bull = await queues.get(row.queue as QueueName).getJob(row.id);
    const state = bull ? await bull.getState() : 'missing';
    // Claim the row for this decision: unchanged since read, still unfinished; touched so the next pass waits.
    const touched = await prisma.$executeRaw`
      UPDATE jobs SET updated_at = now()
      WHERE id = ${row.id}::uuid AND updated_at = ${row.updated_at} AND status IN ('queued', 'active')`;
    if (touched === 0) continue; // it moved on meanwhile (a worker, a client, another pass)
    if (state === 'missing') {
      await prisma.$executeRaw`
        INSERT INTO job_outbox (job_id, prefix) VALUES (${row.id}::uuid, ${queues.prefix}) ON CONFLICT (job_id) DO NOTHING`;
      logger.warn({ job_id: row.id }, 'job missing from BullMQ; re-enqueued');
      fixed++;
    } else if (state === 'failed') {
      const reason = bull?.failedReason || 'failed';
      if (await failJob(prisma, queues, row.id, 'failed', reason)) {
        logger.warn({ job_id: row.id, err: reason }, 'job failed in BullMQ without its row; failed it');
        fixed++;
      }
    } else if (state === 'completed') {
      const n = await prisma.$executeRaw`
        UPDATE jobs SET status = 'complete', progress = 100, completed_at = now(), error_message = NULL, updated_at = now()
        WHERE id = ${row.id}::uuid AND status IN ('queued', 'active')`;
      if (n) logger.warn({ job_id: row.id }, 'job completed in BullMQ without its row; completed it');
      fixed += n;
    }
  }
  return fixed;
}

export function startReconciler(prisma: PrismaClient, queues: QueueSet, logger: Logger, intervalMs = 5000): () => Promise<void> {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    if (stopped || !queues.isReady()) return; // Redis away: nothing can be compared (the relay reports it)
    running = queues
      .tryLease('reconciler', intervalMs - 500)
      .then((mine) => (mine ? reconcileOnce(prisma, queues, logger) : 0))
      .catch((err: unknown) => logger.error({ err }, 'job reconciler pass failed'));
  }, intervalMs);
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
