// Read-path baseline: a bare Express app answering GET /api/v1/jobs/:id with a fixed JSON body (the real API's
// answer for the same job, passed in BENCH_BODY), served by BENCH_PROCESSES node:cluster processes on BENCH_PORT —
// the same process count as the API. No auth, no database, no middleware: the floor Express itself sets.
import cluster from 'node:cluster';
import express from 'express';

const port = Number(process.env.BENCH_PORT);
const processes = Number(process.env.BENCH_PROCESSES ?? '1');
const body = JSON.parse(process.env.BENCH_BODY ?? '{}') as unknown;

if (cluster.isPrimary && processes > 1) {
  for (let i = 0; i < processes; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const app = express();
  app.disable('x-powered-by');
  app.get('/api/v1/jobs/:id', (_req, res) => {
    res.json(body);
  });
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const server = app.listen(port, '127.0.0.1');
  server.keepAliveTimeout = 65_000;
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
