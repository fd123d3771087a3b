// Bull Board at /admin/queues: off unless BULL_BOARD_ENABLED, behind basic auth from config.
import { timingSafeEqual } from 'node:crypto';
import type { Express, RequestHandler } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { QueueSet } from '../../../shared/src/jobs/queues.js';

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

function basicAuth(user: string, password: string): RequestHandler {
  return (req, res, next) => {
    const [scheme, encoded] = (req.get('authorization') ?? '').split(' ');
    const [u, ...rest] = Buffer.from(encoded ?? '', 'base64').toString('utf8').split(':');
    if (scheme === 'Basic' && same(u ?? '', user) && same(rest.join(':'), password)) return next();
    res.setHeader('WWW-Authenticate', 'Basic realm="queues", charset="UTF-8"');
    res.status(401).json({ detail: 'Not authenticated', code: 'unauthorized', request_id: req.id });
  };
}

export const mountQueueDashboard = (queues: QueueSet, user: string, password: string) => (app: Express) => {
  const adapter = new ExpressAdapter();
  adapter.setBasePath('/admin/queues');
  createBullBoard({ queues: [...queues.queues.values()].map((q) => new BullMQAdapter(q)), serverAdapter: adapter });
  app.use('/admin/queues', basicAuth(user, password), adapter.getRouter());
};
