// Worker-to-worker hand-offs do not need an API process: the API accepts an upload and a homework submission,
// relays their jobs and goes away (a deploy, a crash loop); the worker alone then takes the ingest through to its
// embed job and the check through to its webhook job — follow-ups it enqueues itself and must relay itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../support/api.js';
import { startTestWorker } from '../support/worker.js';
import { createTestTenant } from '../support/tenants.js';
import { Client } from '../support/flow.js';
import { waitFor } from '../support/processes.js';
import { CRITERIA, homeworkEnv, LESSON_FUNCTIONS, startReceiver, submit, TWO_OF_THREE } from '../support/homework.js';
import type { LocalServer } from '../../shared/src/net/local-server.test-support.js';
import type { WorkerRuntime } from '../../worker/src/runtime.js';

let api: TestApi | null = null;
let worker: WorkerRuntime | null = null;
let hook: LocalServer;

beforeAll(async () => {
  hook = await startReceiver([200]);
});

afterAll(async () => {
  await worker?.close();
  await api?.close();
  await hook?.close();
});

describe('a worker with no API process running', () => {
  it('relays its own follow-up jobs: ingest → embed (material ready), check → webhook (delivered)', async () => {
    api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('worker-alone'), ...homeworkEnv() });
    const config = api.config;
    const t = await createTestTenant(api.deps.prisma);
    const client = new Client(api.url, t.key);
    await client.post('/tenant/webhook/secret');
    const course = await client.createCourse('Worker alone');
    const lesson = await client.addChild(course.id, 'Functions');
    const up = await client.upload(lesson.id, 'functions.md', LESSON_FUNCTIONS);
    expect(up.status).toBe(201);
    const sub = await submit(client, { course: course.id, node: lesson.id }, TWO_OF_THREE, { criteria: CRITERIA, webhookUrl: `${hook.origin}/hw` });
    expect(sub.status).toBe(202);

    // The API hands its two jobs to BullMQ, then stops: from here on no API process runs.
    const prisma = api.deps.prisma;
    await waitFor(async () => (await prisma.jobOutbox.count({ where: { jobId: { in: [up.body.job_id, sub.body.job_id] } } })) === 0, 15_000, 'API relayed its jobs');
    await api.close();
    api = null;

    worker = await startTestWorker(config, 'worker-alone');
    const db = worker.prisma;
    await waitFor(async () => (await db.material.findUniqueOrThrow({ where: { id: up.body.id } })).state === 'ready', 60_000, 'material ready');
    // The handler makes the material ready; the processor completes the job row right after it returns.
    const jobStatus = async (subjectId: string, jobType: 'embed' | 'webhook') => (await db.job.findFirstOrThrow({ where: { subjectId, jobType } })).status;
    await waitFor(async () => (await jobStatus(up.body.id, 'embed')) === 'complete', 10_000, 'embed job complete');

    await waitFor(async () => (await db.submission.findUniqueOrThrow({ where: { id: sub.body.submission_id } })).status === 'delivered', 60_000, 'webhook delivered');
    await waitFor(async () => (await jobStatus(sub.body.submission_id, 'webhook')) === 'complete', 10_000, 'webhook job complete');
    expect(hook.requests.filter((r) => r.url === '/hw')).toHaveLength(1);
  }, 150_000);
});
