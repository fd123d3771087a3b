import { z } from 'zod';
import '../../openapi.js';

export const JOB_TYPES = ['ingest', 'embed', 'generate', 'reconcile', 'refine', 'check', 'webhook'] as const;
export const JOB_STATUSES = ['queued', 'active', 'complete', 'failed', 'cancelled'] as const;

export const JobIdParams = z.object({ id: z.uuid() });

export const JobListQuery = z.object({
  status: z.enum(JOB_STATUSES).optional(),
  job_type: z.enum(JOB_TYPES).optional(),
  node_id: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
});

export const JobSchema = z
  .object({
    id: z.uuid(),
    job_type: z.enum([...JOB_TYPES, 'maintenance']),
    priority: z.number().int(),
    status: z.enum(JOB_STATUSES),
    tenant_id: z.uuid(),
    materialnode_id: z.uuid().nullable(),
    error_message: z.string().nullable(),
    queued_at: z.string(),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
    estimated_at: z.string().nullable(),
    progress: z.number().int().min(0).max(100),
    attempts: z.number().int(),
    depends_on: z.array(z.uuid()),
    subject_id: z.uuid().nullable(),
  })
  .openapi('Job');

export const JobListSchema = z
  .object({ items: z.array(JobSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('JobList');
