// GET /jobs/{id} against the real database: the fields of API.md, the completion estimate of a queued job (its
// place in its queue), an active and a complete one, another tenant's job unobservable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../../../test/support/api.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { Client } from '../../../../test/support/flow.js';
import { newId } from '../../../../shared/src/db/ids.js';
import { enqueue } from '../../../../shared/src/jobs/producer.js';
import { jobs } from '../../../../shared/src/jobs/definitions.js';
import { completeJob, startAttempt } from '../../../../shared/src/jobs/job-status.js';
import { getJobStatus, MAX_COUNTED_AHEAD } from './jobs.service.js';

let api: TestApi;
let alice: Client;
let bob: Client;
let aliceTenant: string;
// A prefix no relay serves: the jobs stay where the test puts them.
const target = { prefix: uniquePrefix('jobs-idle') };

const FIELDS = [
  'id', 'job_type', 'priority', 'status', 'tenant_id', 'materialnode_id', 'error_message', 'queued_at', 'started_at',
  'completed_at', 'estimated_at', 'progress', 'attempts', 'depends_on', 'subject_id',
];

beforeAll(async () => {
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('jobs') });
  const a = await createTestTenant(api.deps.prisma);
  const b = await createTestTenant(api.deps.prisma);
  alice = new Client(api.url, a.key);
  bob = new Client(api.url, b.key);
  aliceTenant = a.tenant.id;
});
afterAll(async () => api?.close());

const ingest = () =>
  enqueue(api.deps.prisma, target, aliceTenant, jobs.ingestMaterial, { tenantId: aliceTenant, materialId: newId() }).then((j) => {
    if (!j) throw new Error('no job');
    return j;
  });

describe('GET /jobs/{id}', () => {
  it('answers a queued job with every field and an estimate that grows with its place in the queue', async () => {
    const first = await ingest();
    const second = await ingest();
    const a = await alice.get(`/jobs/${first.id}`);
    expect(a.status).toBe(200);
    expect(Object.keys(a.body)).toEqual(FIELDS);
    expect(a.body).toMatchObject({ id: first.id, job_type: 'ingest', status: 'queued', tenant_id: aliceTenant, progress: 0, attempts: 0, depends_on: [] });
    const row = await api.deps.prisma.job.findUniqueOrThrow({ where: { id: first.id } });
    expect(a.body.queued_at).toBe(row.queuedAt.toISOString());
    expect(a.body.started_at).toBeNull();
    const b = await alice.get(`/jobs/${second.id}`);
    const now = Date.now();
    const estA = Date.parse(a.body.estimated_at);
    const estB = Date.parse(b.body.estimated_at);
    expect(estA).toBeGreaterThan(now - 1000);
    // second is one place further back: one mean duration later (10 s default with no completed jobs of the type,
    // or the recent mean), give or take the time between the two requests.
    expect(estB - estA).toBeGreaterThan(0);
  });

  it('answers an active job with started_at + mean and a complete one with no estimate', async () => {
    const job = await ingest();
    await startAttempt(api.deps.prisma, job.id, 1);
    const active = await alice.get(`/jobs/${job.id}`);
    expect(active.body).toMatchObject({ status: 'active', attempts: 1 });
    expect(Date.parse(active.body.estimated_at)).toBeGreaterThan(Date.parse(active.body.started_at));
    await completeJob(api.deps.prisma, job.id);
    const done = await alice.get(`/jobs/${job.id}`);
    expect(Object.keys(done.body)).toEqual(FIELDS);
    expect(done.body).toMatchObject({ status: 'complete', estimated_at: null });
    expect(done.body.completed_at).toMatch(/Z$/);
  });

  it('counts a queued job\'s place in its queue up to MAX_COUNTED_AHEAD, however deep the queue', async () => {
    const probe = await ingest();
    const n = MAX_COUNTED_AHEAD + 5;
    await api.deps.prisma.$executeRaw`
      INSERT INTO jobs (id, tenant_id, prefix, job_type, name, queue, payload, queued_at)
      SELECT gen_random_uuid(), ${aliceTenant}::uuid, ${target.prefix}, 'ingest', 'ingest.material', 'ingest', '{}',
             now() - interval '1 hour'
      FROM generate_series(1, ${n})`;
    try {
      expect((await getJobStatus(api.deps.sql, aliceTenant, probe.id)).ahead).toBe(MAX_COUNTED_AHEAD);
      const r = await alice.get(`/jobs/${probe.id}`);
      expect(r.status).toBe(200);
      expect(Date.parse(r.body.estimated_at)).toBeGreaterThan(Date.now());
    } finally {
      await api.deps.prisma.$executeRaw`
        DELETE FROM jobs WHERE tenant_id = ${aliceTenant}::uuid AND queued_at < now() - interval '30 minutes'`;
    }
  });

  it("hides another tenant's job (404, same body as a missing one)", async () => {
    const job = await ingest();
    const theirs = await bob.get(`/jobs/${job.id}`);
    const missing = await bob.get(`/jobs/${newId()}`);
    expect(theirs.status).toBe(404);
    expect({ ...theirs.body, request_id: null }).toEqual({ ...missing.body, request_id: null });
  });
});
