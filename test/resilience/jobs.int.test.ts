// Nothing accepted is lost: a material accepted while Redis is down is processed once Redis is back, and a
// worker killed mid-job leaves a job that completes after a restart with exactly one set of chunks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { startTestApi, uniquePrefix, type TestApi } from '../support/api.js';
import { startRedis, waitFor } from '../support/processes.js';
import { spawnWorker } from '../support/worker.js';
import { createTestTenant } from '../support/tenants.js';
import { Client } from '../support/flow.js';

let api: TestApi;
let redis: Awaited<ReturnType<typeof startRedis>>;
let client: Client;
const workers: ChildProcess[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  redis = await startRedis();
  env = { REDIS_URL: redis.url, BULLMQ_PREFIX: uniquePrefix('resil'), WORKER_LOCK_DURATION_MS: '3000', LOG_LEVEL: 'silent' };
  api = await startTestApi(env);
  const t = await createTestTenant(api.deps.prisma);
  client = new Client(api.url, t.key);
}, 60_000);

afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await api?.close();
  await redis?.stop();
});

function startWorker() {
  const w = spawnWorker(env);
  workers.push(w);
  return w;
}

describe('resilience of accepted jobs', () => {
  it('Redis down during the upload → 201 anyway; the job completes once Redis is back, without a new request', async () => {
    const w = startWorker();
    const course = await client.createCourse('Redis outage');
    await redis.stop();
    const up = await client.upload(course.id, 'outage.md', '# Outage\n\nAccepted while Redis was away.');
    expect(up.status).toBe(201);
    expect((await client.get(`/jobs/${up.body.job_id}`)).body.status).toBe('queued');
    await redis.start();
    const job = await client.waitForJob(up.body.job_id, 45_000);
    expect(job.status).toBe('complete');
    expect((await client.waitForMaterial(up.body.id, 45_000)).state).toBe('ready');
    w.kill('SIGTERM');
  }, 90_000);

  it('worker SIGKILLed mid-job → completes after a new worker starts; exactly one set of chunks', async () => {
    const course = await client.createCourse('Crash');
    // Large enough that extraction and chunking take a while.
    const sections = Array.from({ length: 4000 }, (_, i) => `## Section ${i}\n\nParagraph ${i} about lists, loops and functions number ${i}.\n`);
    const up = await client.upload(course.id, 'big.md', `# Big\n\n${sections.join('\n')}`);
    expect(up.status).toBe(201);
    const first = startWorker();
    await waitFor(async () => (await client.get(`/jobs/${up.body.job_id}`)).body.status === 'active', 30_000, 'job active');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    startWorker();
    const job = await client.waitForJob(up.body.job_id, 90_000);
    expect(job.status).toBe('complete');
    expect(job.attempts).toBeGreaterThanOrEqual(1);
    const m = await client.waitForMaterial(up.body.id, 60_000);
    expect(m.state).toBe('ready');
    const chunks = await api.deps.prisma.chunk.findMany({ where: { materialId: m.id }, select: { ordinal: true } });
    expect(chunks).toHaveLength(m.chunk_count);
    expect(new Set(chunks.map((c) => c.ordinal)).size).toBe(chunks.length);
  }, 150_000);
});
