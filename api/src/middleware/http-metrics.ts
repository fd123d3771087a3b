// Request duration by route template (not raw path: ids would explode the label set) and status.
// The labelled observers are made once per (method, route, status) and kept: per request this costs one
// hrtime read at the start and one observe at the end, no timer closure nor label objects.
import type { RequestHandler } from 'express';
import { metrics } from '../../../shared/src/metrics/index.js';

/** Bound on remembered label sets (methods × route templates × statuses is small; this only guards it). */
const MAX_OBSERVERS = 2000;

export function httpMetrics(): RequestHandler {
  const hist = metrics().httpDuration;
  const observers = new Map<string, (seconds: number) => void>();
  const observerFor = (method: string, route: string, status: number) => {
    const key = `${method} ${status} ${route}`;
    let observe = observers.get(key);
    if (!observe) {
      observe = hist.labels({ method, route, status: String(status) }).observe;
      if (observers.size < MAX_OBSERVERS) observers.set(key, observe);
    }
    return observe;
  };
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // API routes stamp their full template (define-route.ts); the others (health, docs, metrics) are mounted at
      // the root, where req.baseUrl is always ''.
      const stamped = res.locals.route as string | undefined;
      const route = stamped ?? (req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : req.path.startsWith('/docs') ? '/docs' : 'unmatched');
      observerFor(req.method, route, res.statusCode)(seconds);
    });
    next();
  };
}
