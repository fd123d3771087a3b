// OpenAPI 3.1 generated from the same zod schemas that validate requests (zod-to-openapi).
import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { RouteDef } from './http/define-route.js';
import { addExamples, errorExample } from './openapi-examples.js';

extendZodWithOpenApi(z);

export const ErrorBody = z
  .object({
    detail: z.union([
      z.string(),
      z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])), msg: z.string(), type: z.string() })),
    ]),
    code: z.string(),
    request_id: z.string(),
  })
  .openapi('Error');

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request',
  401: 'Not authenticated, invalid or expired API key',
  403: 'Missing scope (or key outside the tenant prefix)',
  404: 'Not found (also: another tenant\'s resource)',
  409: 'Conflict with the resource\'s state',
  413: 'Payload too large or quota exceeded',
  422: 'Validation error',
  429: 'Rate limit exceeded (see Retry-After)',
  500: 'Internal error',
};

const SCOPE_TEXT = { prep: 'prep', check: 'check', prep_or_check: 'prep or check' } as const;

const toOpenApiPath = (p: string) => `/api/v1${p.replace(/[:*]([A-Za-z_]+)/g, '{$1}')}`;

const pascal = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/**
 * One operationId per operation, derived from method and path so no route file has to name one (a route may
 * still set its own): `GET /api/v1/nodes/{id}/detail` → `getNodesByIdDetail`, `GET /health/live` →
 * `getHealthLive`. Unique because method + path is.
 */
export function operationIdFor(method: string, openApiPath: string): string {
  const parts = openApiPath
    .replace(/^\/api\/v1/, '')
    .split('/')
    .filter(Boolean)
    .map((seg) => (seg.startsWith('{') ? `By${pascal(seg.slice(1, -1))}` : pascal(seg)));
  return `${method.toLowerCase()}${parts.join('')}`;
}

const SECURITY_DESCRIPTION = [
  'Send your tenant\'s API key in the `X-API-Key` header. A key looks like `cs_live_` (or `cs_test_`) followed by',
  '32 lowercase hex characters, e.g. `cs_live_0123456789abcdef0123456789abcdef`; it is shown once when an operator',
  'creates it (`npm run tenants -- …`). Scopes: **prep** (course materials, search, structure generation),',
  '**check** (homework submissions and reviews); routes marked "prep or check" accept either. A missing or unknown',
  'key is answered 401, a key without the route\'s scope 403.',
].join(' ');

export interface ExtraPath {
  method: 'get';
  path: string;
  summary: string;
  tags: string[];
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

export function buildOpenApiDocument(routes: RouteDef[], extra: ExtraPath[], version: string) {
  const registry = new OpenAPIRegistry();
  registry.register('Error', ErrorBody);
  const apiKey = registry.registerComponent('securitySchemes', 'ApiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: SECURITY_DESCRIPTION,
  });

  for (const route of routes) {
    const responses: Record<string, { description: string; content?: Record<string, { schema: z.ZodType }> }> = {};
    for (const [status, doc] of Object.entries(route.responses)) {
      responses[status] = doc.schema
        ? { description: doc.description, content: { [doc.contentType ?? 'application/json']: { schema: doc.schema } } }
        : { description: doc.description };
    }
    for (const status of [401, 403, 429, ...(route.errors ?? [])]) {
      responses[String(status)] ??= {
        description: ERROR_DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/json': { schema: ErrorBody } },
      };
    }
    const bodySchema = route.body ?? route.multipartDoc;
    const bodyType = route.bodyKind === 'multipart' ? 'multipart/form-data' : 'application/json';
    registry.registerPath({
      method: route.method,
      path: toOpenApiPath(route.path),
      operationId: route.operationId ?? operationIdFor(route.method, toOpenApiPath(route.path)),
      summary: route.summary,
      description: `${route.description ? `${route.description}\n\n` : ''}Scope: **${SCOPE_TEXT[route.scope]}**.`,
      tags: route.tags,
      security: [{ [apiKey.name]: [] }],
      'x-required-scope': SCOPE_TEXT[route.scope],
      request: {
        ...(route.params ? { params: route.params as z.ZodObject } : {}),
        ...(route.query ? { query: route.query as z.ZodObject } : {}),
        ...(bodySchema ? { body: { required: true, content: { [bodyType]: { schema: bodySchema } } } } : {}),
      },
      responses,
    } as Parameters<OpenAPIRegistry['registerPath']>[0]);
  }

  for (const p of extra) {
    const responses: Record<string, { description: string; content?: Record<string, { schema: z.ZodType }> }> = {};
    for (const [status, doc] of Object.entries(p.responses)) {
      responses[status] = doc.schema
        ? { description: doc.description, content: { [doc.contentType ?? 'application/json']: { schema: doc.schema } } }
        : { description: doc.description };
    }
    registry.registerPath({
      method: p.method,
      path: p.path,
      operationId: operationIdFor(p.method, p.path),
      summary: p.summary,
      tags: p.tags,
      security: [], // public: no key
      responses,
    });
  }

  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Course Supporter API',
      version,
      description: 'Course materials → searchable knowledge and course structures (prep); homework reviews (check).',
    },
    servers: [{ url: '/' }],
  });
  for (const ops of Object.values(document.paths ?? {})) {
    for (const op of Object.values(ops as Record<string, { responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string }; example?: unknown }> }> }>)) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const media = response.content?.['application/json'];
        if (media?.schema?.$ref === '#/components/schemas/Error') media.example ??= errorExample(Number(status));
      }
    }
  }
  return addExamples(document);
}
