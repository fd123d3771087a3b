// Job routes (API.md "Jobs"): status, list, server-sent events, cancel.
import { z } from 'zod';
import { defineRoute, type RouteDef } from '../../http/define-route.js';
import { JobIdParams, JobListQuery, JobListSchema, JobSchema } from './jobs.schemas.js';
import { presentJob } from './jobs.presenter.js';
import { cancelJob, estimateCompletion, getJob, getJobStatus, listJobs, type JobServiceDeps, type JobStatusRow } from './jobs.service.js';
import type { JobEventHub } from './jobs.events.js';
import type { Job } from '../../../../shared/src/db/generated/client.js';

const tags = ['jobs'];

export function jobRoutes(deps: JobServiceDeps & { events: JobEventHub }): RouteDef[] {
  const present = async (job: JobStatusRow) => presentJob(job, await estimateCompletion(deps.prisma, job));
  // The event hub reads whole rows; a queued job's place in its queue is read (as GET /jobs/{id} reads it) only
  // when the hub has a change to send.
  const presentEvent = async (job: Job) =>
    job.status === 'queued'
      ? present(await getJobStatus(deps.sql, job.tenantId, job.id))
      : presentJob(job, await estimateCompletion(deps.prisma, { ...job, ahead: null }));
  return [
    defineRoute({
      method: 'get',
      path: '/jobs/:id',
      scope: 'prep_or_check',
      summary: 'Job status',
      tags,
      params: JobIdParams,
      responses: { 200: { description: 'Job', schema: JobSchema } },
      errors: [404, 422],
      handler: async ({ res, auth, params }) => {
        res.json(await present(await getJobStatus(deps.sql, auth.tenantId, params.id)));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/jobs',
      scope: 'prep_or_check',
      summary: 'List jobs, newest first',
      tags,
      query: JobListQuery,
      responses: { 200: { description: 'Jobs', schema: JobListSchema } },
      errors: [422],
      handler: async ({ res, auth, query }) => {
        const { items, total } = await listJobs(deps.prisma, auth.tenantId, query);
        res.json({ items: items.map((j) => presentJob(j)), total, limit: query.limit, offset: query.offset });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/jobs/:id/events',
      scope: 'prep_or_check',
      summary: 'Follow a job as server-sent events (one per state or progress change; ends after a terminal state)',
      tags,
      params: JobIdParams,
      responses: { 200: { description: 'text/event-stream of Job objects', contentType: 'text/event-stream', schema: z.string() } },
      errors: [404, 422],
      handler: async ({ req, res, auth, params }) => {
        const job = await getJob(deps.prisma, auth.tenantId, params.id); // 404 before the stream starts
        await deps.events.open(req, res, auth.tenantId, job, presentEvent); // 429 past the stream caps
      },
    }),
    defineRoute({
      method: 'post',
      path: '/jobs/:id/cancel',
      scope: 'prep',
      summary: 'Cancel a queued or active job (its dependents fail)',
      tags,
      params: JobIdParams,
      responses: { 200: { description: 'Cancelled job', schema: JobSchema } },
      errors: [404, 409, 422],
      handler: async ({ res, auth, params }) => {
        res.json(presentJob(await cancelJob(deps, auth.tenantId, params.id)));
      },
    }),
  ];
}
