// The document is generated from the same schemas that validate requests: every mounted route appears with
// its scope, its request schemas and its error responses; Swagger UI serves it without a key.
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../test/support/api.js';
import { json, type Json } from '../../test/support/http.js';
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
    expect(doc.components.securitySchemes.ApiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
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

  it('passes the Redocly linter (recommended rules, examples validated) with zero errors', async () => {
    const doc = await json(await fetch(`${api.url}/openapi.json`));
    const config = await createConfig({
      extends: ['recommended'],
      rules: {
        'operation-operationId': 'error',
        'operation-operationId-unique': 'error',
        'no-invalid-schema-examples': 'error',
        'no-invalid-media-type-examples': { severity: 'error', allowAdditionalProperties: false },
      },
    } as never);
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
    // Warnings left on purpose: the project is private (no license to name); /health and /health/live answer no 4xx.
    const warnings = problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}`);
    expect(warnings.sort()).toEqual([
      'info-license #/info',
      'operation-4xx-response #/paths/~1health/get/responses',
      'operation-4xx-response #/paths/~1health~1live/get/responses',
    ]);
  });

  it('names every operation, gives Swagger UI examples, and documents keys, scopes and public routes', async () => {
    const doc = await json(await fetch(`${api.url}/openapi.json`));
    const ids: string[] = [];
    const strings: string[] = [];
    const walk = (s: Record<string, unknown> | undefined, where: string) => {
      if (!s || typeof s !== 'object') return;
      if ((s.type === 'string' || (Array.isArray(s.type) && s.type.includes('string'))) && s.format !== 'binary') {
        if (!['example', 'examples', 'enum', 'const', 'default'].some((k) => k in s)) strings.push(where);
      }
      for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Record<string, unknown>>)) walk(v, `${where}.${k}`);
      walk(s.items as Record<string, unknown>, `${where}[]`);
      for (const k of ['anyOf', 'oneOf', 'allOf']) for (const v of (s[k] ?? []) as Record<string, unknown>[]) walk(v, where);
    };
    for (const [name, schema] of Object.entries(doc.components.schemas)) walk(schema as Record<string, unknown>, name);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops as Record<string, Json>)) {
        ids.push(op.operationId);
        const json = op.requestBody?.content?.['application/json'];
        if (json) expect(json.example, `${method} ${path} body example`).toBeDefined();
        for (const [status, r] of Object.entries(op.responses as Record<string, Json>)) {
          const example = r.content?.['application/json']?.example;
          if (Number(status) >= 400 && r.content?.['application/json']?.schema?.$ref === '#/components/schemas/Error') {
            expect(example, `${method} ${path} ${status}`).toMatchObject({ code: expect.any(String), request_id: expect.any(String) });
            if (status === '422') expect(Array.isArray(example.detail), `${method} ${path} 422 detail`).toBe(true);
          }
        }
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('getNodesByIdDetail');
    expect(strings).toEqual([]); // Swagger UI would show and pre-fill "string"
    expect(doc.paths['/api/v1/nodes'].post.requestBody.content['application/json'].example).toEqual({ title: 'Introduction to Python' });

    const scheme = doc.components.securitySchemes.ApiKey.description as string;
    expect(scheme).toMatch(/cs_live_/);
    expect(scheme).toMatch(/32 lowercase hex/);
    expect(scheme).toMatch(/\*\*prep\*\*/);
    expect(scheme).toMatch(/\*\*check\*\*/);
    for (const p of ['/health', '/health/live']) expect(doc.paths[p].get.security).toEqual([]);

    // GET /nodes/{id}/detail: the children carry materials too (NodeDetail is recursive).
    const detail = doc.paths['/api/v1/nodes/{id}/detail'].get.responses['200'].content['application/json'].schema;
    expect(detail.items.$ref).toBe('#/components/schemas/NodeDetail');
    const own = doc.components.schemas.NodeDetail.allOf.find((p: { properties?: object }) => p.properties);
    expect(own!.properties.materials.items.$ref).toBe('#/components/schemas/Material');
    expect(own!.properties.children.items.$ref).toBe('#/components/schemas/NodeDetail');
    expect(own!.required).toEqual(expect.arrayContaining(['materials', 'children']));
  });

  it('serves Swagger UI at /docs without a key', async () => {
    const res = await fetch(`${api.url}/docs/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('swagger-ui');
  });
});
