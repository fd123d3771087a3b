// Job rows are what clients see (Postgres is the source of truth); these are the only transitions.
//   queued → active → complete | failed (final) ; active → queued (a retry is coming, or the job waits for
//   something it needs, e.g. its materials' embedding) ; queued|active → cancelled
// A failed or cancelled job fails every job that depends on it, transitively.
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

export interface StatusWriter {
  /** startAttempt, written together with concurrent calls (group-commit.ts). */
  start(job: { id: string; attempt: number }): Promise<boolean>;
  /** completeJob, likewise. */
  complete(jobId: string): Promise<boolean>;
}

/** The worker's start/complete writes: the same conditions as startAttempt/completeJob, one statement per group. */
export function statusWriter(prisma: PrismaClient): StatusWriter {
  return {
    start: groupCommit(async (items: { id: string; attempt: number }[]) => {
      const rows = await prisma.$queryRaw<{ id: string }[]>`
        UPDATE jobs j SET status = 'active', attempts = t.attempt, started_at = COALESCE(j.started_at, now()), updated_at = now()
        FROM unnest(${items.map((i) => i.id)}::uuid[], ${items.map((i) => i.attempt)}::int[]) AS t(id, attempt)
        WHERE j.id = t.id AND j.status IN ('queued', 'active')
        RETURNING j.id::text AS id`;
      const ok = new Set(rows.map((r) => r.id));
      return items.map((i) => ok.has(i.id));
    }),
    complete: groupCommit(async (ids: string[]) => {
      const rows = await prisma.$queryRaw<{ id: string }[]>`
        UPDATE jobs SET status = 'complete', progress = 100, completed_at = now(), error_message = NULL, updated_at = now()
        WHERE id = ANY (${ids}::uuid[]) AND status = 'active'
        RETURNING id::text AS id`;
      const ok = new Set(rows.map((r) => r.id));
      return ids.map((id) => ok.has(id));
    }),
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
