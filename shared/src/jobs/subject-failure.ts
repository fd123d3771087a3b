// What a job's final failure (or cancellation) means for the thing it worked on, wherever it is decided: in the
// worker's failure hooks, by a client's cancel, or by the reconciler following BullMQ. A material whose ingestion
// or embedding ended shows `error`; a submission whose review ended shows `failed`.
import type { Prisma, PrismaClient } from '../db/client.js';

type Db = PrismaClient | Prisma.TransactionClient;

export async function failSubject(
  db: Db,
  job: { tenantId: string; jobType: string; subjectId: string | null },
  reason: string,
): Promise<void> {
  if (!job.subjectId) return;
  if (job.jobType === 'ingest' || job.jobType === 'embed') {
    await db.material.updateMany({
      where: { id: job.subjectId, tenantId: job.tenantId, state: { in: ['raw', 'pending'] } },
      data: { state: 'error', errorMessage: reason },
    });
  } else if (job.jobType === 'check') {
    await db.submission.updateMany({
      where: { id: job.subjectId, tenantId: job.tenantId, status: { in: ['received', 'processing'] } },
      data: { status: 'failed', failureReason: reason },
    });
  }
}
