// Moves outbox entries to BullMQ, in dependency order. Safe to run in every API process at once: rows are claimed with
// FOR UPDATE SKIP LOCKED and deleted in the same transaction only after BullMQ accepted the job (job id = row
// id, so a repeated add is a no-op). While Redis is away entries stay, with a growing back-off.
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../logger/index.js';
import { definitionByName } from './definitions.js';
import type { QueueSet } from './queues.js';

const BATCH = 100;
const MAX_BACKOFF_S = 30;

export async function relayBatch(prisma: PrismaClient, queues: QueueSet, logger: Logger): Promise<number> {
  if (!queues.isReady()) return 0; // nothing can be handed over: do not hold rows in a transaction meanwhile
  return prisma.$transaction(
    async (tx) => {
      // A job is handed over only once every job it depends on is complete (dependencies are kept in
      // Postgres, the source of truth, rather than in BullMQ flows that live only in Redis). A failed or
      // cancelled dependency fails its dependents (job-status.ts), whose entries are then dropped below.
      const claimed = await tx.$queryRaw<{ id: bigint; job_id: string; attempts: number }[]>`
        SELECT o.id, o.job_id::text AS job_id, o.attempts FROM job_outbox o JOIN jobs j ON j.id = o.job_id
        WHERE o.next_attempt_at <= now()
          AND (j.status IN ('complete', 'failed', 'cancelled')
               OR NOT EXISTS (SELECT 1 FROM jobs d WHERE d.id = ANY (j.depends_on) AND d.status <> 'complete'))
        ORDER BY o.id LIMIT ${BATCH} FOR UPDATE OF o SKIP LOCKED`;
      if (claimed.length === 0) return 0;
      const rows = await tx.job.findMany({ where: { id: { in: claimed.map((c) => c.job_id) } } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      const done: bigint[] = [];
      let failure: { err: unknown; from: number } | null = null;
      for (let i = 0; i < claimed.length; i++) {
        const entry = claimed[i] as (typeof claimed)[number];
        const job = byId.get(entry.job_id);
        const def = job ? definitionByName(job.name) : undefined;
        if (!job || !def || job.status === 'complete' || job.status === 'failed' || job.status === 'cancelled') {
          if (job && !def) logger.error({ job_id: job.id, name: job.name }, 'outbox entry for an unknown job name dropped');
          done.push(entry.id);
          continue;
        }
        try {
          await queues.add(def, job.id, job.payload, job.priority);
          done.push(entry.id);
        } catch (err) {
          failure = { err, from: i }; // Redis is away: keep this entry and the rest for later
          break;
        }
      }
      if (done.length) await tx.jobOutbox.deleteMany({ where: { id: { in: done } } });
      if (failure) {
        const rest = claimed.slice(failure.from);
        const message = failure.err instanceof Error ? failure.err.message : String(failure.err);
        for (const e of rest) {
          const delay = Math.min(MAX_BACKOFF_S, 2 ** Math.min(e.attempts, 5));
          await tx.$executeRaw`
            UPDATE job_outbox SET attempts = attempts + 1, last_error = ${message.slice(0, 500)},
                   next_attempt_at = now() + make_interval(secs => ${delay})
            WHERE id = ${e.id}`;
        }
        logger.warn({ pending: rest.length, err: message }, 'outbox relay: BullMQ unavailable, will retry');
      }
      return done.length;
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}

export function startOutboxRelay(
  prisma: PrismaClient,
  queues: QueueSet,
  logger: Logger,
  intervalMs = 250,
): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    let moved = 0;
    try {
      moved = await relayBatch(prisma, queues, logger);
    } catch (err) {
      logger.warn({ err }, 'outbox relay batch failed');
    }
    if (!stopped) timer = setTimeout(() => (running = tick()), moved === BATCH ? 0 : intervalMs);
  };
  running = tick();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
