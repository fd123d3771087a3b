// Limits and revocations are shared by every API process (Redis): two real API processes, one Redis.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiProcess, type ApiProcess } from '../../../test/support/api-process.js';
import { uniquePrefix } from '../../../test/support/api.js';
import { createTestTenant } from '../../../test/support/tenants.js';
import { createPrisma, type PrismaClient } from '../../../shared/src/db/client.js';
import { loadConfig } from '../../../shared/src/config/index.js';

const run = promisify(execFile);
const prefix = uniquePrefix('multi');
let a: ApiProcess;
let b: ApiProcess;
let prisma: PrismaClient;

beforeAll(async () => {
  prisma = createPrisma(loadConfig().DATABASE_URL, { poolMax: 2 });
  [a, b] = await Promise.all([startApiProcess({ BULLMQ_PREFIX: prefix }), startApiProcess({ BULLMQ_PREFIX: prefix })]);
}, 60_000);
afterAll(async () => {
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await prisma?.$disconnect();
});

describe('two API processes, one Redis', () => {
  it('a limit of N per window: of M > N concurrent requests over both processes exactly N pass', async () => {
    const N = 7;
    const M = 24;
    const { key } = await createTestTenant(prisma, { limits: { rateLimitCheck: N, rateLimitPrep: N } });
    const responses = await Promise.all(
      Array.from({ length: M }, (_, i) => fetch(`${(i % 2 ? a : b).url}/api/v1/nodes`, { headers: { 'X-API-Key': key } })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(N);
    expect(statuses.filter((s) => s === 429)).toHaveLength(M - N);
    for (const r of responses.filter((x) => x.status === 429)) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await r.json()).toMatchObject({ detail: 'Rate limit exceeded', code: 'rate_limited' });
    }
    // Each process got M/2 > N requests and refused some: with per-process counters the total would exceed N.
    for (const side of [0, 1]) {
      expect(responses.filter((r, i) => i % 2 === side && r.status === 429).length).toBeGreaterThan(0);
    }
  });

  it('a key revoked with the CLI is refused by every process within 5 s, although both had it cached', async () => {
    const { key, keyId } = await createTestTenant(prisma);
    for (const p of [a, b]) {
      expect((await fetch(`${p.url}/api/v1/nodes`, { headers: { 'X-API-Key': key } })).status).toBe(200);
    }
    const started = Date.now();
    await run(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'key', 'revoke', keyId], {
      env: { ...process.env, BULLMQ_PREFIX: prefix },
    });
    for (const p of [a, b]) {
      await expect
        .poll(async () => (await fetch(`${p.url}/api/v1/nodes`, { headers: { 'X-API-Key': key } })).status, {
          timeout: 5000,
          interval: 100,
        })
        .toBe(401);
    }
    expect(Date.now() - started).toBeLessThan(5000 + 3000); // CLI start-up included
  });
});
