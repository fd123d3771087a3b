// Job reads, cancellation and completion estimates. Postgres is the source of truth for what clients see.
import type pg from 'pg';
import type { PrismaClient, Prisma } from '../../../../shared/src/db/client.js';
import { conflict, notFound } from '../../../../shared/src/errors/index.js';
import { failJob } from '../../../../shared/src/jobs/subject-failure.js';
import type { QueueSet } from '../../../../shared/src/jobs/queues.js';
import type { QueueName } from '../../../../shared/src/jobs/definitions.js';

export interface JobServiceDeps {
  prisma: PrismaClient;
  /** The pg pool Prisma runs on (the status read). */
  sql: pg.Pool;
  queues: QueueSet;
}

const TERMINAL = new Set(['complete', 'failed', 'cancelled']);
const DEFAULT_DURATION_MS = 10_000;

/** A job as the status route reads it: the presented columns, its queue and how many jobs are ahead of it. */
export interface JobStatusRow {
  id: string;
  tenantId: string;
  jobType: string;
  priority: number;
  status: string;
  queue: string;
  nodeId: string | null;
  errorMessage: string | null;
  queuedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  estimatedAt: Date | null;
  progress: number;
  attempts: number;
  dependsOn: string[];
  subjectId: string | null;
  /** Queued or active jobs of the same queue that run before it (at most MAX_COUNTED_AHEAD); null unless it is queued. */
  ahead: number | null;
}

/**
 * A queued job's place in its queue is counted up to this many jobs ahead, so the most polled read costs a bounded
 * amount however deep the queue is (an estimate that far out only needs to say "at least").
 */
export const MAX_COUNTED_AHEAD = 10_000;

// The job-status read (only the columns the response carries, not the payload) and, for a queued job, its place
// in its queue (bounded) as a subquery Postgres evaluates only then.
const JOB_STATUS_SQL = `
  SELECT j.id, j.tenant_id AS "tenantId", j.job_type::text AS "jobType", j.priority, j.status::text AS status, j.queue,
    j.materialnode_id AS "nodeId", j.error_message AS "errorMessage", j.queued_at AS "queuedAt",
    j.started_at AS "startedAt", j.completed_at AS "completedAt", j.estimated_at AS "estimatedAt", j.progress,
    j.attempts, j.depends_on::text[] AS "dependsOn", j.subject_id AS "subjectId",
    CASE WHEN j.status = 'queued' THEN (
      SELECT count(*)::int FROM (
        SELECT 1 FROM jobs a
        WHERE a.queue = j.queue AND a.status IN ('queued', 'active') AND a.id <> j.id
          AND (a.priority > j.priority OR (a.priority = j.priority AND a.queued_at <= j.queued_at))
        LIMIT ${MAX_COUNTED_AHEAD}) ahead) END AS ahead
  FROM jobs j WHERE j.id = $1::uuid AND j.tenant_id = $2::uuid`;

/**
 * The job-status read in one round trip, the most polled statement of the API: hand-written SQL sent straight to
 * the pg pool Prisma runs on (with findFirst it took two or three statements and read the payload; through
 * Prisma's raw-query path the same SQL cost about as much CPU again as the query itself).
 */
export async function getJobStatus(sql: pg.Pool, tenantId: string, id: string): Promise<JobStatusRow> {
  const { rows } = await sql.query<JobStatusRow>(JOB_STATUS_SQL, [id, tenantId]);
  const row = rows[0];
  if (!row) throw notFound('Job not found');
  return row;
}

export async function getJob(prisma: PrismaClient, tenantId: string, id: string) {
  const job = await prisma.job.findFirst({ where: { id, tenantId } });
  if (!job) throw notFound('Job not found');
  return job;
}

export async function listJobs(
  prisma: PrismaClient,
  tenantId: string,
  q: { status?: string; job_type?: string; node_id?: string; limit: number; offset: number },
) {
  const where: Prisma.JobWhereInput = {
    tenantId,
    jobType: q.job_type ? (q.job_type as Prisma.JobWhereInput['jobType']) : { not: 'maintenance' },
    ...(q.status ? { status: q.status as Prisma.JobWhereInput['status'] } : {}),
    ...(q.node_id ? { nodeId: q.node_id } : {}),
  };
  const [items, total] = await Promise.all([
    prisma.job.findMany({ where, orderBy: [{ queuedAt: 'desc' }, { id: 'desc' }], take: q.limit, skip: q.offset }),
    prisma.job.count({ where }),
  ]);
  return { items, total };
}

// The mean of recent durations moves slowly; polling clients must not re-aggregate it on every request.
const MEAN_TTL_MS = 5000;
const means = new Map<string, { at: number; value: Promise<number> }>();

function recentMeanDuration(prisma: PrismaClient, jobType: string): Promise<number> {
  const hit = means.get(jobType);
  if (hit && Date.now() - hit.at < MEAN_TTL_MS) return hit.value;
  const value = prisma.$queryRaw<{ avg_ms: number | null }[]>`
    SELECT avg(extract(epoch FROM completed_at - started_at) * 1000)::float8 AS avg_ms FROM (
      SELECT completed_at, started_at FROM jobs
      WHERE job_type = ${jobType}::"JobType" AND status = 'complete' AND started_at IS NOT NULL
      ORDER BY completed_at DESC LIMIT 50) recent`.then(([row]) => row?.avg_ms ?? DEFAULT_DURATION_MS);
  value.catch(() => means.delete(jobType));
  means.set(jobType, { at: Date.now(), value });
  return value;
}

/**
 * When a queued or active job should finish: its place in its queue (`ahead`, read with the row by getJobStatus)
 * times the mean duration of the last completed jobs of its type (a default when there are none yet).
 */
export async function estimateCompletion(prisma: PrismaClient, job: Pick<JobStatusRow, 'status' | 'jobType' | 'startedAt' | 'ahead'>): Promise<Date | null> {
  if (TERMINAL.has(job.status)) return null;
  const avg = await recentMeanDuration(prisma, job.jobType);
  if (job.status === 'active') return new Date((job.startedAt ?? new Date()).getTime() + avg);
  return new Date(Date.now() + (Number(job.ahead ?? 0) + 1) * avg);
}

export async function cancelJob(deps: JobServiceDeps, tenantId: string, id: string) {
  const job = await getJob(deps.prisma, tenantId, id);
  if (TERMINAL.has(job.status)) throw conflict(`Job is already ${job.status}`);
  // The same failure path as the worker's and the reconciler's (subject, webhook, slide mappings, dependents).
  if (!(await failJob(deps.prisma, deps.queues, id, 'cancelled', 'Cancelled by client'))) {
    throw conflict(`Job is already ${(await getJob(deps.prisma, tenantId, id)).status}`);
  }
  // Best effort: a waiting BullMQ job is removed; an active one sees the cancellation and stops.
  await deps.queues
    .get(job.queue as QueueName)
    .remove(id)
    .catch(() => undefined);
  return getJob(deps.prisma, tenantId, id);
}
