// Bull Board at /admin/queues: off unless BULL_BOARD_ENABLED, behind basic auth from config.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Express, RequestHandler } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { QueueSet } from '../../../shared/src/jobs/queues.js';
import { AppError } from '../../../shared/src/errors/index.js';

// Compared as digests: equal lengths, so the time taken says nothing about the configured value's length.
const digest = (s: string) => createHash('sha256').update(s).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

function basicAuth(user: string, password: string): RequestHandler {
  return (req, _res, next) => {
    const [scheme, encoded] = (req.get('authorization') ?? '').split(' ');
    const [u, ...rest] = Buffer.from(encoded ?? '', 'base64').toString('utf8').split(':');
    // both compared every time (no early exit on a wrong user name)
    const userOk = same(u ?? '', user);
    const passwordOk = same(rest.join(':'), password);
    if (scheme === 'Basic' && userOk && passwordOk) return next();
    next(new AppError('unauthorized', 'Not authenticated', { 'WWW-Authenticate': 'Basic realm="queues", charset="UTF-8"' }));
  };
}

export const mountQueueDashboard = (queues: QueueSet, user: string, password: string) => (app: Express) => {
  const adapter = new ExpressAdapter();
  adapter.setBasePath('/admin/queues');
  createBullBoard({ queues: [...queues.queues.values()].map((q) => new BullMQAdapter(q)), serverAdapter: adapter });
  app.use('/admin/queues', basicAuth(user, password), adapter.getRouter());
};
