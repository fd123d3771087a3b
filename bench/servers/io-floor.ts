// Read-path I/O floor: a minimal Express app doing the I/O the real read routes must do and nothing else — one
// Redis INCR (what a rate limiter costs at least) and one indexed Postgres read per request, answered as JSON.
// No auth, no validation, no logging, no metrics. Served by BENCH_PROCESSES node:cluster processes on BENCH_PORT
// (the API's process count), against the bench database (BENCH_DATABASE_URL) and Redis (BENCH_REDIS_URL), for the
// tenant BENCH_TENANT_ID. The gap between this and bare Express is what the I/O costs; the gap between the real
// API and this is what our own code costs.
import cluster from 'node:cluster';
import express from 'express';
import { Redis } from 'ioredis';
import pg from 'pg';

// The columns each response carries (the API must not read more than these either).
const JOB_SQL = `SELECT id, job_type, priority, status, tenant_id, materialnode_id, error_message, queued_at, started_at, completed_at,
  estimated_at, progress, attempts, depends_on, subject_id FROM jobs WHERE id = $1 AND tenant_id = $2`;
const port = Number(process.env.BENCH_PORT);
const processes = Number(process.env.BENCH_PROCESSES ?? '1');
const tenantId = process.env.BENCH_TENANT_ID as string;

if (cluster.isPrimary && processes > 1) {
  for (let i = 0; i < processes; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    process.exit(0);
  });
} else {
  // The API's pool size (DATABASE_POOL_MAX default) per process.
  const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: 10 });
  const redis = new Redis(process.env.BENCH_REDIS_URL as string, { enableAutoPipelining: false });
  const counter = `${process.env.BENCH_PREFIX ?? 'bench'}:io-floor:${tenantId}`;
  const app = express();
  app.disable('x-powered-by');
  const answer = (sql: string, params: (req: express.Request) => unknown[], shape: (rows: unknown[]) => unknown) =>
    (async (req: express.Request, res: express.Response) => {
      await redis.incr(counter);
      const { rows } = await pool.query(sql, params(req));
      const out = shape(rows);
      if (out === undefined) return void res.status(404).json({ detail: 'Not found' });
      res.json(out);
    }) satisfies express.RequestHandler;

  app.get('/api/v1/jobs/:id', answer(JOB_SQL, (req) => [req.params.id, tenantId], (rows) => rows[0]));
  app.get(
    '/api/v1/nodes',
    answer(
      `SELECT id, tenant_id, parent_materialnode_id, title, description, learning_goal, expected_knowledge, expected_skills, "order", node_fingerprint, created_at, updated_at FROM materialnodes WHERE tenant_id = $1 AND parent_materialnode_id IS NULL ORDER BY created_at DESC, id DESC LIMIT 20`,
      () => [tenantId],
      (rows) => ({ items: rows, total: rows.length, limit: 20, offset: 0 }),
    ),
  );
  app.get(
    '/api/v1/nodes/:id/materials',
    answer(
      `SELECT id, materialnode_id, source_type, source_url, filename, "order", state, error_message, job_id, created_at, updated_at, content_type, size_bytes, sha256, chunk_count FROM material_entries WHERE tenant_id = $1 AND materialnode_id = $2 ORDER BY "order", created_at`,
      (req) => [tenantId, req.params.id],
      (rows) => rows,
    ),
  );
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const server = app.listen(port, '127.0.0.1');
  server.keepAliveTimeout = 65_000;
  process.on('SIGTERM', () =>
    server.close(() => {
      void Promise.allSettled([pool.end(), redis.quit()]).then(() => process.exit(0));
    }),
  );
}
