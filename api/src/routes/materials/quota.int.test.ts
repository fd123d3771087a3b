// Issue 13 items 4 and 5: the quota holds under parallel uploads (bytes are reserved atomically before they are
// stored; nothing stays reserved), a declared size is signed so S3 refuses another, and presigned uploads without
// a size are checked by the unconfirmed-uploads sweep (over the limit: deleted; otherwise counted in the quota).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../../../test/support/api.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { Client } from '../../../../test/support/flow.js';
import { headObject } from '../../../../shared/src/storage/index.js';
import { createLogger } from '../../../../shared/src/logger/index.js';
import { maintenanceSweep } from '../../../../worker/src/processors/maintenance/sweep.js';
import { tenantQuotaUsage } from '../../../../shared/src/db/quota.repository.js';

const KiB = 1024;
const QUOTA = 1024 * KiB;
const LIMIT = 2048 * KiB;
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('quota'), MAX_UPLOAD_BYTES: String(LIMIT), TENANT_QUOTA_BYTES: String(QUOTA) });
});
afterAll(async () => {
  await api?.close();
});

async function tenant() {
  const t = await createTestTenant(api.deps.prisma);
  const c = new Client(api.url, t.key);
  return { c, id: t.tenant.id, course: await c.createCourse('Quota') };
}
const text = (n: number) => `${'# notes\n'}${'a'.repeat(n - 8)}`;
const intents = (tenantId: string) => api.deps.prisma.uploadIntent.count({ where: { tenantId } });
const storedBytes = async (tenantId: string) =>
  Number((await api.deps.prisma.material.aggregate({ where: { tenantId }, _sum: { sizeBytes: true } }))._sum.sizeBytes ?? 0n);

describe('quota under concurrency', () => {
  it('parallel streamed uploads never store more than the quota; nothing stays reserved', async () => {
    const { c, id, course } = await tenant();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => c.upload(course.id, `p${i}.md`, text(300 * KiB))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 201 || s === 413), JSON.stringify(statuses)).toBe(true);
    expect(results.filter((r) => r.status === 413).every((r) => r.body.code === 'quota_exceeded')).toBe(true);
    expect(await storedBytes(id)).toBeLessThanOrEqual(QUOTA);
    expect(await intents(id)).toBe(0);
  });

  it('parallel upload-url with size_bytes reserves atomically: the declared bytes never exceed the quota', async () => {
    const { c, id, course } = await tenant();
    const all = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      c.post(`/nodes/${course.id}/materials/upload-url`, { filename: `d${i}.md`, content_type: 'text/markdown', source_type: 'text', size_bytes: 300 * KiB })));
    expect(all.filter((r) => r.status === 200).length).toBe(3);
    expect(all.filter((r) => r.status === 413).every((r) => r.body.code === 'quota_exceeded')).toBe(true);
    expect(await tenantQuotaUsage(api.deps.prisma, id)).toBe(900 * KiB);
    // A streamed upload now finds only what is left.
    expect((await c.upload(course.id, 'late.md', text(200 * KiB))).status).toBe(413);
  });

  it('a declared size stops counting once its URL expired unused', async () => {
    const { c, id, course } = await tenant();
    const u = await c.post(`/nodes/${course.id}/materials/upload-url`, { filename: 'never.md', content_type: 'text/markdown', source_type: 'text', size_bytes: 900 * KiB });
    expect(await tenantQuotaUsage(api.deps.prisma, id)).toBe(900 * KiB);
    const sweep = maintenanceSweep({ prisma: api.deps.prisma, s3: api.deps.s3, config: api.config, logger: createLogger({ level: 'silent' }) });
    await sweep({ task: 'unconfirmed-uploads' });
    expect(await tenantQuotaUsage(api.deps.prisma, id)).toBe(900 * KiB); // the URL may still be used
    await api.deps.prisma.uploadIntent.update({ where: { key: u.body.key }, data: { createdAt: new Date(Date.now() - 20 * 60_000), checkedAt: new Date(Date.now() - 19 * 60_000) } }); // as if 20 min later
    await sweep({ task: 'unconfirmed-uploads' });
    expect(await tenantQuotaUsage(api.deps.prisma, id)).toBe(0);
    expect(await intents(id)).toBe(0);
  });

  it('a reservation left by a crashed upload stops counting at its reserved_until', async () => {
    const { c, id, course } = await tenant();
    await api.deps.prisma.uploadIntent.create({
      data: { key: `tenants/${id}/nodes/${course.id}/crashed/x.md`, tenantId: id, nodeId: course.id, reservedBytes: BigInt(QUOTA), reservedUntil: new Date(Date.now() - 1000), sizeBound: true },
    });
    expect((await c.upload(course.id, 'after-crash.md', text(10 * KiB))).status).toBe(201);
  });

  it('a double confirm-upload run concurrently: one 201, the others 409 (P2002 mapped), one material', async () => {
    const { c, course } = await tenant();
    const u = await c.post(`/nodes/${course.id}/materials/upload-url`, { filename: 'twice.md', content_type: 'text/markdown', source_type: 'text' });
    expect((await fetch(u.body.upload_url, { method: 'PUT', headers: u.body.headers, body: text(KiB) })).status).toBe(200);
    const two = await Promise.all([0, 1].map(() => c.post(`/nodes/${course.id}/materials/confirm-upload`, { key: u.body.key, source_type: 'text' })));
    expect(two.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(two.find((r) => r.status === 409)?.body.code).toBeDefined();
  });
});

describe('presigned uploads and their size', () => {
  it('with size_bytes the signature covers Content-Length; a body of another size over the limit is swept', async () => {
    const { c, id, course } = await tenant();
    const u = await c.post(`/nodes/${course.id}/materials/upload-url`, { filename: 's.md', content_type: 'text/markdown', source_type: 'text', size_bytes: 100 });
    // Real S3 and B2 refuse a body whose length differs from the signed one.
    expect(new URL(u.body.upload_url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-length');
    expect(await tenantQuotaUsage(api.deps.prisma, id)).toBe(100);
    // s3rver does not check presigned signatures at all, so it stores any size: the sweep catches it anyway.
    const { 'content-length': _signed, ...headers } = u.body.headers as Record<string, string>;
    expect((await fetch(u.body.upload_url, { method: 'PUT', headers, body: text(LIMIT + KiB) })).status).toBe(200);
    const sweep = maintenanceSweep({ prisma: api.deps.prisma, s3: api.deps.s3, config: api.config, logger: createLogger({ level: 'silent' }) });
    await sweep({ task: 'unconfirmed-uploads' });
    expect(await headObject({ client: api.deps.s3, bucket: api.config.S3_BUCKET, key: u.body.key })).toBeNull();
    expect(await intents(id)).toBe(0);
  });

  it('without size_bytes: the sweep deletes an unconfirmed object over the limit and counts the others', async () => {
    const { c, id, course } = await tenant();
    const ask = (name: string) => c.post(`/nodes/${course.id}/materials/upload-url`, { filename: name, content_type: 'text/markdown', source_type: 'text' });
    const big = await ask('big.md');
    const small = await ask('small.md');
    expect((await fetch(big.body.upload_url, { method: 'PUT', headers: big.body.headers, body: text(LIMIT + 100 * KiB) })).status).toBe(200);
    expect((await fetch(small.body.upload_url, { method: 'PUT', headers: small.body.headers, body: text(600 * KiB) })).status).toBe(200);
    const sweep = maintenanceSweep({ prisma: api.deps.prisma, s3: api.deps.s3, config: api.config, logger: createLogger({ level: 'silent' }) });
    const r = (await sweep({ task: 'unconfirmed-uploads' })) as { oversize: number };
    expect(r.oversize).toBeGreaterThanOrEqual(1);
    const ref = { client: api.deps.s3, bucket: api.config.S3_BUCKET };
    expect(await headObject({ ...ref, key: big.body.key })).toBeNull();
    expect(await api.deps.prisma.uploadIntent.count({ where: { key: big.body.key } })).toBe(0);
    expect((await c.get('/storage/usage')).body).toMatchObject({ total_bytes: 600 * KiB, file_count: 1 });
    // The unconfirmed 600 KiB count against the 1 MiB quota: another 600 KiB is refused, streamed or declared.
    expect(await tenantQuotaUsage(api.deps.prisma, id)).toBe(600 * KiB);
    expect((await c.upload(course.id, 'more.md', text(600 * KiB))).body.code).toBe('quota_exceeded');
    expect((await c.post(`/nodes/${course.id}/materials/upload-url`, { filename: 'm.md', content_type: 'text/markdown', source_type: 'text', size_bytes: 600 * KiB })).status).toBe(413);
    // Confirming it replaces its reservation by the material's size (counted once).
    expect((await c.post(`/nodes/${course.id}/materials/confirm-upload`, { key: small.body.key, source_type: 'text' })).status).toBe(201);
    expect(await tenantQuotaUsage(api.deps.prisma, id)).toBe(600 * KiB);
    expect(await intents(id)).toBe(0);
  });
});
