// X-Request-Id on every response: echoed when the client sent a sane one, otherwise a new UUIDv7.
import type { RequestHandler } from 'express';
import type { Logger } from '../../../shared/src/logger/index.js';
import { newId } from '../../../shared/src/db/ids.js';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const sent = req.get('x-request-id');
    req.id = sent && SAFE_ID.test(sent) ? sent : newId();
    req.log = logger.child({ request_id: req.id });
    req.valid = { params: {}, query: {}, body: undefined };
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.info(
        {
          method: req.method,
          path: req.path, // path only: query strings may carry identifiers clients consider private
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
          // tenant_id is bound to req.log by the API-key middleware once the key is known
        },
        'request',
      );
    });
    next();
  };
}
