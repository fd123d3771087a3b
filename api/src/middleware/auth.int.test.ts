// Auth matrix (API.md "Common rules"): each case answered with the exact status and body.
import { json } from '../../../test/support/http.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestApi, uniquePrefix, type TestApi } from '../../../test/support/api.js';
import { addKey, createTestTenant } from '../../../test/support/tenants.js';
import { defineRoute } from '../http/define-route.js';
import { revokeApiKey, setTenantActive } from '../../../shared/src/auth/tenants.service.js';

const echo = (path: string, scope: 'prep' | 'check' | 'prep_or_check') =>
  defineRoute({
    method: 'post',
    path,
    scope,
    summary: `test ${scope}`,
    tags: ['test'],
    body: z.object({ n: z.number().int() }).optional(),
    bodyKind: 'json',
    responses: { 200: { description: 'ok' } },
    handler: async ({ res, body, auth }) => {
      res.json({ tenant_id: auth.tenantId, n: body?.n ?? null });
    },
  });

let api: TestApi;
const call = (path: string, key?: string, init: RequestInit = {}) =>
  fetch(`${api.url}/api/v1${path}`, {
    method: 'POST',
    ...init,
    headers: { ...(key ? { 'X-API-Key': key } : {}), ...(init.headers as Record<string, string>) },
  });

beforeAll(async () => {
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('auth') }, [
    echo('/_t/prep', 'prep'),
    echo('/_t/any', 'prep_or_check'),
    echo('/_t/check', 'check'),
  ]);
});
afterAll(async () => api?.close());

async function expectError(res: Response, status: number, detail: unknown, code: string) {
  expect(res.status).toBe(status);
  const body = await json(res);
  expect(body).toEqual({ detail, code, request_id: res.headers.get('x-request-id') });
  expect(body.request_id).toBeTruthy();
}

describe('authentication', () => {
  it('no key → 401 Not authenticated', async () => {
    await expectError(await call('/_t/prep'), 401, 'Not authenticated', 'not_authenticated');
  });

  it('malformed key → 401 Invalid API key', async () => {
    for (const bad of ['nope', 'cs_live_XYZ', 'cs_live_' + 'A'.repeat(32), 'cs_prod_' + 'a'.repeat(32)]) {
      await expectError(await call('/_t/prep', bad), 401, 'Invalid API key', 'invalid_api_key');
    }
  });

  it('unknown well-formed key → 401 Invalid API key', async () => {
    await expectError(await call('/_t/prep', 'cs_live_' + '0'.repeat(32)), 401, 'Invalid API key', 'invalid_api_key');
  });

  it('revoked key → 401 at once, even after it was cached', async () => {
    const { tenant } = await createTestTenant(api.deps.prisma);
    const { key, keyId } = await addKey(api.deps.prisma, tenant.id);
    expect((await call('/_t/prep', key)).status).toBe(200); // now cached
    await revokeApiKey(api.deps.prisma, keyId, { redis: api.deps.redis, prefix: api.config.BULLMQ_PREFIX });
    await expect.poll(async () => (await call('/_t/prep', key)).status, { timeout: 5000 }).toBe(401);
    await expectError(await call('/_t/prep', key), 401, 'Invalid API key', 'invalid_api_key');
  });

  it('expired key → 401 API key expired', async () => {
    const { key } = await createTestTenant(api.deps.prisma, { expiresAt: new Date(Date.now() - 1000) });
    await expectError(await call('/_t/prep', key), 401, 'API key expired', 'api_key_expired');
  });

  it('key of a deactivated tenant → 401 Invalid API key', async () => {
    const { tenant, key } = await createTestTenant(api.deps.prisma);
    expect((await call('/_t/prep', key)).status).toBe(200);
    await setTenantActive(api.deps.prisma, tenant.id, false, { redis: api.deps.redis, prefix: api.config.BULLMQ_PREFIX });
    await expect.poll(async () => (await call('/_t/prep', key)).status, { timeout: 5000 }).toBe(401);
  });
});

describe('scopes', () => {
  it('wrong scope → 403 with the required scope named', async () => {
    const { key: checkOnly } = await createTestTenant(api.deps.prisma, { scopes: ['check'] });
    const { key: prepOnly } = await createTestTenant(api.deps.prisma, { scopes: ['prep'] });
    await expectError(await call('/_t/prep', checkOnly), 403, 'Requires scope: prep', 'insufficient_scope');
    await expectError(await call('/_t/check', prepOnly), 403, 'Requires scope: check', 'insufficient_scope');
    expect((await call('/_t/any', checkOnly)).status).toBe(200);
    expect((await call('/_t/any', prepOnly)).status).toBe(200);
  });

  it('401 comes before 403, 403 before 422', async () => {
    const { key: checkOnly } = await createTestTenant(api.deps.prisma, { scopes: ['check'] });
    const bad = { body: '{oops', headers: { 'content-type': 'application/json' } };
    expect((await call('/_t/prep', undefined, bad)).status).toBe(401);
    expect((await call('/_t/prep', checkOnly, bad)).status).toBe(403);
  });
});

describe('request handling', () => {
  it('success carries X-Request-Id (echoed) and RateLimit-* headers', async () => {
    const { key, tenant } = await createTestTenant(api.deps.prisma);
    const res = await call('/_t/prep', key, { headers: { 'X-Request-Id': 'my-req-1' } });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ tenant_id: tenant.id, n: null });
    expect(res.headers.get('x-request-id')).toBe('my-req-1');
    expect(res.headers.get('ratelimit-limit')).toBe('10000');
    expect(Number(res.headers.get('ratelimit-remaining'))).toBe(9999);
    expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
  });

  it('malformed JSON → 422 json_invalid in the list shape', async () => {
    const { key } = await createTestTenant(api.deps.prisma);
    const res = await call('/_t/prep', key, { body: '{"n": ', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.code).toBe('validation_error');
    expect(body.detail[0]).toMatchObject({ loc: ['body'], type: 'json_invalid' });
  });

  it('wrong type → 422 naming the field', async () => {
    const { key } = await createTestTenant(api.deps.prisma);
    const res = await call('/_t/prep', key, { body: '{"n":"x"}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(422);
    expect((await json(res)).detail[0]).toMatchObject({ loc: ['body', 'n'], type: 'number_type' });
  });

  it('unknown route → 404 in the error shape; headers hardened', async () => {
    const res = await fetch(`${api.url}/nope`);
    await expectError(res, 404, 'Not Found', 'not_found');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-xss-protection')).toBe('1; mode=block');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
  });
});

describe('rate limits', () => {
  it('429 with Retry-After once the key\'s limit for the scope is used up', async () => {
    const { key } = await createTestTenant(api.deps.prisma, { limits: { rateLimitPrep: 3 } });
    for (let i = 0; i < 3; i++) expect((await call('/_t/prep', key)).status).toBe(200);
    const res = await call('/_t/prep', key);
    await expectError(res, 429, 'Rate limit exceeded', 'rate_limited');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('ratelimit-remaining')).toBe('0');
  });

  it('S routes are charged to check when the key holds it, else prep', async () => {
    const { key: both } = await createTestTenant(api.deps.prisma, { limits: { rateLimitPrep: 1, rateLimitCheck: 5 } });
    for (let i = 0; i < 5; i++) expect((await call('/_t/any', both)).status).toBe(200);
    expect((await call('/_t/any', both)).status).toBe(429);
    expect((await call('/_t/prep', both)).status).toBe(200); // the prep counter is untouched
    const { key: prepOnly } = await createTestTenant(api.deps.prisma, { scopes: ['prep'], limits: { rateLimitPrep: 1 } });
    expect((await call('/_t/any', prepOnly)).status).toBe(200);
    expect((await call('/_t/prep', prepOnly)).status).toBe(429);
  });

  it('limits are per tenant: another tenant is unaffected', async () => {
    const a = await createTestTenant(api.deps.prisma, { limits: { rateLimitPrep: 1 } });
    const b = await createTestTenant(api.deps.prisma, { limits: { rateLimitPrep: 1 } });
    expect((await call('/_t/prep', a.key)).status).toBe(200);
    expect((await call('/_t/prep', a.key)).status).toBe(429);
    expect((await call('/_t/prep', b.key)).status).toBe(200);
  });
});
