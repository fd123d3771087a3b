// check.submission: stored file → temp file → unpack (limits; docx/pdf in a child process) → embed the submission
// → the lesson's closest course chunks + key concepts → review (local reviewer) → Markdown. The review, the status
// `reviewed`, the student's language and the webhook job are written in one transaction.
// Idempotent: a submission that is already reviewed, delivered or failed is left alone, and the final write only
// applies while the submission is still received/processing, so a retry after a crash adds no second webhook.
// A InputError (unsafe archive, wrong encoding, too much text …) is permanent: UnrecoverableError, and
// failJob (shared/src/jobs/subject-failure.ts) marks the submission failed with that reason and enqueues a
// `failed` webhook.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError } from 'bullmq';
import type { S3Client } from '@aws-sdk/client-s3';
import type { PrismaClient, Prisma } from '../../../../shared/src/db/client.js';
import type { Config } from '../../../../shared/src/config/index.js';
import type { Logger } from '../../../../shared/src/logger/index.js';
import type { EmbeddingProvider } from '../../../../shared/src/providers/embeddings/index.js';
import { ProviderError } from '../../../../shared/src/providers/http/provider-error.js';
import { extractInSubprocess } from '../../ingestion/extract-subprocess.js';
import { unpackSubmission } from '../../review/unpack.js';
import { isInputError } from '../../input-error.js';
import { reviewLocally } from '../../review/local-reviewer.js';
import { LlmReviewError, reviewWithLlm } from '../../review/llm-review.js';
import type { LlmProvider } from '../../../../shared/src/providers/llm/index.js';
import { loadPrompt } from '../../../../shared/src/generation/prompt-registry.js';
import { renderReviewMarkdown } from '../../review/review-markdown.js';
import type { SubmissionFile } from '../../review/unpack-types.js';
import { cancelled, skipped, type JobContext } from '../../registry.js';
import { fetchObject } from '../ingest/fetch-source.js';
import { enqueueSubmissionWebhook } from '../../../../shared/src/webhooks/enqueue.js';
import { DEFAULT_RETRIEVAL, lessonConcepts, retrieveReferences } from './review-context.js';

export interface CheckDeps {
  prisma: PrismaClient;
  s3: S3Client;
  config: Config;
  logger: Logger;
  embedder: EmbeddingProvider;
  /** Set when REVIEW_PROVIDER=openai: reviews come from the model, post-processed by code. */
  reviewLlm?: LlmProvider | null;
}

/** Characters of the submission (after task and criteria) embedded as the retrieval query. */
const QUERY_CHARS = 8000;
const DEFAULT_LANGUAGE = 'en';
const OPEN: ('received' | 'processing')[] = ['received', 'processing'];

function retrievalQuery(files: SubmissionFile[], task: string | null, criteria: string[]): string {
  const text = [task ?? '', ...criteria, ...files.map((f) => f.text)].filter((s) => s.trim()).join('\n');
  return text.slice(0, QUERY_CHARS);
}

export function checkSubmission(deps: CheckDeps) {
  return async (payload: { tenantId: string; submissionId: string }, ctx: JobContext) => {
    const { prisma, config } = deps;
    const sub = await prisma.submission.findFirst({
      where: { id: payload.submissionId, tenantId: payload.tenantId },
      include: { student: { select: { lastLanguage: true } } },
    });
    if (!sub) throw new UnrecoverableError('Submission no longer exists');
    if (!OPEN.includes(sub.status as 'received')) return skipped(`submission is ${sub.status}`);
    await prisma.submission.updateMany({ where: { id: sub.id, status: 'received' }, data: { status: 'processing' } });

    const dir = await mkdtemp(join(tmpdir(), 'cs-check-'));
    try {
      const source = await fetchObject(deps.s3, config.S3_BUCKET, sub.s3Key, dir, config.HOMEWORK_MAX_BYTES);
      await ctx.progress(10);
      let files: SubmissionFile[];
      try {
        ({ files } = await unpackSubmission(source.path, {
          filename: sub.originalFilename,
          extractDocument: (path, o) =>
            extractInSubprocess(path, { filename: o.filename, ...(o.limits ? { limits: o.limits } : {}), timeoutMs: config.EXTRACTION_TIMEOUT_MS }),
        }));
      } catch (err) {
        if (isInputError(err)) throw new UnrecoverableError(err.message);
        throw err;
      }
      await ctx.progress(30);

      let vector: number[];
      try {
        [vector] = (await deps.embedder.embed([retrievalQuery(files, sub.taskDescription, sub.criteria)], {
          tenantId: sub.tenantId,
          jobId: ctx.jobId,
          action: 'check',
        })) as [number[]];
      } catch (err) {
        if (err instanceof ProviderError && err.permanent) throw new UnrecoverableError(`embedding provider refused: ${err.message}`);
        throw err;
      }
      const target = { nodeId: sub.nodeId, courseNodeId: sub.courseNodeId };
      const references = await retrieveReferences(prisma, sub.tenantId, target, vector, { ...DEFAULT_RETRIEVAL, efSearch: config.SEARCH_EF_SEARCH });
      const concepts = await lessonConcepts(prisma, sub.tenantId, target);
      await ctx.progress(60);
      if (await ctx.isCancelled()) return cancelled();

      const language = sub.responseLanguage ?? sub.student.lastLanguage ?? DEFAULT_LANGUAGE;
      const input = { files, taskDescription: sub.taskDescription, criteria: sub.criteria, concepts, references, responseLanguage: language };
      const review = deps.reviewLlm ? await reviewByModel(deps.reviewLlm, input, sub.tenantId, ctx.jobId) : await reviewLocally(input);
      const markdown = renderReviewMarkdown(review);

      const written = await prisma.$transaction(async (tx) => {
        const n = await tx.submission.updateMany({
          where: { id: sub.id, status: { in: OPEN } },
          data: {
            status: 'reviewed',
            review: review as unknown as Prisma.InputJsonValue,
            score: review.score,
            reviewMarkdown: markdown,
            responseLanguage: review.response_language,
            failureReason: null,
          },
        });
        if (n.count === 0) return false;
        if (sub.responseLanguage) await tx.student.update({ where: { id: sub.studentId }, data: { lastLanguage: sub.responseLanguage } });
        await enqueueSubmissionWebhook(tx, { prefix: config.BULLMQ_PREFIX }, sub, 'reviewed');
        return true;
      });
      return { reviewed: written, score: review.score, files: files.length, references: references.length };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

const REVIEW_PROMPT = 'review.v1';

/**
 * The model reviews; code keeps it honest (quotes must occur in the submission, the score is recomputed from the
 * criteria). An unusable answer is retried by the job; a provider that refuses for good fails it.
 */
async function reviewByModel(llm: LlmProvider, input: Parameters<typeof reviewLocally>[0], tenantId: string, jobId: string) {
  try {
    return await reviewWithLlm(input, async (prompt, o) => {
      const r = await llm.complete({
        action: 'review',
        schema: o.schema,
        schemaName: o.schemaName,
        system: loadPrompt(REVIEW_PROMPT).text,
        user: prompt,
        ctx: { tenantId, jobId },
        promptRef: REVIEW_PROMPT,
      });
      return r.value;
    });
  } catch (err) {
    if (err instanceof ProviderError && err.permanent) throw new UnrecoverableError(`review model refused: ${err.message}`);
    if (err instanceof LlmReviewError) throw new Error(`the review model's answer was unusable: ${err.message}`, { cause: err });
    throw err;
  }
}
