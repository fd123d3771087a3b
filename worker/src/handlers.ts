// The handler list the registry checks against the job definitions.
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../shared/src/config/index.js';
import type { Logger } from '../../shared/src/logger/index.js';
import type { PrismaClient } from '../../shared/src/db/client.js';
import { jobs } from '../../shared/src/jobs/definitions.js';
import { handle, type HandlerEntry } from './registry.js';
import { ingestMaterial } from './processors/ingest/ingest-material.js';
import { embedMaterial } from './processors/embed/embed-material.js';
import { embeddingProviderFromConfig, transcriberFromConfig } from '../../shared/src/providers/from-config.js';
import type { Transcriber } from './ingestion/transcriber.js';
import { maintenanceSweep } from './processors/maintenance/sweep.js';
import { checkSubmission } from './processors/check/check-submission.js';
import { deliverWebhookJob } from './processors/webhooks/deliver-webhook.js';
import { generateNode, reconcileNode, refineNode } from './processors/generate/structure-steps.js';
import { llmProviderFromConfig } from '../../shared/src/providers/from-config.js';

export interface HandlerDeps {
  config: Config;
  logger: Logger;
  prisma: PrismaClient;
  s3: S3Client;
}

export function buildHandlers(deps: HandlerDeps): HandlerEntry[] {
  const embedder = embeddingProviderFromConfig(deps.config, deps.prisma, deps.logger);
  const shared = transcriberFromConfig(deps.config, deps.prisma, deps.logger);
  // Extraction runs per job; the provider needs the tenant and job for its cost rows.
  const transcriberFor = (tenantId: string, jobId: string): Transcriber | null =>
    deps.config.TRANSCRIPTION_PROVIDER === 'none'
      ? null
      : { transcribe: (path, o) => shared.transcribe(path, { language: o.language, tenantId, jobId, action: 'transcribe' }) };
  // A final failure's consequences (material, submission, webhook) are failJob's (shared/src/jobs/subject-failure.ts).
  return [
    handle(jobs.ingestMaterial, ingestMaterial({ ...deps, transcriberFor })),
    handle(jobs.embedMaterial, embedMaterial({ prisma: deps.prisma, embedder })),
    handle(jobs.maintenanceSweep, maintenanceSweep(deps)),
    handle(
      jobs.checkSubmission,
      checkSubmission({
        ...deps,
        embedder,
        reviewLlm: deps.config.REVIEW_PROVIDER === 'openai' ? llmProviderFromConfig(deps.config, deps.prisma, deps.logger, 'openai') : null,
      }),
    ),
    handle(jobs.webhookDeliver, deliverWebhookJob(deps)),
    ...structureHandlers(deps),
  ];
}

function structureHandlers(deps: HandlerDeps): HandlerEntry[] {
  const steps = { prisma: deps.prisma, llm: llmProviderFromConfig(deps.config, deps.prisma, deps.logger), contextTokens: deps.config.LLM_CONTEXT_TOKENS };
  return [
    handle(jobs.generateNode, generateNode(steps)),
    handle(jobs.reconcileNode, reconcileNode(steps)),
    handle(jobs.refineNode, refineNode(steps)),
  ];
}
