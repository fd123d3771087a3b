// The embedding cache through the real API and worker: one tenant's cache hits are invisible to every other
// tenant (GET /reports/cost counts the same embed calls whether or not someone else embedded the text first),
// and search queries never add rows to the persistent cache.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../../../test/support/api.js';
import { startTestWorker } from '../../../../test/support/worker.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { Client } from '../../../../test/support/flow.js';
import type { Json } from '../../../../test/support/http.js';
import type { WorkerRuntime } from '../../../../worker/src/runtime.js';
import { textHash } from '../../../../shared/src/providers/embeddings/index.js';

let api: TestApi;
let worker: WorkerRuntime;

beforeAll(async () => {
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('embcache') });
  worker = await startTestWorker(api.config);
});
afterAll(async () => {
  await worker?.close();
  await api?.close();
});

const newTenant = async () => new Client(api.url, (await createTestTenant(api.deps.prisma)).key);

/** A text no other test uploads: a random word in every paragraph, so every chunk is new to the database. */
const uniqueText = () => {
  const w = () => `zq${randomBytes(6).toString('hex')}`;
  return `# Lesson ${w()}

Binary search halves the sorted range at every step, so ${w()} finds a key in logarithmic time.

A hash table maps keys to buckets; ${w()} collisions are resolved by chaining or open addressing.`;
};

async function uploadReady(c: Client, text: string): Promise<void> {
  const node = await c.createCourse('Cache');
  const up = await c.upload(node.id, 'lesson.md', text);
  expect(up.status).toBe(201);
  expect((await c.waitForMaterial(up.body.id)).state).toBe('ready');
}

const embedGroup = async (c: Client): Promise<Json> => {
  const r = await c.get('/reports/cost');
  expect(r.status).toBe(200);
  return r.body.by_action.find((g: Json) => g.group === 'embed') ?? { calls: 0, units_in: 0 };
};

describe('embedding cache across tenants', () => {
  it("tenant B's cost report is the same for a text tenant A already embedded as for a new text", async () => {
    const [a, b, c] = await Promise.all([newTenant(), newTenant(), newTenant()]);
    const shared = uniqueText();
    await uploadReady(a, shared);
    await uploadReady(b, shared); // the exact text A embedded before
    await uploadReady(c, uniqueText()); // a text nobody embedded before, of the same shape
    const [ea, eb, ec] = await Promise.all([embedGroup(a), embedGroup(b), embedGroup(c)]);
    expect(ea.calls).toBeGreaterThan(0);
    expect(eb.calls).toBe(ec.calls);
    expect(eb.calls).toBe(ea.calls);
    expect(eb.units_in).toBe(ea.units_in);
  });

  it('within one tenant a re-upload is still served from the cache (no new embed calls)', async () => {
    const a = await newTenant();
    const text = uniqueText();
    await uploadReady(a, text);
    const first = await embedGroup(a);
    await uploadReady(a, text);
    expect((await embedGroup(a)).calls).toBe(first.calls);
  });
});

describe('search queries and the persistent cache', () => {
  it('distinct search queries add no rows to embedding_cache', async () => {
    const a = await newTenant();
    const node = await a.createCourse('Search');
    const queries = ['semantic', 'hybrid', 'semantic'].map((mode) => ({ mode, query: `how does ${randomBytes(6).toString('hex')} binary search work` }));
    for (const q of queries) expect((await a.post(`/nodes/${node.id}/search`, q)).status).toBe(200);
    const rows = await api.deps.prisma.embeddingCacheEntry.count({ where: { textSha256: { in: queries.map((q) => textHash(q.query)) } } });
    expect(rows).toBe(0);
    // The queries were embedded (and charged) all the same.
    expect((await a.get('/reports/cost')).body.by_action.find((g: Json) => g.group === 'search')?.calls).toBe(3);
  });
});
