// Enqueues the webhook of a submission outcome in the caller's transaction (with the status change it reports),
// when a target applies: the submission's own webhook_url, else the tenant's default. The delivery id is fixed
// here, so every attempt of this delivery carries the same X-CS-Delivery.
import type { Prisma } from '../db/client.js';
import { newId } from '../db/ids.js';
import { enqueue, type JobTarget } from '../jobs/producer.js';
import { jobs } from '../jobs/definitions.js';
import type { WebhookEvent } from './index.js';

export interface WebhookSubject {
  id: string;
  tenantId: string;
  nodeId: string;
  webhookUrl: string | null;
}

/** Returns the webhook job id, or null when neither the submission nor the tenant has a webhook URL. */
export async function enqueueSubmissionWebhook(
  tx: Prisma.TransactionClient,
  target: JobTarget,
  sub: WebhookSubject,
  event: WebhookEvent,
  occurredAt: Date = new Date(),
): Promise<string | null> {
  const url =
    sub.webhookUrl ?? (await tx.tenant.findUnique({ where: { id: sub.tenantId }, select: { webhookUrl: true } }))?.webhookUrl ?? null;
  if (!url) return null;
  const job = await enqueue(
    tx,
    target,
    sub.tenantId,
    jobs.webhookDeliver,
    { tenantId: sub.tenantId, submissionId: sub.id, deliveryId: newId(), event, occurredAt: occurredAt.toISOString() },
    { nodeId: sub.nodeId, subjectId: sub.id },
  );
  return job.id;
}
