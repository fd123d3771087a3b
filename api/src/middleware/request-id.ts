// X-Request-Id on every response: echoed when the client sent a sane one, otherwise a new UUIDv7. One access log
// line per request ("request": request_id, tenant_id once the key is known, method, path, status, ms).
//
// Per request this costs no logger child: the access line is written by the process logger with request_id and
// tenant_id as fields (the same keys, in the same order, as a child's bindings would write), and `req.log` — for
// the few lines a request logs besides it — is a child made on first use (installRequestLogger).
import type { Express, RequestHandler } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { randomFillSync } from 'node:crypto';
import type { Logger } from '../../../shared/src/logger/index.js';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// uuid's v7 draws 16 random bytes per id with getRandomValues; filling a pool once per 256 ids is cheaper.
const POOL_IDS = 256;
const pool = Buffer.alloc(16 * POOL_IDS);
let poolAt = pool.length;

/** A new UUIDv7 (what newId() makes) whose random bytes come from a pooled randomFillSync. */
function newRequestId(): string {
  if (poolAt >= pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const random = pool.subarray(poolAt, poolAt + 16);
  poolAt += 16;
  return uuidv7({ random });
}

const LOG = Symbol('request logger');
const LOG_TENANT = Symbol('request logger tenant');

interface LazyLog {
  [LOG]?: Logger;
  [LOG_TENANT]?: string;
}

/**
 * `req.log`: a child of `logger` binding request_id (and tenant_id once the API-key middleware has authenticated
 * the request), made the first time a request logs something besides its access line. Assigning `req.log`
 * replaces it for that request.
 */
export function installRequestLogger(app: Express, logger: Logger): void {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Express['request'] & LazyLog): Logger {
      const tenant = this.auth?.tenantId;
      const held = this[LOG];
      if (held && (this[LOG_TENANT] === tenant || this[LOG_TENANT] === '')) return held;
      const child = logger.child(tenant ? { request_id: this.id, tenant_id: tenant } : { request_id: this.id });
      this[LOG] = child;
      this[LOG_TENANT] = tenant;
      return child;
    },
    set(this: LazyLog, value: Logger) {
      this[LOG] = value;
      this[LOG_TENANT] = ''; // set explicitly: kept as it is
    },
  });
}

export function requestId(logger: Logger): RequestHandler {
  // The access line's fields are fixed (none is a key the redaction paths name, and redaction matches keys, not
  // values), so it is written by a child without redaction: pino would otherwise run every value through the
  // wildcard paths' redactor.
  const access = logger.child({}, { redact: [] });
  return (req, res, next) => {
    const sent = req.headers['x-request-id'];
    const id = typeof sent === 'string' && SAFE_ID.test(sent) ? sent : newRequestId();
    req.id = id;
    req.valid = { params: {}, query: {}, body: undefined };
    res.setHeader('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const tenant = req.auth?.tenantId;
      const method = req.method;
      const path = req.path; // path only: query strings may carry identifiers clients consider private
      const status = res.statusCode;
      const rounded = Math.round(ms * 10) / 10;
      access.info(
        tenant
          ? { request_id: id, tenant_id: tenant, method, path, status, ms: rounded }
          : { request_id: id, method, path, status, ms: rounded },
        'request',
      );
    });
    next();
  };
}
