// Job rows are what clients see (Postgres is the source of truth); these are the only transitions.
//   queued → active → complete | failed (final) ; active → queued (a retry is coming, or the job waits for
//   something it needs, e.g. its materials' embedding) ; queued|active → cancelled
// A failed or cancelled job fails every job that depends on it, transitively.
import { createPool } from '../db/client.js';
import type { PrismaClient, Prisma } from '../db/client.js';
import { groupCommit } from './group-commit.js';

type Db = PrismaClient | Prisma.TransactionClient;
export const TERMINAL = ['complete', 'failed', 'cancelled'] as const;

/** Marks the start of an attempt. Returns false when the job must not run (cancelled, finished, unknown). */
export async function startAttempt(db: Db, jobId: string, attempt: number): Promise<boolean> {
  const n = await db.$executeRaw`
    UPDATE jobs SET status = 'active', attempts = ${attempt}, started_at = COALESCE(started_at, now()),
                    updated_at = now()
    WHERE id = ${jobId}::uuid AND status IN ('queued', 'active')`;
  return n === 1;
}

export async function reportProgress(db: Db, jobId: string, progress: number): Promise<void> {
  const p = Math.max(0, Math.min(100, Math.round(progress)));
  await db.$executeRaw`
    UPDATE jobs SET progress = GREATEST(progress, ${p}), updated_at = now() WHERE id = ${jobId}::uuid AND status = 'active'`;
}

/** Completes an active job; false when it is no longer active (cancelled meanwhile). */
export async function completeJob(db: Db, jobId: string): Promise<boolean> {
  const n = await db.$executeRaw`
    UPDATE jobs SET status = 'complete', progress = 100, completed_at = now(), error_message = NULL, updated_at = now()
    WHERE id = ${jobId}::uuid AND status = 'active'`;
  return n === 1;
}

/** How long a running attempt may go before its row is written `active`; shorter attempts are written once, at the end. */
export const ACTIVE_AFTER_MS = 25;

/** One attempt of a job in the worker (StatusWriter.begin). */
export interface Attempt {
  /** False when the job must not run (cancelled, finished, unknown): nothing was written. */
  readonly admitted: boolean;
  /**
   * Writes the row `active` with the attempt number and started_at, once (later calls wait for the same write).
   * Called ACTIVE_AFTER_MS after begin while the handler still runs, and before any other write of the attempt
   * (progress, retry, waiting, failure), so those see the row as today. False when the row is no longer
   * queued/active (cancelled meanwhile).
   */
  markActive(): Promise<boolean>;
  /**
   * Completes the attempt (one statement, which also records the attempt number and started_at when the row was
   * never written `active`); false when the row is no longer unfinished (cancelled meanwhile).
   */
  complete(): Promise<boolean>;
  /** Stops the ACTIVE_AFTER_MS timer (the attempt ended in a way that writes nothing, or elsewhere). */
  end(): void;
}

export interface StatusWriter {
  /** Starts an attempt: a group-committed read of the row's status (no write, no WAL flush) decides admission. */
  begin(job: { id: string; attempt: number }): Promise<Attempt>;
  /** Ends the writer's connections (after the workers closed). */
  close(): Promise<void>;
}

interface CompleteItem {
  id: string;
  attempt: number;
  /** ms since the attempt began: started_at when the row was never written active. */
  elapsedMs: number;
  /** The active write was not confirmed (never sent, or its answer lost): the row may still be `queued`. */
  maybeQueued: boolean;
}

/**
 * The worker's per-attempt status writes, each group-committed with concurrent attempts' (group-commit.ts):
 * admission is a read, and an attempt that ends within ACTIVE_AFTER_MS costs a single UPDATE (queued → complete)
 * instead of two; longer attempts are written `active` while they run, as startAttempt does. The statements go
 * through a small pg pool of their own (a connection per statement in flight): Prisma's raw-query path
 * costs about twice the CPU per statement (0.45 ms against 0.2 ms, measured), on the worker's hottest path.
 */
export function statusWriter(databaseUrl: string, opts: { statementTimeoutMs?: number } = {}): StatusWriter {
  const pool = createPool(databaseUrl, {
    poolMax: 3,
    applicationName: 'job-status',
    idleTimeoutMillis: 0, // kept open: a reconnect would sit between a handler's end and its row's completion
    ...(opts.statementTimeoutMs ? { statementTimeoutMs: opts.statementTimeoutMs } : {}),
  });
  const ids = async (sql: string, params: unknown[]) => new Set((await pool.query<{ id: string }>(sql, params)).rows.map((r) => r.id));
  // Admission reads and completions share one group commit and one statement: an attempt that begins and one that
  // ends at the same moment cost a single round trip. Named, so each connection parses and plans it once.
  type SettleItem = { kind: 'check'; id: string } | ({ kind: 'complete' } & CompleteItem);
  const settle = groupCommit(async (items: SettleItem[]) => {
    const checks: string[] = [];
    const done: CompleteItem[] = [];
    for (const i of items) {
      if (i.kind === 'check') checks.push(i.id);
      else done.push(i);
    }
    const { rows } = await pool.query<{ k: 'admit' | 'done'; id: string; status: string | null }>({
      name: 'job-status-settle',
      // The read is by id alone, the status compared here: a status condition in SQL lets the planner AND in the
      // status index, which holds every finished row (23 ms instead of 0.1 ms at 100k rows whose statistics are
      // stale). The read sees the rows as they were before this statement's completions (other jobs' rows).
      text: `WITH done AS (
               UPDATE jobs j SET status = 'complete', progress = 100, completed_at = now(), error_message = NULL, updated_at = now(),
                                 attempts = t.attempt,
                                 started_at = COALESCE(j.started_at, now() - make_interval(secs => t.elapsed_ms / 1000.0))
               FROM unnest($2::uuid[], $3::int[], $4::int[], $5::bool[]) AS t(id, attempt, elapsed_ms, maybe_queued)
               WHERE j.id = t.id AND (j.status = 'active' OR (t.maybe_queued AND j.status = 'queued'))
               RETURNING j.id)
             SELECT 'done' AS k, id::text AS id, NULL::text AS status FROM done
             UNION ALL
             SELECT 'admit', id::text, status::text FROM jobs WHERE id = ANY ($1::uuid[])`,
      values: [checks, done.map((i) => i.id), done.map((i) => i.attempt), done.map((i) => i.elapsedMs), done.map((i) => i.maybeQueued)],
    });
    const admitted = new Set<string>();
    const completed = new Set<string>();
    for (const r of rows) {
      if (r.k === 'done') completed.add(r.id);
      else if (r.status === 'queued' || r.status === 'active') admitted.add(r.id);
    }
    return items.map((i) => (i.kind === 'check' ? admitted.has(i.id) : completed.has(i.id)));
  });
  const check = (id: string) => settle({ kind: 'check', id });
  const complete = (item: CompleteItem) => settle({ kind: 'complete', ...item });
  const start = groupCommit(async (items: { id: string; attempt: number; elapsedMs: number }[]) => {
    const ok = await ids(
      `UPDATE jobs j SET status = 'active', attempts = t.attempt,
                         started_at = COALESCE(j.started_at, now() - make_interval(secs => t.elapsed_ms / 1000.0)), updated_at = now()
       FROM unnest($1::uuid[], $2::int[], $3::int[]) AS t(id, attempt, elapsed_ms)
       WHERE j.id = t.id AND j.status IN ('queued', 'active')
       RETURNING j.id::text AS id`,
      [items.map((i) => i.id), items.map((i) => i.attempt), items.map((i) => i.elapsedMs)],
    );
    return items.map((i) => ok.has(i.id));
  });

  return {
    async begin({ id, attempt }) {
      const admitted = await check(id);
      const began = performance.now();
      const elapsedMs = () => Math.round(performance.now() - began);
      let active: Promise<boolean> | null = null;
      let answered = false; // the active write answered (true, or false: the row had finished, which is final)
      const markActive = () => {
        active ??= start({ id, attempt, elapsedMs: elapsedMs() }).then(
          (ok) => ((answered = true), ok),
          (err: unknown) => {
            active = null; // not known to be written: the next call writes again
            throw err;
          },
        );
        return active;
      };
      const timer = admitted ? setTimeout(() => void markActive().catch(() => undefined), ACTIVE_AFTER_MS) : undefined;
      return {
        admitted,
        markActive,
        end: () => clearTimeout(timer),
        async complete() {
          clearTimeout(timer);
          if (active) await active.catch(() => undefined); // its answer decides the condition below
          return complete({ id, attempt, elapsedMs: elapsedMs(), maybeQueued: !answered });
        },
      };
    },
    close: () => pool.end(),
  };
}

/** An attempt failed but BullMQ will retry: back to queued, with the reason kept for the client. */
export async function markRetrying(db: Db, jobId: string, message: string): Promise<void> {
  await db.$executeRaw`
    UPDATE jobs SET status = 'queued', error_message = ${message}, updated_at = now()
    WHERE id = ${jobId}::uuid AND status = 'active'`;
}

/** The job waits (BullMQ delayed, no attempt used) for something it needs: back to queued, with what it waits for. */
export async function markWaiting(db: Db, jobId: string, message: string): Promise<void> {
  await db.$executeRaw`
    UPDATE jobs SET status = 'queued', error_message = ${message}, updated_at = now()
    WHERE id = ${jobId}::uuid AND status = 'active'`;
}

/**
 * Final failure (or cancellation) of a queued or active job and the cascade to its dependents; null when the job
 * had already finished (nothing changed). Subjects are subject-failure.ts's business (failJob).
 */
export async function finishUnsuccessfully(
  db: Db,
  jobId: string,
  status: 'failed' | 'cancelled',
  message: string | null,
): Promise<{ job: { tenantId: string; jobType: string; subjectId: string | null }; dependents: string[] } | null> {
  const [row] = await db.$queryRaw<{ tenant_id: string; job_type: string; subject_id: string | null }[]>`
    UPDATE jobs SET status = ${status}::"JobStatus", error_message = ${message}, completed_at = now(), updated_at = now()
    WHERE id = ${jobId}::uuid AND status IN ('queued', 'active')
    RETURNING tenant_id::text, job_type::text, subject_id::text`;
  if (!row) return null;
  const dependents = await cascade(db, jobId, status === 'cancelled' ? 'cancelled' : 'failed');
  return { job: { tenantId: row.tenant_id, jobType: row.job_type, subjectId: row.subject_id }, dependents };
}

async function cascade(db: Db, rootId: string, how: 'failed' | 'cancelled'): Promise<string[]> {
  const failed: string[] = [];
  let frontier = [{ id: rootId, how }];
  while (frontier.length) {
    const next: { id: string; how: 'failed' | 'cancelled' }[] = [];
    for (const { id, how: h } of frontier) {
      const rows = await db.$queryRaw<{ id: string }[]>`
        UPDATE jobs SET status = 'failed', error_message = ${`Dependency ${id} ${h}`}, completed_at = now(), updated_at = now()
        WHERE ${id}::uuid = ANY(depends_on) AND status IN ('queued', 'active')
        RETURNING id::text AS id`;
      for (const r of rows) {
        failed.push(r.id);
        next.push({ id: r.id, how: 'failed' });
      }
    }
    frontier = next;
  }
  return failed;
}

/** Cancels unfinished jobs about subjects being deleted (inside the caller's deleting transaction; the subjects go, so
 * nothing follows for them — failJob is for subjects that stay). */
export async function cancelSubjectJobs(db: Db, tenantId: string, subjectIds: string[], reason: string): Promise<void> {
  if (!subjectIds.length) return;
  const open = await db.job.findMany({
    where: { tenantId, subjectId: { in: subjectIds }, status: { in: ['queued', 'active'] } },
    select: { id: true },
  });
  for (const j of open) await finishUnsuccessfully(db, j.id, 'cancelled', reason);
  if (open.length) await db.jobOutbox.deleteMany({ where: { jobId: { in: open.map((j) => j.id) } } });
}
