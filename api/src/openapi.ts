// OpenAPI 3.1 generated from the same zod schemas that validate requests (zod-to-openapi).
import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { RouteDef } from './http/define-route.js';

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
    registry.registerPath({ method: p.method, path: p.path, summary: p.summary, tags: p.tags, responses });
  }

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Course Supporter API',
      version,
      description: 'Course materials → searchable knowledge and course structures (prep); homework reviews (check).',
    },
    servers: [{ url: '/' }],
  });
}
