// Homework files count against the tenant quota as materials do: a submit whose file does not fit is refused with
// 413 quota_exceeded and leaves no object, row or job; parallel submits cannot together store more than the quota;
// stored homework leaves less room for materials; a duplicate submit still answers as the existing submission when
// the quota is full; a homework file deleted through /storage/files frees its bytes. Before, homework was not
// counted at all: a tenant could store any amount through /homework/submit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../../../test/support/api.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { Client } from '../../../../test/support/flow.js';
import { homeworkEnv, submit, tenantFootprint } from '../../../../test/support/homework.js';
import { tenantQuotaUsage } from '../../../../shared/src/db/quota.repository.js';

const KiB = 1024;
const QUOTA = 1024 * KiB;
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi(homeworkEnv({ BULLMQ_PREFIX: uniquePrefix('hwquota'), TENANT_QUOTA_BYTES: String(QUOTA), HOMEWORK_MAX_BYTES: String(2048 * KiB) }));
});
afterAll(async () => {
  await api?.close();
});

async function tenant() {
  const t = await createTestTenant(api.deps.prisma);
  const c = new Client(api.url, t.key);
  const course = await c.createCourse('Quota');
  const lesson = await c.addChild(course.id, 'Lesson');
  return { c, id: t.tenant.id, course: course.id, target: { course: course.id, node: lesson.id } };
}
/** A distinct Python file of about n bytes. */
const py = (n: number, tag: string) => `# ${tag}\n${'x = 1\n'.repeat(Math.ceil(n / 6))}`;

describe('homework and the tenant quota', () => {
  it('a homework file that does not fit is refused with 413 quota_exceeded and leaves nothing behind', async () => {
    const { c, id, course, target } = await tenant();
    expect((await c.upload(course, 'big.md', `# notes\n${'a'.repeat(900 * KiB)}`)).status).toBe(201);
    const before = await tenantFootprint(api, id);
    const r = await submit(c, target, py(300 * KiB, 'too big'));
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('quota_exceeded');
    expect(await tenantFootprint(api, id)).toEqual(before);
  });

  it('parallel submits never store more than the quota', async () => {
    const { c, id, target } = await tenant();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => submit(c, target, py(300 * KiB, `s${i}`), { student: `student-${i}` })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 202 || s === 413), JSON.stringify(statuses)).toBe(true);
    expect(results.filter((r) => r.status === 413).every((r) => r.body.code === 'quota_exceeded')).toBe(true);
    const stored = await api.deps.prisma.submission.aggregate({ where: { tenantId: id }, _sum: { sizeBytes: true } });
    expect(Number(stored._sum.sizeBytes ?? 0n)).toBeLessThanOrEqual(QUOTA);
    expect(await tenantQuotaUsage(api.deps.prisma, id)).toBe(Number(stored._sum.sizeBytes ?? 0n));
  });

  it('stored homework leaves less room for materials; a duplicate submit at a full quota is still the duplicate', async () => {
    const { c, id, course, target } = await tenant();
    const file = py(600 * KiB, 'kept');
    const first = await submit(c, target, file);
    expect(first.status).toBe(202);
    expect((await c.upload(course, 'notes.md', `# notes\n${'a'.repeat(500 * KiB)}`)).status).toBe(413);
    const again = await submit(c, target, file); // 600 KiB more would not fit: it is the same submission
    expect(again.status).toBe(202);
    expect(again.body.duplicate).toBe(true);
    expect(again.body.submission_id).toBe(first.body.submission_id);
    expect(await tenantQuotaUsage(api.deps.prisma, id)).toBe(Buffer.byteLength(file));
    expect((await c.upload(course, 'small.md', `# notes\n${'a'.repeat(300 * KiB)}`)).status).toBe(201);
  });

  it('a homework file deleted through /storage/files stops counting; its submission stays', async () => {
    const { c, id, course, target } = await tenant();
    const r = await submit(c, target, py(700 * KiB, 'deleted later'));
    expect(r.status).toBe(202);
    expect((await c.upload(course, 'notes.md', `# notes\n${'a'.repeat(500 * KiB)}`)).status).toBe(413);
    const row = await api.deps.prisma.submission.findUniqueOrThrow({ where: { id: r.body.submission_id } });
    expect((await c.req('DELETE', `/storage/files/${row.s3Key}`)).status).toBe(204);
    expect(await tenantQuotaUsage(api.deps.prisma, id)).toBe(0);
    expect((await c.req('GET', `/homework/submissions/${r.body.submission_id}`)).status).toBe(200);
    expect((await c.upload(course, 'notes.md', `# notes\n${'a'.repeat(500 * KiB)}`)).status).toBe(201);
  });
});
