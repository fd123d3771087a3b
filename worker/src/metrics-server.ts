// The worker's own metrics on an internal port (WORKER_METRICS_PORT), bearer-protected like the API's.
import { createServer, type Server } from 'node:http';
import { bearerMatches, metrics } from '../../shared/src/metrics/index.js';

export function startMetricsServer(port: number, token: string | undefined, host = '0.0.0.0'): Promise<Server> {
  const registry = metrics().registry;
  const server = createServer((req, res) => {
    if (req.url !== '/metrics' || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    if (!bearerMatches(req.headers.authorization, token)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'Not authenticated', code: 'unauthorized' }));
      return;
    }
    registry
      .metrics()
      .then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body))
      .catch(() => res.writeHead(500).end());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
