// One failure path and explicit outcomes: a job that ends unsuccessfully — by the worker (invalid payload), by a
// client's cancel — goes through failJob (material error, submission failed with its `failed` webhook), and the
// worker counts a cancelled job as cancelled, never as complete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'bullmq';
import { startTestApi, uniquePrefix, type TestApi } from '../../test/support/api.js';
import { createTestTenant } from '../../test/support/tenants.js';
import { Client } from '../../test/support/flow.js';
import { waitFor } from '../../test/support/processes.js';
import { CRITERIA, homeworkEnv, startReceiver, submit, TWO_OF_THREE } from '../../test/support/homework.js';
import { createRedis } from '../../shared/src/db/redis.js';
import { newId } from '../../shared/src/db/ids.js';
import { enqueue } from '../../shared/src/jobs/producer.js';
import { jobs } from '../../shared/src/jobs/definitions.js';
import { metrics } from '../../shared/src/metrics/index.js';
import { createLogger } from '../../shared/src/logger/index.js';
import { createRegistry, cancelled, handle } from './registry.js';
import { createProcessor } from './processor.js';
import { statusWriter, type StatusWriter } from '../../shared/src/jobs/job-status.js';

let api: TestApi;
let client: Client;
let tenantId: string;
let nodeId: string;
let worker: Worker | null = null;
let status: StatusWriter | null = null;
/** What the test ingest handler does once it runs (the real handlers are not needed for these paths). */
let behaviour: (jobId: string, isCancelled: () => Promise<boolean>) => Promise<unknown> = async () => null;

const count = async (outcome: string) => {
  const m = (await metrics().jobs.get()).values.find((v) => v.labels.job_type === 'ingest' && v.labels.outcome === outcome);
  return m?.value ?? 0;
};

beforeAll(async () => {
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('outcomes'), ...homeworkEnv() });
  const t = await createTestTenant(api.deps.prisma);
  tenantId = t.tenant.id;
  client = new Client(api.url, t.key);
  nodeId = (await client.createCourse('Outcomes')).id;
  const registry = createRegistry(
    [jobs.ingestMaterial],
    [handle(jobs.ingestMaterial, (_p, ctx) => behaviour(ctx.jobId, ctx.isCancelled))],
  );
  status = statusWriter(api.config.DATABASE_URL);
  worker = new Worker('ingest', createProcessor(registry, api.deps.prisma, api.deps.queues, createLogger({ level: 'silent' }), status), {
    connection: createRedis(api.config.REDIS_URL, 'bullmq'),
    prefix: api.config.BULLMQ_PREFIX,
  });
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await status?.close();
  await api?.close();
});

/** A material and its ingest job, as an upload writes them; `payload` overrides the stored job payload. */
async function materialWithJob(payload?: object) {
  const id = newId();
  const jobId = newId();
  await api.deps.prisma.$transaction(async (tx) => {
    await tx.material.create({ data: { id, tenantId, nodeId, sourceType: 'text', filename: 'x.md', state: 'pending', jobId } });
    await enqueue(tx, api.deps.queues, tenantId, jobs.ingestMaterial, { tenantId, materialId: id }, { id: jobId, nodeId, subjectId: id });
    if (payload) await tx.job.update({ where: { id: jobId }, data: { payload } });
  });
  return { id, jobId };
}

const row = (jobId: string) => api.deps.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
const material = (id: string) => api.deps.prisma.material.findUniqueOrThrow({ where: { id } });

describe('job outcomes', () => {
  it('an invalid payload fails the job through the failure path: its material shows the error', async () => {
    const failedBefore = await count('failed');
    const m = await materialWithJob({ tenantId, materialId: 'not-a-uuid' });
    await waitFor(async () => (await row(m.jobId)).status === 'failed', 20_000, 'job failed');
    expect((await row(m.jobId)).errorMessage).toMatch(/^invalid payload for ingest\.material/);
    const after = await material(m.id);
    expect(after.state).toBe('error'); // not left `pending`
    expect(after.errorMessage).toMatch(/invalid payload/);
    expect(await count('failed')).toBe(failedBefore + 1);
  });

  it('a handler that sees the cancel ends cancelled: counted as cancelled, not complete; the material shows it', async () => {
    const [completeBefore, cancelledBefore] = [await count('complete'), await count('cancelled')];
    let started = false;
    behaviour = async (_id, isCancelled) => {
      started = true;
      await waitFor(isCancelled, 20_000, 'cancel seen');
      return cancelled();
    };
    const m = await materialWithJob();
    await waitFor(async () => started, 20_000, 'handler started');
    expect((await client.post(`/jobs/${m.jobId}/cancel`)).body.status).toBe('cancelled');
    await waitFor(async () => (await count('cancelled')) === cancelledBefore + 1, 20_000, 'cancelled counted');
    expect(await count('complete')).toBe(completeBefore);
    expect((await row(m.jobId)).status).toBe('cancelled');
    expect(await material(m.id)).toMatchObject({ state: 'error', errorMessage: 'Ingestion cancelled' });
  });

  it('a handler that finishes after its job was cancelled does not complete it', async () => {
    const [completeBefore, cancelledBefore] = [await count('complete'), await count('cancelled')];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = false;
    behaviour = async () => {
      started = true;
      await gate;
      return { chunks: 1 };
    };
    const m = await materialWithJob();
    await waitFor(async () => started, 20_000, 'handler started');
    expect((await client.post(`/jobs/${m.jobId}/cancel`)).status).toBe(200);
    release();
    await waitFor(async () => (await count('cancelled')) === cancelledBefore + 1, 20_000, 'cancelled counted');
    expect(await count('complete')).toBe(completeBefore);
    expect((await row(m.jobId)).status).toBe('cancelled');
  });

  it('cancelling a review fails the submission and enqueues its `failed` webhook, as a worker failure does', async () => {
    const course = await client.createCourse('Cancel review');
    const lesson = await client.addChild(course.id, 'Lesson');
    const hook = await startReceiver([200]);
    const sub = await submit(client, { course: course.id, node: lesson.id }, TWO_OF_THREE, { criteria: CRITERIA, webhookUrl: hook.origin });
    await hook.close();
    expect(sub.status).toBe(202);
    // No check worker runs in this file: the job waits in BullMQ until it is cancelled.
    expect((await client.post(`/jobs/${sub.body.job_id}/cancel`)).body.status).toBe('cancelled');
    const s = await api.deps.prisma.submission.findUniqueOrThrow({ where: { id: sub.body.submission_id } });
    expect(s).toMatchObject({ status: 'failed', failureReason: 'Review cancelled' });
    const hooks = await api.deps.prisma.job.findMany({ where: { subjectId: s.id, jobType: 'webhook' } });
    expect(hooks).toHaveLength(1);
    expect(hooks[0]?.payload).toMatchObject({ event: 'failed', submissionId: s.id });
  });
});
