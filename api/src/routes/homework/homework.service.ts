// Homework submissions: where a submission may go (course root, lesson inside it), the submission + job + outbox
// write (one transaction), duplicate detection by the database's unique (tenant, student, node, file_sha256)
// constraint, and the reads. Tenant first everywhere; another tenant's row is "not found".
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import { Prisma } from '../../../../shared/src/db/client.js';
import { newId } from '../../../../shared/src/db/ids.js';
import { AppError, invalid, notFound } from '../../../../shared/src/errors/index.js';
import { ancestorIds } from '../../../../shared/src/db/nodes.repository.js';
import { enqueue, type JobTarget } from '../../../../shared/src/jobs/producer.js';
import { jobs } from '../../../../shared/src/jobs/definitions.js';
import type { SUBMISSION_STATUSES } from './homework.schemas.js';
import { lockTenantQuota, quotaExceeded, tenantQuotaUsage } from '../../../../shared/src/db/quota.repository.js';

/** course_node_id must be the tenant's root node; node_id must be the tenant's and inside that course. */
export async function checkTarget(prisma: PrismaClient, tenantId: string, courseNodeId: string, nodeId: string): Promise<void> {
  const course = await prisma.materialNode.findFirst({ where: { id: courseNodeId, tenantId }, select: { parentId: true } });
  if (!course) throw notFound('Course not found');
  if (course.parentId !== null) {
    throw invalid(['body', 'course_node_id'], 'course_node_id must be a course (a root node)', 'not_a_course');
  }
  const path = await ancestorIds(prisma, tenantId, nodeId);
  if (path.length === 0) throw notFound('Node not found');
  if (path[path.length - 1] !== courseNodeId) {
    throw invalid(['body', 'node_id'], 'node_id is not inside the course given by course_node_id', 'node_outside_course');
  }
}

export interface NewSubmission {
  id: string;
  studentExternalId: string;
  courseNodeId: string;
  nodeId: string;
  s3Key: string;
  originalFilename: string;
  sizeBytes: number;
  fileSha256: string;
  taskDescription: string | null;
  criteria: string[];
  webhookUrl: string | null;
  responseLanguage: string | null;
}

const withStudent = { student: { select: { externalId: true } } } as const;
export type SubmissionWithStudent = Prisma.SubmissionGetPayload<{ include: typeof withStudent }>;

export const isUniqueViolation = (err: unknown): boolean =>
  err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

/**
 * Student (get-or-create, one statement), submission, check job and outbox entry in one transaction, after the
 * file's size is checked against the tenant quota under the tenant's quota lock (materials' uploads take the
 * same lock): parallel submits and uploads cannot together store more than the quota.
 */
async function insertSubmission(prisma: PrismaClient, target: JobTarget, tenantId: string, quotaBytes: number, input: NewSubmission): Promise<SubmissionWithStudent> {
  return prisma.$transaction(async (tx) => {
    await lockTenantQuota(tx, tenantId);
    if ((await tenantQuotaUsage(tx, tenantId)) + input.sizeBytes > quotaBytes) throw quotaExceeded();
    // An upsert in one statement: concurrent first submissions of a new student wait for each other here.
    const [student] = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO students (id, tenant_id, external_id) VALUES (${newId()}::uuid, ${tenantId}::uuid, ${input.studentExternalId})
      ON CONFLICT (tenant_id, external_id) DO UPDATE SET external_id = EXCLUDED.external_id
      RETURNING id::text AS id`;
    const jobId = newId();
    await tx.submission.create({
      data: {
        id: input.id,
        tenantId,
        studentId: student!.id,
        courseNodeId: input.courseNodeId,
        nodeId: input.nodeId,
        status: 'received',
        fileSha256: input.fileSha256,
        originalFilename: input.originalFilename,
        s3Key: input.s3Key,
        sizeBytes: BigInt(input.sizeBytes),
        taskDescription: input.taskDescription,
        criteria: input.criteria,
        webhookUrl: input.webhookUrl,
        responseLanguage: input.responseLanguage,
        jobId,
      },
    });
    await enqueue(tx, target, tenantId, jobs.checkSubmission, { tenantId, submissionId: input.id }, { id: jobId, nodeId: input.nodeId, subjectId: input.id });
    return tx.submission.findUniqueOrThrow({ where: { id: input.id }, include: withStudent });
  });
}

function findDuplicate(prisma: PrismaClient, tenantId: string, input: NewSubmission) {
  return prisma.submission.findFirst({
    where: { tenantId, nodeId: input.nodeId, fileSha256: input.fileSha256, student: { tenantId, externalId: input.studentExternalId } },
    include: withStudent,
  });
}

/**
 * The same student + node + file again is the existing submission (`duplicate: true`). The unique constraint
 * decides, also between concurrent identical submits: the losers' inserts fail with P2002 and roll back whole.
 * A duplicate stays a duplicate when the quota is full (an LMS retrying a submit it already made gets its answer).
 */
export async function createSubmission(
  prisma: PrismaClient,
  target: JobTarget,
  tenantId: string,
  quotaBytes: number,
  input: NewSubmission,
): Promise<{ submission: SubmissionWithStudent; duplicate: boolean }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return { submission: await insertSubmission(prisma, target, tenantId, quotaBytes, input), duplicate: false };
    } catch (err) {
      const overQuota = err instanceof AppError && err.code === 'quota_exceeded';
      if (!isUniqueViolation(err) && !overQuota) throw err;
      const existing = await findDuplicate(prisma, tenantId, input);
      if (existing) return { submission: existing, duplicate: true };
      if (overQuota || attempt >= 2) throw err; // the winner rolled back after all: try again, a bounded number of times
    }
  }
}

export async function getSubmission(prisma: PrismaClient, tenantId: string, id: string) {
  const s = await prisma.submission.findFirst({
    where: { id, tenantId },
    include: { ...withStudent, deliveries: { orderBy: [{ createdAt: 'asc' }, { attempt: 'asc' }] } },
  });
  if (!s) throw notFound('Submission not found');
  return s;
}

export interface SubmissionFilter {
  student_external_id?: string;
  node_id?: string;
  status?: (typeof SUBMISSION_STATUSES)[number];
  limit: number;
  offset: number;
}

export async function listSubmissions(prisma: PrismaClient, tenantId: string, q: SubmissionFilter) {
  const where: Prisma.SubmissionWhereInput = {
    tenantId,
    ...(q.node_id ? { nodeId: q.node_id } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.student_external_id ? { student: { tenantId, externalId: q.student_external_id } } : {}),
  };
  const [items, total] = await Promise.all([
    prisma.submission.findMany({ where, include: withStudent, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: q.limit, skip: q.offset }),
    prisma.submission.count({ where }),
  ]);
  return { items, total };
}
