// The world the bad-input catalogue attacks: a real API and worker (own BullMQ prefix), two tenants with a
// course, a lesson and a stored material each, and keys in every state (check-only, prep-only, revoked, expired,
// deactivated tenant). The fixtures' jobs are run to the end first, so nothing moves on its own afterwards.
// `snapshot()` counts everything a request could have stored or enqueued, so each case can assert that it left
// no trace.
import { expect } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../support/api.js';
import { addKey, createTestTenant } from '../support/tenants.js';
import { Client } from '../support/flow.js';
import { waitFor } from '../support/processes.js';
import { startTestWorker } from '../support/worker.js';
import { revokeApiKey, setTenantActive } from '../../shared/src/auth/tenants.service.js';
import { listPrefix, listUnfinishedMultipartUploads, tenantPrefix } from '../../shared/src/storage/index.js';
import { QUEUES } from '../../shared/src/jobs/definitions.js';
import type { RawResponse } from './raw-http.js';

export interface TenantFixture {
  id: string;
  key: string;
  client: Client;
  courseId: string;
  lessonId: string;
  materialId: string;
  jobId: string;
  objectKey: string;
}

export interface World {
  api: TestApi;
  a: TenantFixture;
  b: TenantFixture;
  keys: { checkOnly: string; prepOnly: string; revoked: string; expired: string; inactiveTenant: string };
  snapshot(): Promise<unknown>;
  close(): Promise<void>;
}

async function tenantFixture(api: TestApi, name: string): Promise<TenantFixture> {
  const t = await createTestTenant(api.deps.prisma);
  const client = new Client(api.url, t.key);
  const course = await client.createCourse(`${name} course`);
  const lesson = await client.addChild(course.id, `${name} lesson`);
  const up = await client.upload(lesson.id, 'notes.md', `# ${name}\n\nNotes of ${name}.`);
  expect(up.status).toBe(201);
  const row = await api.deps.prisma.material.findUniqueOrThrow({ where: { id: up.body.id } });
  return {
    id: t.tenant.id,
    key: t.key,
    client,
    courseId: course.id,
    lessonId: lesson.id,
    materialId: up.body.id,
    jobId: up.body.job_id,
    objectKey: row.s3Key as string,
  };
}

export async function createWorld(name: string, overrides: Record<string, string> = {}): Promise<World> {
  const api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix(name), ...overrides });
  const prisma = api.deps.prisma;
  // A worker runs the fixtures' jobs to the end: a job left queued would be picked up after 20 s by the
  // reconciler of any other API on this database (it is not scoped to BULLMQ_PREFIX) and change under us.
  const worker = await startTestWorker(api.config);
  const [a, b] = [await tenantFixture(api, 'alice'), await tenantFixture(api, 'bob')];
  for (const t of [a, b]) expect((await t.client.waitForMaterial(t.materialId)).state).toBe('ready');
  const checkOnly = (await addKey(prisma, a.id, { scopes: ['check'] })).key;
  const prepOnly = (await addKey(prisma, a.id, { scopes: ['prep'] })).key;
  const revoked = await addKey(prisma, a.id);
  await revokeApiKey(prisma, revoked.keyId);
  const expired = (await addKey(prisma, a.id, { expiresAt: new Date(Date.now() - 60_000) })).key;
  const inactive = await createTestTenant(prisma);
  await setTenantActive(prisma, inactive.tenant.id, false);

  const tenantIds = [a.id, b.id];
  const s3 = { client: api.deps.s3, bucket: api.config.S3_BUCKET };
  const unfinished = () => prisma.job.count({ where: { tenantId: { in: [a.id, b.id] }, status: { in: ['queued', 'active'] } } });
  await waitFor(async () => (await unfinished()) === 0, 30_000, 'fixture jobs finished');

  async function perTenant(id: string) {
    const where = { tenantId: id };
    const objects: string[] = [];
    for await (const o of listPrefix({ ...s3, prefix: tenantPrefix(id) })) objects.push(`${o.key}:${o.sizeBytes}`);
    let multipart = 0;
    for await (const _u of listUnfinishedMultipartUploads({ ...s3, prefix: tenantPrefix(id) })) multipart++;
    const [nodes, materials, jobs, outboxRows, intents, nodeTouched, materialTouched, keyStates, tenant, homework] = await Promise.all([
      prisma.materialNode.count({ where }),
      prisma.material.count({ where }),
      prisma.job.count({ where }),
      prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM job_outbox o JOIN jobs j ON j.id = o.job_id WHERE j.tenant_id = ${id}::uuid`,
      prisma.uploadIntent.count({ where }),
      prisma.materialNode.aggregate({ where, _max: { updatedAt: true } }),
      prisma.material.aggregate({ where, _max: { updatedAt: true } }),
      prisma.apiKey.findMany({ where, select: { id: true, revokedAt: true }, orderBy: { id: 'asc' } }),
      prisma.tenant.findUniqueOrThrow({ where: { id }, select: { webhookUrl: true, webhookSecretEnc: true, isActive: true, updatedAt: true } }),
      Promise.all([
        prisma.student.count({ where }),
        prisma.submission.count({ where }),
        prisma.webhookDelivery.count({ where }),
        prisma.structureSnapshot.count({ where }),
        prisma.slideMapping.count({ where }),
      ]),
    ]);
    return {
      nodes,
      materials,
      jobs,
      outbox: Number(outboxRows[0]?.n ?? 0),
      intents,
      objects: objects.sort(),
      multipart,
      nodeTouched: nodeTouched._max.updatedAt?.toISOString() ?? null,
      materialTouched: materialTouched._max.updatedAt?.toISOString() ?? null,
      keyStates,
      tenant: { ...tenant, updatedAt: tenant.updatedAt.toISOString() },
      homework: { students: homework[0], submissions: homework[1], deliveries: homework[2] },
      structure: { snapshots: homework[3], slideMappings: homework[4] },
    };
  }

  async function snapshot() {
    // BullMQ jobs of these tenants (by payload): other files' jobs can show up in this prefix, because the job
    // reconciler of every API on the shared test database re-enqueues any old unfinished job into its own prefix.
    const queued: Record<string, string[]> = {};
    for (const q of QUEUES) {
      const all = await api.deps.queues.get(q).getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed']);
      queued[q] = all
        .filter((j) => tenantIds.includes((j?.data as { tenantId?: string } | undefined)?.tenantId ?? ''))
        .map((j) => `${j.id}`)
        .sort();
    }
    return { tenants: await Promise.all(tenantIds.map(perTenant)), queued };
  }

  return {
    api,
    a,
    b,
    keys: { checkOnly, prepOnly, revoked: revoked.key, expired, inactiveTenant: inactive.key },
    snapshot,
    async close() {
      await worker.close();
      await api.close();
    },
  };
}

/** API.md's error body, and X-Request-Id equal to its request_id. */
export function expectErrorShape(res: RawResponse, what: string): void {
  const body = res.json as { detail?: unknown; code?: unknown; request_id?: unknown } | null;
  expect(body, `${what}: JSON error body`).toBeTypeOf('object');
  expect(body, `${what}: JSON error body`).not.toBeNull();
  const detail = body?.detail;
  expect(typeof detail === 'string' || Array.isArray(detail), `${what}: detail is a string or list`).toBe(true);
  if (Array.isArray(detail)) {
    for (const d of detail) expect(d, what).toMatchObject({ loc: expect.any(Array), msg: expect.any(String), type: expect.any(String) });
  }
  expect(body?.code, `${what}: code`).toMatch(/^[a-z][a-z0-9_]*$/);
  expect(body?.request_id, `${what}: request_id`).toEqual(expect.any(String));
  expect(res.headers['x-request-id'], `${what}: X-Request-Id`).toBe(body?.request_id);
  expect(JSON.stringify(body), `${what}: no internals`).not.toMatch(/\bat .+\.(ts|js):\d+|prisma|stack/i);
}
