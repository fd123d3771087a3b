// What every request carries after the read-path work (issue #15): one access line per request with the same
// fields, req.log lines bound to the request and its tenant, helmet's full header set, the same weak ETag
// (and 304 on If-None-Match), and the request histogram counting by route template.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { get, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../../shared/src/config/index.js';
import { createLogger } from '../../../shared/src/logger/index.js';
import { metrics } from '../../../shared/src/metrics/index.js';
import { buildApp } from '../app.js';
import { createDeps, type OwnedDeps } from '../deps.js';
import { defineRoute } from '../http/define-route.js';
import { uniquePrefix } from '../../../test/support/api.js';
import { createTestTenant } from '../../../test/support/tenants.js';
import { duplicateKeys } from '../../../test/support/json-keys.js';

const lines: string[] = [];
let deps: OwnedDeps;
let server: Server;
let url: string;

const logsThrough = defineRoute({
  method: 'get',
  path: '/_t/logs/:n',
  scope: 'prep_or_check',
  summary: 'logs through req.log',
  tags: ['test'],
  params: z.object({ n: z.string() }),
  responses: { 200: { description: 'ok' } },
  handler: async ({ req, res, params }) => {
    req.log.warn({ n: params.n }, 'route line');
    res.json({ n: params.n });
  },
});

beforeAll(async () => {
  const config = loadConfig({ BULLMQ_PREFIX: uniquePrefix('reqctx'), LOG_LEVEL: 'info' });
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  deps = createDeps(config, createLogger({ level: 'info', name: 'reqctx', destination }));
  const app = buildApp(deps, [logsThrough]);
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await deps?.close();
});

const parsed = () => lines.map((l) => ({ raw: l, obj: JSON.parse(l) as Record<string, unknown> }));
const requestLines = (id: string) => parsed().filter((l) => l.obj.msg === 'request' && l.obj.request_id === id);

describe('access log line', () => {
  it('is one line per request with request_id, tenant_id, method, path (no query), status and ms, every key once', async () => {
    const { tenant, key } = await createTestTenant(deps.prisma);
    const res = await fetch(`${url}/api/v1/jobs/00000000-0000-4000-8000-000000000000?secret=1`, { headers: { 'X-API-Key': key, 'X-Request-Id': 'reqctx-1' } });
    expect(res.status).toBe(404);
    const [line, ...more] = requestLines('reqctx-1');
    expect(more).toEqual([]);
    expect(duplicateKeys(line!.raw)).toEqual([]);
    expect(Object.keys(line!.obj)).toEqual(['level', 'time', 'service', 'pid', 'request_id', 'tenant_id', 'method', 'path', 'status', 'ms', 'msg']);
    expect(line!.obj).toMatchObject({
      level: 'info',
      service: 'reqctx',
      pid: process.pid,
      request_id: 'reqctx-1',
      tenant_id: tenant.id,
      method: 'GET',
      path: '/api/v1/jobs/00000000-0000-4000-8000-000000000000',
      status: 404,
      msg: 'request',
    });
    expect(typeof line!.obj.ms).toBe('number');
  });

  it('has no tenant_id when the request is not authenticated, and a fresh UUIDv7 request id when none is sent', async () => {
    const res = await fetch(`${url}/api/v1/jobs/00000000-0000-4000-8000-000000000000`);
    expect(res.status).toBe(401);
    const id = res.headers.get('x-request-id') as string;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const [line] = requestLines(id);
    expect(Object.keys(line!.obj)).toEqual(['level', 'time', 'service', 'pid', 'request_id', 'method', 'path', 'status', 'ms', 'msg']);
    const ids = new Set(await Promise.all(Array.from({ length: 300 }, async () => (await fetch(`${url}/health/live`)).headers.get('x-request-id'))));
    expect(ids.size).toBe(300); // pooled random bytes are never handed out twice
  });

  it('req.log binds request_id and tenant_id for the lines a route writes', async () => {
    const { tenant, key } = await createTestTenant(deps.prisma);
    const res = await fetch(`${url}/api/v1/_t/logs/7`, { headers: { 'X-API-Key': key, 'X-Request-Id': 'reqctx-2' } });
    expect(res.status).toBe(200);
    const route = parsed().find((l) => l.obj.msg === 'route line' && l.obj.request_id === 'reqctx-2');
    expect(route?.obj).toMatchObject({ level: 'warn', request_id: 'reqctx-2', tenant_id: tenant.id, n: '7' });
    expect(duplicateKeys(route!.raw)).toEqual([]);
    expect(requestLines('reqctx-2')).toHaveLength(1);
  });
});

describe('response headers', () => {
  it("carry helmet's set with this configuration, the legacy XSS header, and no X-Powered-By", async () => {
    const { key } = await createTestTenant(deps.prisma);
    for (const res of [await fetch(`${url}/health/live`), await fetch(`${url}/api/v1/nodes`, { headers: { 'X-API-Key': key } })]) {
      expect(res.status).toBe(200);
      expect(Object.fromEntries(res.headers)).toMatchObject({
        'content-security-policy':
          "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';upgrade-insecure-requests",
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
        'origin-agent-cluster': '?1',
        'referrer-policy': 'no-referrer',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'x-content-type-options': 'nosniff',
        'x-dns-prefetch-control': 'off',
        'x-download-options': 'noopen',
        'x-frame-options': 'DENY',
        'x-permitted-cross-domain-policies': 'none',
        'x-xss-protection': '1; mode=block',
      });
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it("carry Express's weak ETag of the body, and If-None-Match with it answers 304", async () => {
    const { key } = await createTestTenant(deps.prisma);
    const res = await fetch(`${url}/api/v1/nodes`, { headers: { 'X-API-Key': key } });
    const body = Buffer.from(await res.arrayBuffer());
    const expected = `W/"${body.length.toString(16)}-${createHash('sha1').update(body).digest('base64').substring(0, 27)}"`;
    expect(res.headers.get('etag')).toBe(expected);
    // node:http rather than fetch, which adds Cache-Control: no-cache to a request carrying If-None-Match.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      get(`${url}/api/v1/nodes`, { headers: { 'X-API-Key': key, 'If-None-Match': expected } }, (r) => {
        r.resume();
        resolve(r.statusCode);
      }).on('error', reject);
    });
    expect(status).toBe(304);
  });
});

describe('request histogram', () => {
  it('counts by method, full route template and status, errors raised in a route included', async () => {
    // A 404 raised by the route leaves the /api/v1 router before the answer is written; it was counted under
    // "/jobs/:id" while its 200s were counted under "/api/v1/jobs/:id".
    const { key } = await createTestTenant(deps.prisma);
    const count = async () => {
      const h = await metrics().httpDuration.get();
      const series = h.values.find(
        (v) => v.metricName === 'cs_http_request_duration_seconds_count' && v.labels.route === '/api/v1/jobs/:id' && v.labels.status === '404' && v.labels.method === 'GET',
      );
      return series?.value ?? 0;
    };
    const before = await count();
    for (let i = 0; i < 3; i++) {
      await fetch(`${url}/api/v1/jobs/00000000-0000-4000-8000-00000000000${i}`, { headers: { 'X-API-Key': key } });
    }
    expect((await count()) - before).toBe(3);
  });
});
