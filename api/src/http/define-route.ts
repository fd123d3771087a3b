// One declaration per route drives the middleware chain (scope → rate limit → body parser → validation →
// handler) and the OpenAPI document, so the two cannot drift apart.
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import bytes from 'bytes';
import { isUtf8 } from 'node:buffer';
import { AppError, invalid } from '../../../shared/src/errors/index.js';
import type { z } from 'zod';
import type { Principal } from './context.js';
import { requireScope, type RouteScope } from '../middleware/scope.js';
import { validate } from '../middleware/validate.js';
import type { RateLimits } from '../middleware/rate-limit.js';
import { lingerOnRefusal } from './lingering-close.js';

export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';
export type BodyKind = 'json' | 'multipart' | 'json-or-form' | 'none';

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

export interface HandlerContext<P, Q, B> {
  req: Request;
  res: Response;
  auth: Principal;
  params: P;
  query: Q;
  body: B;
}

export interface RouteDef<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: HttpMethod;
  /** Express-style path under /api/v1, e.g. `/nodes/:id`. */
  path: string;
  scope: RouteScope;
  summary: string;
  description?: string;
  /** Defaults to one derived from method and path (api/src/openapi.ts operationIdFor). */
  operationId?: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  bodyKind?: BodyKind;
  /** Documented body for multipart routes (validated by the handler while streaming). */
  multipartDoc?: z.ZodType;
  responses: Record<number, ResponseDoc>;
  /** Error statuses this route can answer besides 401/403/429/500 (for the document). */
  errors?: number[];
  handler: (ctx: HandlerContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<void>;
}

/** Keeps route arrays heterogeneous while each definition is type-checked against its own schemas. */
export const defineRoute = <P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  def: RouteDef<P, Q, B>,
): RouteDef => def as unknown as RouteDef;

export interface MountOptions {
  /** Where `router` is mounted (`/api/v1`): route templates in metrics are `basePath` + path. */
  basePath: string;
  rateLimits: RateLimits;
  jsonLimit: string;
}

/**
 * A declared Content-Length over the limit is answered 413 at once, where body-parser would first read (and
 * discard) the whole declared body; the rest is read on only within lingerOnRefusal's bounds, so that the client
 * gets the answer.
 */
function declaredSizeGuard(limitBytes: number): RequestHandler {
  return (req, res, next) => {
    const declared = Number(req.get('content-length'));
    if (Number.isFinite(declared) && declared > limitBytes) {
      lingerOnRefusal(req); // the client is still sending: read on (bounded) so that it gets the answer
      return next(new AppError('payload_too_large', `Request body exceeds ${limitBytes} bytes`));
    }
    next();
  };
}

/**
 * body-parser decodes invalid UTF-8 to U+FFFD without a word, so a title sent with a stray 0xFF byte would be
 * stored altered. The raw bytes (after Content-Encoding is undone) are checked first and refused with 422, as
 * uploaded text files with invalid UTF-8 are. Lone surrogate escapes (`"\ud800"`) are refused by validate().
 */
function requireUtf8(_req: unknown, _res: unknown, buf: Buffer, encoding: string | null): void {
  if ((encoding ?? 'utf-8').toLowerCase() === 'utf-8' && !isUtf8(buf)) {
    throw invalid(['body'], 'Request body is not valid UTF-8', 'invalid_utf8');
  }
}

/**
 * The same rule for the query string: Node's querystring (Express's "simple" parser) decodes a percent-escape of
 * invalid UTF-8 (`?student_external_id=%FF`) to U+FFFD without a word, so a filter would silently look for
 * another value. Refused with 422 like a body; only a query with a percent-escape needs the look. A '%' that
 * starts no escape stays literal, as the parser keeps it; decodeURIComponent then throws only for bytes that are
 * not UTF-8.
 */
function requireUtf8Query(req: Request, _res: Response, next: (err?: unknown) => void): void {
  const at = req.url.indexOf('?');
  if (at >= 0 && req.url.includes('%', at)) {
    try {
      decodeURIComponent(req.url.slice(at + 1).replace(/%(?![0-9a-fA-F]{2})/g, '%25'));
    } catch {
      return next(invalid(['query'], 'Query string is not valid UTF-8', 'invalid_utf8'));
    }
  }
  next();
}

function bodyParser(kind: BodyKind, jsonLimit: string): RequestHandler[] {
  const json = express.json({ limit: jsonLimit, strict: true, type: ['application/json', 'application/*+json'], verify: requireUtf8 });
  const guard = declaredSizeGuard(bytes.parse(jsonLimit) ?? 1024 * 1024);
  if (kind === 'json') return [guard, json];
  if (kind === 'json-or-form') return [guard, json, express.urlencoded({ extended: false, limit: jsonLimit, verify: requireUtf8 })];
  return [];
}

/** The literal first segment of a route path (`/nodes/:id` → `nodes`): the sub-router it is mounted in. */
function firstSegment(path: string): string {
  const segment = path.split('/')[1] ?? '';
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) throw new Error(`route ${path}: the first path segment must be a literal`);
  return segment;
}

/**
 * Mounts the routes on `router` (mounted at `opts.basePath`), one sub-router per first path segment (`/nodes`,
 * `/jobs`, …) in the order the segments first appear: Express tries a router's layers one by one, so a request
 * is matched only against the routes of its own prefix instead of every route declared before it. Routes of
 * different prefixes never match the same path, so the first match is the one it was with a single router.
 */
export function mountRoutes(router: Router, routes: RouteDef[], opts: MountOptions): void {
  const groups = new Map<string, Router>();
  for (const route of routes) {
    const segment = firstSegment(route.path);
    let group = groups.get(segment);
    if (!group) {
      group = express.Router();
      groups.set(segment, group);
      router.use(`/${segment}`, group);
    }
    // The route template for the request histogram (http-metrics.ts), fixed per route.
    const template = `${opts.basePath}${route.path}`;
    const allowed = requireScope(route.scope);
    const hasSchemas = Boolean(route.params || route.query || route.body);
    const chain: RequestHandler[] = [
      (req, res, next) => {
        res.locals.route = template;
        allowed(req, res, next);
      },
      opts.rateLimits.middleware(route.scope),
      ...bodyParser(route.bodyKind ?? (route.body ? 'json' : 'none'), opts.jsonLimit),
      ...(route.query ? [requireUtf8Query] : []),
      // validate() with no schema does nothing: not a layer then.
      ...(hasSchemas ? [validate({ params: route.params, query: route.query, body: route.body })] : []),
      async (req, res) => {
        await route.handler({
          req,
          res,
          auth: req.auth as Principal,
          params: req.valid.params as never,
          query: req.valid.query as never,
          body: req.valid.body as never,
        });
      },
    ];
    group[route.method](route.path.slice(segment.length + 1) || '/', ...chain);
  }
}
