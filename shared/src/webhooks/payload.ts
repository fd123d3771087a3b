// The webhook body of API.md: {event, submission_id, student_external_id, review: {passed, score, verdict,
// review_text, response_language} | null, reason, timestamp}. Built once per submission outcome and stored with
// the delivery, so every retry sends (and signs) the same bytes; `timestamp` is when the event happened (ISO 8601
// UTC), not when an attempt was made — the signature's `t` is the attempt time.
import { z } from 'zod';

export const WEBHOOK_EVENTS = ['reviewed', 'failed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const WebhookReviewSchema = z.object({
  passed: z.boolean(),
  score: z.number().int().min(0).max(100),
  verdict: z.enum(['correct', 'partial', 'incorrect']),
  /** The review as Markdown (review_markdown). */
  review_text: z.string(),
  response_language: z.string(),
});

export const WebhookPayloadSchema = z
  .object({
    event: z.enum(WEBHOOK_EVENTS),
    submission_id: z.string().min(1),
    student_external_id: z.string().min(1),
    review: WebhookReviewSchema.nullable(),
    reason: z.string().nullable(),
    timestamp: z.iso.datetime(),
  })
  .superRefine((p, ctx) => {
    if (p.event === 'reviewed' && p.review === null) ctx.addIssue({ code: 'custom', path: ['review'], message: 'a reviewed event carries the review' });
    if (p.event === 'failed' && p.reason === null) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a failed event carries a reason' });
  });

export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;
export type WebhookReview = z.infer<typeof WebhookReviewSchema>;

export interface BuildWebhookPayloadInput {
  event: WebhookEvent;
  submission_id: string;
  student_external_id: string;
  review: WebhookReview | null;
  reason?: string | null;
  /** When the event happened; default now. */
  timestamp?: Date | string;
}

export function buildWebhookPayload(input: BuildWebhookPayloadInput): WebhookPayload {
  const ts = input.timestamp === undefined ? new Date() : new Date(input.timestamp);
  return WebhookPayloadSchema.parse({
    event: input.event,
    submission_id: input.submission_id,
    student_external_id: input.student_external_id,
    review: input.event === 'reviewed' ? input.review : null,
    reason: input.reason ?? null,
    timestamp: ts.toISOString(),
  });
}

/** The exact bytes sent and signed. */
export function serializeWebhookPayload(payload: WebhookPayload): string {
  return JSON.stringify(payload);
}
