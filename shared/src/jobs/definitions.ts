// Typed job definitions (DESIGN.md §4): one per job {name, queue, jobType, schema}. Payloads carry ids, never
// secrets or file contents. The worker parses the payload again before the handler runs.
import { z } from 'zod';

export const QUEUES = ['ingest', 'embed', 'generate', 'check', 'webhooks', 'maintenance'] as const;
export type QueueName = (typeof QUEUES)[number];

/** The `job_type` clients see (API.md Job). */
export type JobType = 'ingest' | 'embed' | 'generate' | 'reconcile' | 'refine' | 'check' | 'webhook' | 'maintenance';

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  queue: QueueName;
  jobType: JobType;
  schema: S;
  /** BullMQ attempts (≥1) and exponential backoff base delay. */
  attempts: number;
  backoffMs: number;
}

export const defineJob = <S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> => def;

const tenantScoped = { tenantId: z.uuid() };

export const jobs = {
  ingestMaterial: defineJob({
    name: 'ingest.material',
    queue: 'ingest',
    jobType: 'ingest',
    schema: z.object({ ...tenantScoped, materialId: z.uuid() }),
    attempts: 3,
    backoffMs: 2000,
  }),
  /** Embeds a material's chunks (batched provider calls, cached by text hash); the material is then ready. */
  embedMaterial: defineJob({
    name: 'embed.material',
    queue: 'embed',
    jobType: 'embed',
    schema: z.object({ ...tenantScoped, materialId: z.uuid() }),
    attempts: 5,
    backoffMs: 5000,
  }),
  /** Reviews a homework submission (unpack → retrieve course chunks → review); enqueues its webhook. */
  checkSubmission: defineJob({
    name: 'check.submission',
    queue: 'check',
    jobType: 'check',
    schema: z.object({ ...tenantScoped, submissionId: z.uuid() }),
    attempts: 3,
    backoffMs: 5000,
  }),
  /**
   * One webhook delivery (X-CS-Delivery = deliveryId, stable across its attempts). `attempts` is an upper bound:
   * the handler gives up after WEBHOOK_MAX_ATTEMPTS and sets each retry's delay itself (WEBHOOK_BACKOFF_BASE_MS,
   * Retry-After); backoffMs is only the fallback schedule.
   */
  webhookDeliver: defineJob({
    name: 'webhook.deliver',
    queue: 'webhooks',
    jobType: 'webhook',
    schema: z.object({
      ...tenantScoped,
      submissionId: z.uuid(),
      deliveryId: z.uuid(),
      event: z.enum(['reviewed', 'failed']),
      /** When the event happened: the payload's `timestamp`, so every attempt sends the same bytes. */
      occurredAt: z.iso.datetime(),
    }),
    attempts: 20,
    backoffMs: 60_000,
  }),
  /**
   * Builds a node's structure from its materials and its children's summaries (bottom-up). It waits (delayed, no
   * attempt used) while a material of the node is not ready; `awaiting` lists the materials that were not ready
   * when the generation was planned: one of them ending in error fails the job.
   */
  generateNode: defineJob({
    name: 'generate.node',
    queue: 'generate',
    jobType: 'generate',
    schema: z.object({ ...tenantScoped, nodeId: z.uuid(), mode: z.enum(['free', 'guided']), awaiting: z.array(z.uuid()).default([]) }),
    attempts: 6,
    backoffMs: 3000,
  }),
  /** Aligns a node's structure with its parent's and siblings' (top-down after generation or refinement). */
  reconcileNode: defineJob({
    name: 'reconcile.node',
    queue: 'generate',
    jobType: 'reconcile',
    schema: z.object({ ...tenantScoped, nodeId: z.uuid(), mode: z.enum(['free', 'guided']) }),
    attempts: 3,
    backoffMs: 3000,
  }),
  /** Improves a node's latest structure in its context. */
  refineNode: defineJob({
    name: 'refine.node',
    queue: 'generate',
    jobType: 'refine',
    schema: z.object({ ...tenantScoped, nodeId: z.uuid(), mode: z.enum(['free', 'guided']) }),
    attempts: 3,
    backoffMs: 3000,
  }),
  /** Periodic sweeps; `task` names which one. */
  maintenanceSweep: defineJob({
    name: 'maintenance.sweep',
    queue: 'maintenance',
    jobType: 'maintenance',
    schema: z.object({ task: z.enum(['pending-deletions', 'orphan-uploads', 'unconfirmed-uploads', 'retention']) }),
    attempts: 1,
    backoffMs: 1000,
  }),
} as const;

export type JobName = (typeof jobs)[keyof typeof jobs]['name'];
export const ALL_JOBS: readonly JobDefinition[] = Object.values(jobs);
export const definitionByName = (name: string): JobDefinition | undefined => ALL_JOBS.find((d) => d.name === name);
