import { Router } from 'express';
import { z } from 'zod';
import { runHealthChecks, type Probe } from './health.service.js';
import type { ExtraPath } from '../../openapi.js';

export const HealthBody = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.object({ db: z.string(), s3: z.string(), redis: z.string(), worker: z.string() }),
  timestamp: z.string(),
});

export function healthRouter(probes: Record<string, Probe>, timeoutMs: number): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/health', async (_req, res) => {
    const report = await runHealthChecks(probes, timeoutMs);
    res.setHeader('Cache-Control', 'no-store');
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  });
  return router;
}

export const healthDocs: ExtraPath[] = [
  {
    method: 'get',
    path: '/health',
    summary: 'Readiness: database, S3, Redis and worker heartbeat',
    tags: ['health'],
    responses: {
      200: { description: 'All checks ok', schema: HealthBody },
      503: { description: 'Degraded: the failing check reads "error: <Kind>" (worker: "stale")', schema: HealthBody },
    },
  },
  {
    method: 'get',
    path: '/health/live',
    summary: 'Liveness: the process serves (touches no dependency)',
    tags: ['health'],
    responses: { 200: { description: 'Serving', schema: z.object({ status: z.literal('ok') }) } },
  },
];
