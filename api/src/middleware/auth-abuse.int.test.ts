// Unauthenticated traffic that costs us (issue 13, item 9): unknown well-formed keys are remembered for a few
// seconds (no Postgres lookup per request), and an address that keeps failing authentication is answered 429
// before any lookup, counted in Redis so every API process sees it. The client address is Express's req.ip
// under TRUST_PROXY: behind nginx the address nginx appended to X-Forwarded-For, never one the client wrote.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../../test/support/api.js';
import { addKey, createTestTenant } from '../../../test/support/tenants.js';
import { json } from '../../../test/support/http.js';
import { revokeApiKey } from '../../../shared/src/auth/tenants.service.js';

const LIMIT = 5;
let api: TestApi;
let second: TestApi;
beforeAll(async () => {
  const prefix = uniquePrefix('auth-abuse');
  const env = { BULLMQ_PREFIX: prefix, AUTH_FAILURES_PER_ADDRESS: String(LIMIT), TRUST_PROXY: 'loopback' };
  api = await startTestApi(env);
  second = await startTestApi(env); // another API process on the same Redis prefix
});
afterAll(async () => {
  await second?.close();
  await api?.close();
});

const unknownKey = () => `cs_live_${randomBytes(16).toString('hex')}`;
let nextAddress = 1;
/** A client address of its own per test (documentation range), as nginx would append it. */
const freshAddress = () => `203.0.113.${nextAddress++}`;
const get = (base: TestApi, key: string | undefined, address: string, xff?: string) =>
  fetch(`${base.url}/api/v1/nodes`, { headers: { ...(key ? { 'X-API-Key': key } : {}), 'X-Forwarded-For': xff ?? address } });

describe('negative cache of unknown keys', () => {
  it('the same unknown key is looked up in Postgres once, not on every request', async () => {
    const key = unknownKey();
    const address = freshAddress();
    const before = api.deps.keyStore.lookups;
    for (let i = 0; i < 4; i++) expect((await get(api, key, address)).status).toBe(401);
    expect(api.deps.keyStore.lookups - before).toBe(1);
  });

  it('revocation stays immediate and a new key works at once', async () => {
    const { tenant } = await createTestTenant(api.deps.prisma);
    const { key, keyId } = await addKey(api.deps.prisma, tenant.id);
    const address = freshAddress();
    expect((await get(api, key, address)).status).toBe(200); // a key created just now is served
    await revokeApiKey(api.deps.prisma, keyId, { redis: api.deps.redis, prefix: api.config.BULLMQ_PREFIX });
    await expect.poll(async () => (await get(api, key, address)).status, { timeout: 2000, interval: 50 }).toBe(401);
  });
});

describe('per-address limit before authentication', () => {
  it(`after ${LIMIT} failed authentications an address gets 429 with Retry-After, without a lookup`, async () => {
    const address = freshAddress();
    for (let i = 0; i < LIMIT; i++) expect((await get(api, unknownKey(), address)).status).toBe(401);
    const lookups = api.deps.keyStore.lookups;
    const res = await get(api, unknownKey(), address);
    expect(res.status).toBe(429);
    const body = await json(res);
    expect(body).toEqual({ detail: 'Rate limit exceeded', code: 'rate_limited', request_id: res.headers.get('x-request-id') });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(api.deps.keyStore.lookups, 'no Postgres lookup for a blocked address').toBe(lookups);
    // Requests without a key and with malformed keys count and are refused the same way.
    expect((await get(api, undefined, address)).status).toBe(429);
    expect((await get(api, 'nope', address)).status).toBe(429);
  });

  it('missing and malformed keys count as failures too', async () => {
    const address = freshAddress();
    for (let i = 0; i < LIMIT; i++) expect((await get(api, i % 2 ? undefined : 'cs_live_x', address)).status).toBe(401);
    expect((await get(api, unknownKey(), address)).status).toBe(429);
  });

  it('the count is shared by every API process (Redis)', async () => {
    const address = freshAddress();
    for (let i = 0; i < LIMIT; i++) expect((await get(api, unknownKey(), address)).status).toBe(401);
    expect((await get(second, unknownKey(), address)).status).toBe(429);
  });

  it('other addresses are unaffected, and a client cannot escape by writing its own X-Forwarded-For', async () => {
    const address = freshAddress();
    for (let i = 0; i < LIMIT; i++) expect((await get(api, unknownKey(), address)).status).toBe(401);
    expect((await get(api, unknownKey(), freshAddress())).status).toBe(401);
    // nginx appends the real address: whatever the client put before it is ignored.
    expect((await get(api, unknownKey(), address, `198.51.100.7, ${address}`)).status).toBe(429);
  });

  it('a key already known to this process keeps working from a blocked address', async () => {
    const { key } = await createTestTenant(api.deps.prisma);
    const address = freshAddress();
    expect((await get(api, key, address)).status).toBe(200);
    for (let i = 0; i < LIMIT; i++) expect((await get(api, unknownKey(), address)).status).toBe(401);
    expect((await get(api, unknownKey(), address)).status).toBe(429);
    expect((await get(api, key, address)).status).toBe(200);
  });
});
