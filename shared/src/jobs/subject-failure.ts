// The one way a job ends unsuccessfully for good, wherever it is decided: the worker (last attempt, a permanent
// error, an invalid payload), a client's cancel, or the reconciler following BullMQ. In one transaction:
//  - the row becomes failed / cancelled (only from queued or active: a job already finished is left alone, and
//    nothing else happens — so two deciders never both act), its dependents fail transitively, its outbox
//    entry is dropped;
//  - the thing it worked on follows: a material whose ingestion or embedding ended shows `error` and the slide
//    mappings waiting for it are re-checked; a submission whose review ended shows `failed` and its `failed`
//    webhook is enqueued.
import type { Prisma, PrismaClient } from '../db/client.js';
import { revalidateMappingsFor } from '../db/slide-mappings.repository.js';
import { enqueueSubmissionWebhook } from '../webhooks/enqueue.js';
import { finishUnsuccessfully } from './job-status.js';
import type { JobTarget } from './producer.js';

export interface FailedJob {
  /** Dependents failed with it. */
  dependents: string[];
}

export async function failJob(
  prisma: PrismaClient,
  target: JobTarget,
  jobId: string,
  status: 'failed' | 'cancelled',
  reason: string,
): Promise<FailedJob | null> {
  return prisma.$transaction(async (tx) => {
    const ended = await finishUnsuccessfully(tx, jobId, status, reason);
    if (!ended) return null;
    await tx.jobOutbox.deleteMany({ where: { jobId } });
    await failSubject(tx, target, ended.job, subjectReason(ended.job.jobType, status, reason));
    return { dependents: ended.dependents };
  });
}

const subjectReason = (jobType: string, status: 'failed' | 'cancelled', reason: string) =>
  status === 'failed' ? reason : jobType === 'check' ? 'Review cancelled' : 'Ingestion cancelled';

async function failSubject(
  tx: Prisma.TransactionClient,
  target: JobTarget,
  job: { tenantId: string; jobType: string; subjectId: string | null },
  reason: string,
): Promise<void> {
  if (!job.subjectId) return;
  if (job.jobType === 'ingest' || job.jobType === 'embed') {
    const n = await tx.material.updateMany({
      where: { id: job.subjectId, tenantId: job.tenantId, state: { in: ['raw', 'pending'] } },
      data: { state: 'error', errorMessage: reason },
    });
    if (n.count) await revalidateMappingsFor(tx, job.tenantId, job.subjectId);
  } else if (job.jobType === 'check') {
    const sub = await tx.submission.findFirst({ where: { id: job.subjectId, tenantId: job.tenantId } });
    if (!sub) return;
    const n = await tx.submission.updateMany({
      where: { id: sub.id, status: { in: ['received', 'processing'] } },
      data: { status: 'failed', failureReason: reason },
    });
    if (n.count === 1) await enqueueSubmissionWebhook(tx, target, sub, 'failed');
  }
}
