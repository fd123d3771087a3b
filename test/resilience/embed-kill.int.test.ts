// A worker killed while it embeds a material: after a restart the material ends ready with exactly one
// embedding per chunk (the embed job only fills what is missing; the cache serves what was already paid for).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { startTestApi, uniquePrefix, type TestApi } from '../support/api.js';
import { waitFor } from '../support/processes.js';
import { spawnWorker } from '../support/worker.js';
import { createTestTenant } from '../support/tenants.js';
import { Client } from '../support/flow.js';

let api: TestApi;
let client: Client;
const workers: ChildProcess[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  env = { BULLMQ_PREFIX: uniquePrefix('embedkill'), WORKER_LOCK_DURATION_MS: '3000', LOG_LEVEL: 'silent' };
  api = await startTestApi(env);
  client = new Client(api.url, (await createTestTenant(api.deps.prisma)).key);
}, 60_000);
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await api?.close();
});

describe('worker killed mid-embedding', () => {
  it('ends ready with exactly one embedding per chunk', async () => {
    const course = await client.createCourse('Embed crash');
    const run = `${Date.now()}-${Math.random()}`; // new text: nothing of it is in the embedding cache
    const sections = Array.from({ length: 12000 }, (_, i) => `## Part ${i}\n\nNotes ${run} on topic ${i}: loops, lists and functions ${i * 7}.\n`);
    const up = await client.upload(course.id, 'huge.md', `# Huge\n\n${sections.join('\n')}`);
    expect(up.status).toBe(201);
    const first = spawnWorker(env);
    workers.push(first);
    // The material's job_id moves to the embed job when ingestion hands over.
    const embedJob = await waitFor(async () => {
      const m = (await client.get(`/materials/${up.body.id}`)).body;
      if (m.job_id === up.body.job_id) return false;
      return (await client.get(`/jobs/${m.job_id}`)).body.status === 'active';
    }, 90_000, 'embed job active').then(async () => (await client.get(`/materials/${up.body.id}`)).body.job_id);
    const [partial] = await api.deps.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM material_chunks WHERE material_id = ${up.body.id}::uuid AND embedding IS NOT NULL`;
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    workers.push(spawnWorker(env));
    const job = await client.waitForJob(embedJob, 120_000);
    expect(job.status).toBe('complete');
    const m = await client.waitForMaterial(up.body.id, 60_000);
    expect(m.state).toBe('ready');
    const [counts] = await api.deps.prisma.$queryRaw<{ chunks: bigint; embedded: bigint; ordinals: bigint }[]>`
      SELECT count(*) AS chunks, count(embedding) AS embedded, count(DISTINCT ordinal) AS ordinals
      FROM material_chunks WHERE material_id = ${up.body.id}::uuid`;
    expect(Number(counts?.chunks)).toBe(m.chunk_count);
    expect(Number(counts?.embedded)).toBe(m.chunk_count);
    expect(Number(counts?.ordinals)).toBe(m.chunk_count);
    expect(Number(partial?.n)).toBeLessThan(m.chunk_count); // the kill really happened mid-embedding
  }, 240_000);
});
