// webhook.deliver: one attempt of one delivery per run. The body (API.md payload) is rebuilt from the stored
// submission and the event time in the job payload, so every attempt sends — and signs — the same bytes; the
// signature uses the tenant's secret, decrypted just before the call and never logged. The URL (the submission's,
// else the tenant default) is checked again by the outbound guard at send time; redirects are not followed.
// Every attempt leaves a WebhookDelivery row (the deliveries log). Outcomes:
//   2xx → delivered (a `reviewed` submission becomes `delivered`);
//   408/429/5xx/timeouts → thrown, retried by BullMQ after webhookBackoffMs (WEBHOOK_BACKOFF_BASE_MS doubling, capped,
//     Retry-After honoured) until WEBHOOK_MAX_ATTEMPTS;
//   other 4xx, redirects, refused URLs, no secret → UnrecoverableError. The submission keeps its status
//     (a webhook that cannot be delivered does not un-review a submission).
import { UnrecoverableError, type Job } from 'bullmq';
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import type { Config } from '../../../../shared/src/config/index.js';
import type { Logger } from '../../../../shared/src/logger/index.js';
import { newId } from '../../../../shared/src/db/ids.js';
import { privateTargetPolicy } from '../../../../shared/src/net/index.js';
import { ReviewSchema } from '../../../../shared/src/review/review.schema.js';
import {
  buildWebhookPayload,
  decryptSecret,
  DEFAULT_WEBHOOK_BACKOFF,
  deliverWebhook,
  serializeWebhookPayload,
  webhookBackoffMs,
  type DeliveryOutcome,
  type WebhookEvent,
} from '../../../../shared/src/webhooks/index.js';
import type { JobContext } from '../../registry.js';

export interface WebhookDeps {
  prisma: PrismaClient;
  config: Config;
  logger: Logger;
}

export interface WebhookPayloadJob {
  tenantId: string;
  submissionId: string;
  deliveryId: string;
  event: WebhookEvent;
  occurredAt: string;
}

/**
 * The delay BullMQ waits before the next attempt: BullMQ computes it from the failing job's `opts.backoff`, so
 * setting a fixed delay here gives this handler's own schedule without a worker-wide custom backoff strategy.
 */
function retryAfter(job: Job, delayMs: number): void {
  job.opts.backoff = { type: 'fixed', delay: Math.max(0, Math.round(delayMs)) };
}

type Secret = { ok: true; secret: string } | { ok: false; reason: string };

function tenantSecret(encrypted: string | null, appKey: string | undefined, tenantId: string): Secret {
  if (!encrypted) return { ok: false, reason: 'the tenant has no webhook secret; create one with POST /tenant/webhook/secret' };
  if (!appKey) return { ok: false, reason: 'the webhook secret cannot be decrypted: the server has no APP_ENCRYPTION_KEY' };
  try {
    return { ok: true, secret: decryptSecret(encrypted, appKey, tenantId) };
  } catch {
    return { ok: false, reason: 'the webhook secret cannot be decrypted (the application key changed?); rotate it with POST /tenant/webhook/secret' };
  }
}

export function deliverWebhookJob(deps: WebhookDeps) {
  const { prisma, config } = deps;
  const policy = { baseMs: config.WEBHOOK_BACKOFF_BASE_MS, maxMs: Math.max(DEFAULT_WEBHOOK_BACKOFF.maxMs, config.WEBHOOK_BACKOFF_BASE_MS) };
  return async (payload: WebhookPayloadJob, ctx: JobContext) => {
    const sub = await prisma.submission.findFirst({
      where: { id: payload.submissionId, tenantId: payload.tenantId },
      include: { student: { select: { externalId: true } } },
    });
    if (!sub) throw new UnrecoverableError('Submission no longer exists');
    const previous = await prisma.webhookDelivery.findMany({
      where: { submissionId: sub.id, deliveryId: payload.deliveryId },
      select: { outcome: true },
    });
    if (previous.some((p) => p.outcome === 'delivered')) return { delivered: true, repeated: true };
    const attempt = previous.length + 1;
    type Row = { outcome: DeliveryOutcome; httpStatus?: number; latencyMs?: number; error?: string };
    const rowData = (r: Row) => ({
      id: newId(),
      tenantId: sub.tenantId,
      submissionId: sub.id,
      deliveryId: payload.deliveryId,
      event: payload.event,
      attempt,
      outcome: r.outcome,
      httpStatus: r.httpStatus ?? null,
      latencyMs: r.latencyMs ?? 0,
      error: r.error ? r.error.slice(0, 2000) : null,
    });
    const record = (r: Row) => prisma.webhookDelivery.create({ data: rowData(r) });
    const refuse = async (reason: string): Promise<never> => {
      await record({ outcome: 'failed', error: reason });
      throw new UnrecoverableError(`webhook not delivered: ${reason}`);
    };

    const tenant = await prisma.tenant.findUnique({ where: { id: sub.tenantId }, select: { webhookUrl: true, webhookSecretEnc: true } });
    const url = sub.webhookUrl ?? tenant?.webhookUrl ?? null;
    if (!url) return refuse('no webhook URL is set (neither on the submission nor as the tenant default)');
    const secret = tenantSecret(tenant?.webhookSecretEnc ?? null, config.APP_ENCRYPTION_KEY, sub.tenantId);
    if (!secret.ok) return refuse(secret.reason);

    let review = null;
    if (payload.event === 'reviewed') {
      const parsed = ReviewSchema.safeParse(sub.review);
      if (!parsed.success || !sub.reviewMarkdown) return refuse('the submission has no stored review to deliver');
      const r = parsed.data;
      review = { passed: r.passed, score: r.score, verdict: r.verdict, review_text: sub.reviewMarkdown, response_language: r.response_language };
    }
    const body = serializeWebhookPayload(
      buildWebhookPayload({
        event: payload.event,
        submission_id: sub.id,
        student_external_id: sub.student.externalId,
        review,
        reason: payload.event === 'failed' ? (sub.failureReason ?? 'the review failed') : null,
        timestamp: payload.occurredAt,
      }),
    );

    const result = await deliverWebhook({
      url,
      secret: secret.secret,
      deliveryId: payload.deliveryId,
      event: payload.event,
      body,
      allowPrivate: privateTargetPolicy(config.ALLOW_PRIVATE_TARGETS),
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    });
    const row = { httpStatus: result.status, latencyMs: result.latencyMs, error: result.error };

    if (result.outcome === 'delivered') {
      await prisma.$transaction(async (tx) => {
        await tx.webhookDelivery.create({ data: rowData({ outcome: 'delivered', httpStatus: result.status, latencyMs: result.latencyMs }) });
        if (payload.event === 'reviewed') {
          await tx.submission.updateMany({ where: { id: sub.id, status: 'reviewed' }, data: { status: 'delivered' } });
        }
      });
      return { delivered: true, attempt, status: result.status };
    }
    const reason = result.error ?? 'not delivered';
    if (result.outcome === 'failed') {
      await record({ outcome: 'failed', ...row });
      throw new UnrecoverableError(`webhook not delivered: ${reason}`);
    }
    if (attempt >= config.WEBHOOK_MAX_ATTEMPTS) {
      await record({ outcome: 'failed', ...row, error: `${reason} (gave up after ${attempt} attempts)` });
      throw new UnrecoverableError(`webhook not delivered after ${attempt} attempts: ${reason}`);
    }
    await record({ outcome: 'retry', ...row });
    retryAfter(ctx.job, webhookBackoffMs(attempt, result.retryAfterMs ?? null, policy));
    throw new Error(`webhook attempt ${attempt} failed: ${reason}`);
  };
}

