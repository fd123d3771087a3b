// Homework routes (API.md "Homework checking"): submit, one submission, the filtered list.
import type { S3Client } from '@aws-sdk/client-s3';
import { defineRoute, type RouteDef } from '../../http/define-route.js';
import { zodIssues } from '../../middleware/validate.js';
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import { AppError, type ValidationIssue } from '../../../../shared/src/errors/index.js';
import type { Logger } from '../../../../shared/src/logger/index.js';
import type { PrivateTargets } from '../../../../shared/src/net/index.js';
import { deleteObject } from '../../../../shared/src/storage/index.js';
import {
  SubmissionDetailSchema,
  SubmissionIdParams,
  SubmissionListQuery,
  SubmissionListSchema,
  SubmitFields,
  SubmitForm,
  SubmitResponse,
  type SubmitFieldsInput,
} from './homework.schemas.js';
import { parseHomeworkUpload, type StoredHomework } from './homework.upload.js';
import type { JobTarget } from '../../../../shared/src/jobs/producer.js';
import { checkTarget, createSubmission, getSubmission, listSubmissions } from './homework.service.js';
import { presentSubmission, presentSubmissionDetail, presentSubmitResult } from './homework.presenter.js';
import { checkWebhookUrl } from '../tenant/tenant.service.js';
import { lingerOnRefusal } from '../../http/lingering-close.js';

export interface HomeworkRouteDeps {
  prisma: PrismaClient;
  s3: S3Client;
  bucket: string;
  logger: Logger;
  /** Where enqueued jobs go. */
  jobs: JobTarget;
  maxBytes: number;
  /** The tenant storage quota (materials and homework files). */
  quotaBytes: number;
  allowPrivateTargets: PrivateTargets;
}

const tags = ['homework'];

/** Every problem of the form at once (fields and a missing file), as one 422. */
function validFields(fields: Record<string, string>, file: StoredHomework | null): SubmitFieldsInput {
  const parsed = SubmitFields.safeParse(fields);
  const issues: ValidationIssue[] = parsed.success ? [] : zodIssues('body', parsed.error, fields);
  if (!file) issues.push({ loc: ['body', 'file'], msg: 'Field required', type: 'missing' });
  if (issues.length || !parsed.success) throw new AppError('validation_error', issues);
  return parsed.data;
}

export function homeworkRoutes(deps: HomeworkRouteDeps): RouteDef[] {
  const ref = { client: deps.s3, bucket: deps.bucket };
  return [
    defineRoute({
      method: 'post',
      path: '/homework/submit',
      scope: 'check',
      summary: "Submit a student's homework for review",
      description:
        'multipart/form-data. The file (≤ 10 MiB, homework extensions only) is streamed to storage and reviewed by the ' +
        'worker; poll GET /homework/submissions/{id} or receive the signed webhook. The same student + node + file again ' +
        'answers the existing submission with `duplicate: true`. Homework files count against the tenant storage quota ' +
        '(413 `quota_exceeded` when the file does not fit).',
      tags,
      bodyKind: 'multipart',
      multipartDoc: SubmitForm,
      responses: { 202: { description: 'Accepted; review queued (or the existing submission)', schema: SubmitResponse } },
      errors: [404, 413, 422],
      handler: async ({ req, res, auth }) => {
        let parsed;
        try {
          parsed = await parseHomeworkUpload(req, { s3: deps.s3, bucket: deps.bucket, tenantId: auth.tenantId }, deps.maxBytes);
        } catch (err) {
          lingerOnRefusal(req); // the client is still sending: read on (bounded) so that it gets the answer
          throw err;
        }
        const { fields, file } = parsed;
        try {
          const input = validFields(fields, file);
          const stored = file as StoredHomework;
          await checkTarget(deps.prisma, auth.tenantId, input.course_node_id, input.node_id);
          const webhookUrl = input.webhook_url
            ? await checkWebhookUrl(input.webhook_url, deps.allowPrivateTargets, ['body', 'webhook_url'])
            : null;
          const { submission, duplicate } = await createSubmission(deps.prisma, deps.jobs, auth.tenantId, deps.quotaBytes, {
            id: stored.submissionId,
            studentExternalId: input.student_external_id,
            courseNodeId: input.course_node_id,
            nodeId: input.node_id,
            s3Key: stored.key,
            originalFilename: stored.filename,
            sizeBytes: stored.sizeBytes,
            fileSha256: stored.sha256,
            taskDescription: input.task_description ?? null,
            criteria: input.criteria ?? [],
            webhookUrl,
            responseLanguage: input.response_language ?? null,
          });
          if (duplicate) {
            await deleteObject({ ...ref, key: stored.key }).catch((err: unknown) =>
              deps.logger.warn({ err, key: stored.key }, 'duplicate homework object not deleted'),
            );
          }
          res.status(202).json(presentSubmitResult(submission, duplicate));
        } catch (err) {
          if (file) await deleteObject({ ...ref, key: file.key }).catch(() => undefined);
          throw err;
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/homework/submissions/:id',
      scope: 'prep_or_check',
      summary: 'A submission with its review and webhook deliveries',
      tags,
      params: SubmissionIdParams,
      responses: { 200: { description: 'Submission', schema: SubmissionDetailSchema } },
      errors: [404, 422],
      handler: async ({ res, auth, params }) => {
        res.json(presentSubmissionDetail(await getSubmission(deps.prisma, auth.tenantId, params.id)));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/homework/submissions',
      scope: 'prep_or_check',
      summary: 'List submissions, newest first',
      tags,
      query: SubmissionListQuery,
      responses: { 200: { description: 'Submissions', schema: SubmissionListSchema } },
      errors: [422],
      handler: async ({ res, auth, query }) => {
        const { items, total } = await listSubmissions(deps.prisma, auth.tenantId, query);
        res.json({ items: items.map(presentSubmission), total, limit: query.limit, offset: query.offset });
      },
    }),
  ];
}
