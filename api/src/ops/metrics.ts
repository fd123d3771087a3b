// GET /metrics for operators: bearer token (METRICS_TOKEN), never public (nginx refuses it outside too).
// In a cluster, the process that got the scrape asks the primary; the primary asks every API process that is
// listening for its registry (as JSON, over IPC), aggregates them with prom-client's AggregatorRegistry and
// answers. Processes still booting are not asked (they would not answer yet); one that does not answer in time
// fails the scrape with 503 rather than publishing a partial sum (counters would seem to reset).
import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import type { Express, RequestHandler } from 'express';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { AppError } from '../../../shared/src/errors/index.js';
import { bearerMatches, metrics } from '../../../shared/src/metrics/index.js';

/** worker → primary: aggregate for me; primary → worker: the aggregate. */
const REQ = 'cs:metrics:req';
const RES = 'cs:metrics:res';
/** primary → worker: send your registry; worker → primary: here it is. */
const COLLECT = 'cs:metrics:collect';
const COLLECTED = 'cs:metrics:collected';

/** How long the primary waits for each process, and a process for the primary (which waits for all). */
const PROCESS_TIMEOUT_MS = 2000;
const PRIMARY_TIMEOUT_MS = PROCESS_TIMEOUT_MS + 1000;

type Json = MetricObjectWithValues<MetricValue<string>>[];

interface MetricsMessage {
  type: string;
  id: string;
  body?: string;
  contentType?: string;
  error?: string;
  metrics?: Json;
}

function collectFrom(worker: Worker, id: string): Promise<Json> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.off('message', onMessage);
      reject(new Error(`API process ${worker.process.pid} did not report its metrics in time`));
    }, PROCESS_TIMEOUT_MS);
    const onMessage = (msg: MetricsMessage) => {
      if (msg?.type !== COLLECTED || msg.id !== id) return;
      clearTimeout(timer);
      worker.off('message', onMessage);
      if (msg.error) reject(new Error(msg.error));
      else resolve(msg.metrics ?? []);
    };
    worker.on('message', onMessage);
    worker.send({ type: COLLECT, id });
  });
}

/** In the primary: answers metrics requests from API processes with the cluster-wide aggregate. */
export function serveClusterMetrics(): void {
  const listening = new Set<Worker>();
  cluster.on('listening', (worker) => listening.add(worker));
  cluster.on('exit', (worker) => listening.delete(worker));
  const aggregate = async (): Promise<string> => {
    const id = randomUUID();
    const alive = [...listening].filter((w) => w.isConnected());
    const all = await Promise.all(alive.map((w) => collectFrom(w, id)));
    return AggregatorRegistry.aggregate(all).metrics();
  };
  cluster.on('message', (worker, msg: MetricsMessage) => {
    if (msg?.type !== REQ) return;
    aggregate()
      .then((body) => worker.send({ type: RES, id: msg.id, body, contentType: AggregatorRegistry.PROMETHEUS_CONTENT_TYPE }))
      .catch((err: Error) => worker.send({ type: RES, id: msg.id, error: err.message }));
  });
}

/** In an API process of a cluster: hands this process's registry to the primary when asked. */
function answerPrimary(): void {
  const registry = metrics().registry;
  process.on('message', (msg: MetricsMessage) => {
    if (msg?.type !== COLLECT) return;
    registry
      .getMetricsAsJSON()
      .then((json) => process.send?.({ type: COLLECTED, id: msg.id, metrics: json }))
      .catch((err: Error) => process.send?.({ type: COLLECTED, id: msg.id, error: err.message }));
  });
}

function askPrimary(): Promise<{ body: string; contentType: string }> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('metrics aggregation timed out'));
    }, PRIMARY_TIMEOUT_MS);
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

let answering = false;

export function metricsHandler(token: string | undefined): RequestHandler {
  const registry = metrics().registry;
  if (cluster.isWorker && !answering) {
    answering = true;
    answerPrimary();
  }
  return async (req, res, next) => {
    if (!bearerMatches(req.get('authorization'), token)) {
      return next(new AppError('unauthorized', token ? 'Invalid metrics token' : 'Metrics are disabled (METRICS_TOKEN unset)'));
    }
    let out: { body: string; contentType: string };
    try {
      out = cluster.isWorker ? await askPrimary() : { body: await registry.metrics(), contentType: registry.contentType };
    } catch (err) {
      return next(new AppError('service_unavailable', `Metrics could not be collected: ${(err as Error).message}`));
    }
    res.setHeader('Content-Type', out.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(out.body);
  };
}

export const mountMetrics = (token: string | undefined) => (app: Express) => {
  app.get('/metrics', metricsHandler(token));
};
