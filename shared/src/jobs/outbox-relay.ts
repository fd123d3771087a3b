// Moves outbox entries of one BULLMQ_PREFIX to BullMQ, in dependency order. Safe to run in every API and worker
// process at once. A batch is claimed in one statement (FOR UPDATE SKIP LOCKED, then leased by moving its
// next_attempt_at ahead, committed at once: no row lock is held while Redis is called), handed over with one
// `addBulk` per queue (job id = row id, so a repeated add is a no-op), then deleted. A relay that dies after its
// claim leaves the entries to the next relay once the lease ends; while Redis is away entries stay, with a
// growing back-off. A relay that moved entries looks again at once, and polls briefly after each wake-up, because
// producers skip the NOTIFY while entries are fresh (producer.ts).
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../logger/index.js';
import { definitionByName, type JobDefinition } from './definitions.js';
import type { BulkJob, QueueSet } from './queues.js';
import { listenForOutbox } from './outbox-wake.js';

export const RELAY_BATCH = 500;
const LEASE_S = 15;
const MAX_BACKOFF_S = 30;

interface Claimed {
  id: bigint;
  job_id: string;
  attempts: number;
  name: string;
  payload: unknown;
  priority: number;
  status: string;
}

export async function relayBatch(prisma: PrismaClient, queues: QueueSet, logger: Logger, batch = RELAY_BATCH): Promise<number> {
  if (!queues.isReady()) return 0; // nothing can be handed over: do not claim entries meanwhile
  // A job is handed over only once every job it depends on is complete (dependencies are kept in Postgres, the
  // source of truth, rather than in BullMQ flows that live only in Redis). A failed or cancelled dependency fails
  // its dependents (job-status.ts), whose entries are then dropped below.
  const claimed = await prisma.$queryRaw<Claimed[]>`
    WITH c AS (
      SELECT o.id FROM job_outbox o JOIN jobs j ON j.id = o.job_id
      WHERE o.prefix = ${queues.prefix} AND o.next_attempt_at <= now()
        AND (j.status IN ('complete', 'failed', 'cancelled')
             OR NOT EXISTS (SELECT 1 FROM jobs d WHERE d.id = ANY (j.depends_on) AND d.status <> 'complete'))
      ORDER BY o.id LIMIT ${batch} FOR UPDATE OF o SKIP LOCKED)
    UPDATE job_outbox o SET next_attempt_at = now() + make_interval(secs => ${LEASE_S})
    FROM c, jobs j WHERE o.id = c.id AND j.id = o.job_id
    RETURNING o.id, o.job_id::text AS job_id, o.attempts, j.name, j.payload, j.priority, j.status::text AS status`;
  if (claimed.length === 0) return 0;
  claimed.sort((a, b) => (a.id < b.id ? -1 : 1));

  const settled: bigint[] = [];
  const toAdd: (BulkJob & { entry: bigint; attempts: number })[] = [];
  for (const c of claimed) {
    const def: JobDefinition | undefined = definitionByName(c.name);
    if (!def) logger.error({ job_id: c.job_id, name: c.name }, 'outbox entry for an unknown job name dropped');
    if (!def || c.status === 'complete' || c.status === 'failed' || c.status === 'cancelled') settled.push(c.id);
    else toAdd.push({ def, jobId: c.job_id, payload: c.payload, priority: c.priority, entry: c.id, attempts: c.attempts });
  }
  let failed: unknown = null;
  if (toAdd.length) {
    try {
      await queues.addBulk(toAdd);
      settled.push(...toAdd.map((t) => t.entry));
    } catch (err) {
      failed = err; // Redis is away: keep the entries for later
    }
  }
  if (settled.length) await prisma.$executeRaw`DELETE FROM job_outbox WHERE id = ANY (${settled}::bigint[])`;
  if (failed) {
    const message = (failed instanceof Error ? failed.message : String(failed)).slice(0, 500);
    await prisma.$executeRaw`
      UPDATE job_outbox SET attempts = attempts + 1, last_error = ${message},
             next_attempt_at = now() + make_interval(secs => LEAST(${MAX_BACKOFF_S}, power(2, LEAST(attempts, 5))))
      WHERE id = ANY (${toAdd.map((t) => t.entry)}::bigint[])`;
    logger.warn({ pending: toAdd.length, err: message }, 'outbox relay: BullMQ unavailable, will retry');
  }
  return failed ? settled.length : claimed.length;
}

export interface RelayOptions {
  /**
   * Fallback poll (entries whose back-off ended, a missed or skipped notification); a notification wakes the relay
   * at once and it then keeps looking for RELAY_BUSY_MS (after 10, 20, 40, … ms).
   */
  intervalMs?: number;
  /** LISTEN for commits of new entries on this database (no listener: poll only). */
  databaseUrl?: string;
}

/**
 * How long a relay keeps looking after a notification or a batch that moved entries: producers skip the NOTIFY
 * while entries are fresh (producer.ts), so a busy relay must not wait for one. It looks after RELAY_BUSY_POLL_MS,
 * then twice as long after each look that found nothing (10, 20, 40, … ms: a handful of empty claims per
 * wake-up, not one every 10 ms while jobs trickle in).
 */
export const RELAY_BUSY_MS = 400;
export const RELAY_BUSY_POLL_MS = 10;

export function startOutboxRelay(prisma: PrismaClient, queues: QueueSet, logger: Logger, opts: RelayOptions = {}): () => Promise<void> {
  const intervalMs = opts.intervalMs ?? 1000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let again = false; // a wake-up arrived while a batch was running
  let busyUntil = 0; // performance.now() until which the relay keeps looking without a notification
  let busyDelay = RELAY_BUSY_POLL_MS; // the next look's delay while busy: doubles after each empty look
  const tick = async () => {
    let moved = 0;
    try {
      moved = await relayBatch(prisma, queues, logger);
    } catch (err) {
      logger.warn({ err }, 'outbox relay batch failed');
    }
    running = null;
    if (stopped) return;
    const now = performance.now();
    if (moved > 0) {
      busyUntil = now + RELAY_BUSY_MS;
      busyDelay = RELAY_BUSY_POLL_MS;
    }
    // Entries moved: look again at once (more may have been committed meanwhile, without a NOTIFY).
    const soon = moved > 0 || again;
    again = false;
    let delay = intervalMs;
    if (soon) delay = 0;
    else if (now < busyUntil) {
      delay = busyDelay;
      busyDelay *= 2;
    }
    timer = setTimeout(run, delay);
  };
  const run = () => {
    clearTimeout(timer);
    if (stopped) return;
    if (running) again = true;
    else running = tick();
  };
  const wake = () => {
    busyUntil = performance.now() + RELAY_BUSY_MS;
    busyDelay = RELAY_BUSY_POLL_MS;
    run();
  };
  const stopListening = opts.databaseUrl ? listenForOutbox(opts.databaseUrl, queues.prefix, wake, logger) : null;
  run();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await stopListening?.();
    await running;
  };
}
