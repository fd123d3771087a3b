// Request duration by route template (not raw path: ids would explode the label set) and status.
import type { RequestHandler } from 'express';
import { metrics } from '../../../shared/src/metrics/index.js';

export function httpMetrics(): RequestHandler {
  const hist = metrics().httpDuration;
  return (req, res, next) => {
    const end = hist.startTimer();
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : req.path.startsWith('/docs') ? '/docs' : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
