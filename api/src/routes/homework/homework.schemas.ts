import { z } from 'zod';
import '../../openapi.js';
import { ReviewSchema } from '../../../../shared/src/review/review.schema.js';

export const SUBMISSION_STATUSES = ['received', 'processing', 'reviewed', 'delivered', 'failed'] as const;

export const SubmissionIdParams = z.object({ id: z.uuid() });

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
/** A two-letter ISO 639-1 code that names a language (`en`, `uk`; not `zz`). */
export const isIso6391 = (code: string): boolean => /^[a-z]{2}$/.test(code) && languageNames.of(code) !== undefined;

/** Form fields arrive as strings; an empty optional field counts as absent. */
const optionalText = <S extends z.ZodType>(schema: S) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

export const MAX_CRITERIA = 100;
export const MAX_CRITERION_CHARS = 2000;
export const MAX_TASK_CHARS = 20_000;

const CriteriaList = z
  .array(z.string().trim().min(1).max(MAX_CRITERION_CHARS).refine((c) => !c.includes('\u0000'), 'NUL characters are not allowed'))
  .max(MAX_CRITERIA);

/** `criteria` is a JSON array of strings inside a form field. */
const CriteriaField = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'criteria must be a JSON array of strings, e.g. ["uses a loop"]' });
      return z.NEVER;
    }
  })
  .pipe(CriteriaList);

/** The multipart fields of POST /homework/submit (validated after the body was read; the file is separate). */
export const SubmitFields = z.object({
  student_external_id: z.string().trim().min(1).max(255),
  course_node_id: z.uuid(),
  node_id: z.uuid(),
  task_description: optionalText(z.string().max(MAX_TASK_CHARS)),
  criteria: optionalText(CriteriaField),
  webhook_url: optionalText(z.string().trim().max(2000)),
  response_language: optionalText(
    z
      .string()
      .trim()
      .toLowerCase()
      .refine(isIso6391, 'Input should be an ISO 639-1 language code (e.g. "en", "uk")'),
  ),
});
export type SubmitFieldsInput = z.output<typeof SubmitFields>;

export const SubmitForm = z
  .object({
    student_external_id: z.string().min(1).max(255),
    course_node_id: z.uuid().openapi({ description: 'A root node (course)' }),
    node_id: z.uuid().openapi({ description: 'The lesson node, inside that course' }),
    file: z.string().openapi({ type: 'string', format: 'binary', description: 'At most 10 MiB; homework extensions only' }),
    task_description: z.string().max(MAX_TASK_CHARS).optional(),
    criteria: z.string().optional().openapi({ description: 'JSON array of strings (≤ 100, each ≤ 2000 characters)' }),
    webhook_url: z.string().optional(),
    response_language: z.string().optional().openapi({ description: 'ISO 639-1, e.g. "en"' }),
  })
  .openapi('SubmitHomeworkForm');

export const SubmitResponse = z
  .object({
    submission_id: z.uuid(),
    student_id: z.uuid(),
    status: z.enum(SUBMISSION_STATUSES),
    job_id: z.uuid().nullable(),
    duplicate: z.boolean(),
  })
  .openapi('SubmitHomeworkResult');

export const SubmissionSchema = z
  .object({
    id: z.uuid(),
    student_id: z.uuid(),
    student_external_id: z.string(),
    materialnode_id: z.uuid(),
    course_node_id: z.uuid(),
    status: z.enum(SUBMISSION_STATUSES),
    score: z.number().int().min(0).max(100).nullable(),
    review: ReviewSchema.nullable(),
    review_markdown: z.string().nullable(),
    file_sha256: z.string(),
    original_filename: z.string(),
    response_language: z.string().nullable(),
    job_id: z.uuid().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    failure_reason: z.string().nullable(),
    size_bytes: z.number().int(),
  })
  .openapi('Submission');

export const DeliverySchema = z
  .object({
    delivery_id: z.uuid(),
    event: z.string(),
    attempt: z.number().int(),
    outcome: z.enum(['delivered', 'retry', 'failed']),
    http_status: z.number().int().nullable(),
    latency_ms: z.number().int(),
    error: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('WebhookDelivery');

export const SubmissionDetailSchema = SubmissionSchema.extend({ deliveries: z.array(DeliverySchema) }).openapi('SubmissionDetail');

export const SubmissionListQuery = z.object({
  student_external_id: z.string().trim().min(1).max(255).optional(),
  node_id: z.uuid().optional(),
  status: z.enum(SUBMISSION_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
});

export const SubmissionListSchema = z
  .object({ items: z.array(SubmissionSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('SubmissionList');
