// GET /metrics for operators: bearer token (METRICS_TOKEN), never public (nginx refuses it outside too).
// In a cluster, the process that got the scrape asks the primary, which aggregates every API process
// (prom-client AggregatorRegistry over IPC).
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import type { Express, RequestHandler } from 'express';
import { AggregatorRegistry } from 'prom-client';
import { AppError } from '../../../shared/src/errors/index.js';
import { bearerMatches, metrics } from '../../../shared/src/metrics/index.js';

const REQ = 'cs:metrics:req';
const RES = 'cs:metrics:res';

interface MetricsMessage {
  type: string;
  id: string;
  body?: string;
  contentType?: string;
  error?: string;
}

/** In the primary: answers metrics requests from API processes with the cluster-wide aggregate. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, msg: MetricsMessage) => {
    if (msg?.type !== REQ) return;
    aggregator
      .clusterMetrics()
      .then((body) => worker.send({ type: RES, id: msg.id, body, contentType: aggregator.contentType }))
      .catch((err: Error) => worker.send({ type: RES, id: msg.id, error: err.message }));
  });
}

function askPrimary(): Promise<{ body: string; contentType: string }> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('metrics aggregation timed out'));
    }, 5000);
    const onMessage = (msg: MetricsMessage) => {
      if (msg?.type !== RES || msg.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (msg.error) reject(new Error(msg.error));
      else resolve({ body: msg.body ?? '', contentType: msg.contentType ?? 'text/plain' });
    };
    process.on('message', onMessage);
    process.send?.({ type: REQ, id });
  });
}

export function metricsHandler(token: string | undefined): RequestHandler {
  const registry = metrics().registry;
  // In a cluster worker, let the primary's aggregator read this process's registry.
  if (cluster.isWorker) AggregatorRegistry.setRegistries([registry]);
  return async (req, res, next) => {
    if (!bearerMatches(req.get('authorization'), token)) {
      return next(new AppError('unauthorized', token ? 'Invalid metrics token' : 'Metrics are disabled (METRICS_TOKEN unset)'));
    }
    const { body, contentType } = cluster.isWorker
      ? await askPrimary()
      : { body: await registry.metrics(), contentType: registry.contentType };
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(body);
  };
}

export const mountMetrics = (token: string | undefined) => (app: Express) => {
  app.get('/metrics', metricsHandler(token));
};
