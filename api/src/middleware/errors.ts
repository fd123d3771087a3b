// The error model of API.md: {"detail", "code", "request_id"}. Unknown errors are logged with the request id
// and answered as a generic 500 — never a stack or an internal message.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../../../shared/src/errors/index.js';

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', 'Not Found'));
};

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

/** Maps errors raised by Express's own body parsers to the API's codes. */
function fromParserError(err: HttpishError & Error): AppError | null {
  if (err.type === 'entity.parse.failed') {
    return new AppError('validation_error', [
      { loc: ['body'], msg: 'JSON decode error: request body is not valid JSON', type: 'json_invalid' },
    ]);
  }
  if (err.type === 'entity.too.large') return new AppError('payload_too_large', 'Request body too large');
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') {
    return new AppError('unsupported_media_type', 'Unsupported content encoding or charset');
  }
  const status = err.status ?? err.statusCode;
  if (status && status >= 400 && status < 500 && err.expose) {
    return new AppError(status === 413 ? 'payload_too_large' : 'validation_error',
      status === 413 ? 'Request body too large' : [{ loc: ['body'], msg: err.message, type: 'value_error' }]);
  }
  return null;
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/**
 * A database or storage that cannot be reached is a temporary condition of ours: 503 with Retry-After, so
 * clients retry, rather than a 500. (The request changed nothing: its transaction never committed.)
 */
function fromUnavailable(err: unknown): AppError | null {
  const e = err as { name?: string; code?: string; errorCode?: string; cause?: unknown; $metadata?: { httpStatusCode?: number } };
  if (!e || typeof e !== 'object') return null;
  const prismaDown =
    e.name === 'PrismaClientInitializationError' ||
    (e.name === 'PrismaClientKnownRequestError' && PRISMA_UNAVAILABLE.has(e.code ?? '')) ||
    (e.name === 'DriverAdapterError' && /connect|terminat|closed/i.test(String((e.cause as { message?: string })?.message ?? '')));
  const networkDown = UNAVAILABLE_CODES.has(e.code ?? '') || UNAVAILABLE_CODES.has((e.cause as { code?: string })?.code ?? '');
  // The server going away under a statement: shutdown or crash (57P01–57P03), a lost connection (class 08), no
  // connection slot left (53300). Raw queries surface these as Prisma P2010 with the SQLSTATE inside.
  const state = sqlState(err);
  const serverGone = !!state && (/^57P0[123]$/.test(state) || state.startsWith('08') || state === '53300');
  const s3Down = !!e.$metadata && e.$metadata.httpStatusCode === undefined && (networkDown || e.name === 'TimeoutError');
  const s3Unavailable = !!e.$metadata && (e.$metadata.httpStatusCode === 503 || e.$metadata.httpStatusCode === 500);
  if (prismaDown || networkDown || serverGone || s3Down || s3Unavailable || /Can't reach database|Connection terminated|connect ECONNREFUSED/.test(String((err as Error).message))) {
    return new AppError('service_unavailable', 'A service this request needs is unavailable; try again shortly', { 'Retry-After': '5' });
  }
  return null;
}

/**
 * The Postgres SQLSTATE behind an error, in each shape it reaches us: Prisma's known request error (P2010 for raw
 * queries, with the driver adapter's error in `meta`), the driver adapter's own error, or pg's.
 */
function sqlState(err: unknown): string | undefined {
  const e = err as {
    code?: string;
    cause?: { code?: string; originalCode?: string };
    meta?: { driverAdapterError?: { cause?: { originalCode?: string } } };
  } | null;
  if (!e || typeof e !== 'object') return undefined;
  return e.meta?.driverAdapterError?.cause?.originalCode ?? e.cause?.originalCode ??
    (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined);
}

/** A unique violation (Prisma P2002, Postgres 23505) is a lost race with a duplicate request: 409, never 500. */
function fromUniqueViolation(err: unknown): AppError | null {
  if ((err as { code?: string } | null)?.code === 'P2002' || sqlState(err) === '23505') {
    return new AppError('conflict', 'This resource already exists (a concurrent or repeated request created it)');
  }
  return null;
}

/**
 * A statement cancelled by the server's statement_timeout (57014; DATABASE_STATEMENT_TIMEOUT_MS) or a lock wait
 * given up (55P03): the request changed nothing (its transaction rolled back) and may succeed later — 503 with
 * Retry-After, like any other temporarily unavailable dependency.
 */
function fromCancelledStatement(err: unknown): AppError | null {
  const state = sqlState(err);
  if (state === '57014' || state === '55P03') {
    return new AppError('service_unavailable', 'The database did not finish this request in time; try again shortly', { 'Retry-After': '5' });
  }
  return null;
}

/** The wire body of an error (API.md): the one rendering used by the error handler and by answers written
 * outside Express (api/src/http/server.ts, body-timeout.ts). */
export function errorBody(e: AppError, requestId: string): { detail: AppError['detail']; code: string; request_id: string } {
  return { detail: e.detail, code: e.code, request_id: requestId };
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const appErr =
    err instanceof AppError ? err : (fromParserError(err as HttpishError & Error) ??
        fromUniqueViolation(err) ??
        fromCancelledStatement(err) ??
        fromUnavailable(err));
  const requestId = req.id;
  if (!appErr) {
    (req.log ?? console).error({ err, request_id: requestId }, 'unhandled error');
  } else if (appErr.status >= 500) {
    req.log?.error({ err: appErr, request_id: requestId }, 'server error');
  }
  const e = appErr ?? new AppError('internal_error', 'Internal Server Error');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
  res.status(e.status).json(errorBody(e, requestId));
};
