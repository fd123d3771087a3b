// The document is generated from the same schemas that validate requests: every mounted route appears with
// its scope, its request schemas and its error responses; Swagger UI serves it without a key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../test/support/api.js';
import { json } from '../../test/support/http.js';
import { apiRoutes } from './routes/index.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('openapi') });
});
afterAll(async () => api?.close());

describe('OpenAPI and docs', () => {
  it('lists every /api/v1 route with its scope, security and error bodies', async () => {
    const res = await fetch(`${api.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await json(res);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.ApiKey).toEqual({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    const routes = apiRoutes(api.deps);
    expect(routes.length).toBeGreaterThan(15);
    for (const r of routes) {
      const path = `/api/v1${r.path.replace(/[:*]([A-Za-z_]+)/g, '{$1}')}`;
      const op = doc.paths[path]?.[r.method];
      expect(op, `${r.method.toUpperCase()} ${path}`).toBeDefined();
      expect(op['x-required-scope']).toMatch(/^(prep|check|prep or check)$/);
      expect(op.security).toEqual([{ ApiKey: [] }]);
      for (const status of ['401', '403', '429']) expect(op.responses[status]).toBeDefined();
      if (r.body) expect(op.requestBody.content['application/json'].schema).toBeDefined();
    }
    for (const p of ['/health', '/health/live']) expect(doc.paths[p].get).toBeDefined();
    // A documented validation constraint is the one enforced.
    expect(doc.components.schemas.CreateNode.properties.title.maxLength).toBe(500);
  });

  it('serves Swagger UI at /docs without a key', async () => {
    const res = await fetch(`${api.url}/docs/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('swagger-ui');
  });
});
