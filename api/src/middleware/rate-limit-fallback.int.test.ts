// While Redis is away, limits fall back to the per-process insurance limiter; they return to Redis by
// themselves. A private Redis is stopped so other test files are not disturbed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../../test/support/api.js';
import { startRedis, waitFor } from '../../../test/support/processes.js';
import { createTestTenant } from '../../../test/support/tenants.js';

let api: TestApi;
let redis: Awaited<ReturnType<typeof startRedis>>;

beforeAll(async () => {
  redis = await startRedis();
  api = await startTestApi({ REDIS_URL: redis.url, BULLMQ_PREFIX: uniquePrefix('rlfb'), API_WORKERS: '1' });
  await waitFor(async () => api.deps.redis.status === 'ready', 5000, 'redis ready');
});
afterAll(async () => {
  await api?.close();
  await redis?.stop();
});

const get = (key: string) => fetch(`${api.url}/api/v1/nodes`, { headers: { 'X-API-Key': key } });

describe('rate limits without Redis', () => {
  it('keeps serving under the in-memory limit, then uses Redis again once it is back', async () => {
    const { key } = await createTestTenant(api.deps.prisma, { limits: { rateLimitCheck: 3, rateLimitPrep: 3 } });
    expect((await get(key)).status).toBe(200); // counted in Redis

    await redis.stop();
    const during = [];
    for (let i = 0; i < 4; i++) during.push((await get(key)).status);
    expect(during).toEqual([200, 200, 200, 429]); // insurance limiter: its own window of 3

    await redis.start();
    await waitFor(async () => api.deps.redis.status === 'ready', 10_000, 'redis reconnect');
    // The fresh Redis has no counter for this tenant: the Redis limiter is in charge again.
    const after = [];
    for (let i = 0; i < 4; i++) after.push((await get(key)).status);
    expect(after).toEqual([200, 200, 200, 429]);
  });
});
