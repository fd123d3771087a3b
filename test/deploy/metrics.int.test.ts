// /metrics: bearer-protected; every family that deploy/metrics.json (and so the Netdata configs) names is in the
// live output, and values move when jobs run. The worker's own port serves its families too.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../support/api.js';
import { startTestWorker } from '../support/worker.js';
import { freePort } from '../support/processes.js';
import { createTestTenant } from '../support/tenants.js';
import { Client } from '../support/flow.js';
import type { WorkerRuntime } from '../../worker/src/runtime.js';

const TOKEN = 'test-metrics-token-0123456789';
const names: string[] = (JSON.parse(readFileSync('deploy/metrics.json', 'utf8')) as { metrics: { name: string }[] }).metrics.map((m) => m.name);
let api: TestApi;
let worker: WorkerRuntime;
let workerPort: number;

beforeAll(async () => {
  workerPort = await freePort();
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('metrics'), METRICS_TOKEN: TOKEN, WORKER_METRICS_PORT: String(workerPort) });
  worker = await startTestWorker(api.config);
});
afterAll(async () => {
  await worker?.close();
  await api?.close();
});

const scrape = async (url: string) => {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return res.text();
};
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(series));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
};

describe('/metrics', () => {
  it('refuses scrapes without the token', async () => {
    expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${api.url}/metrics`, { headers: { Authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${workerPort}/metrics`)).status).toBe(401);
  });

  it('exports every family the alarms and scrape configs name, with values that move when jobs run', async () => {
    const t = await createTestTenant(api.deps.prisma, { limits: { rateLimitPrep: 3 } });
    const c = new Client(api.url, t.key);
    const course = await c.createCourse('metrics');
    const up = await c.upload(course.id, 'm.md', `# M\n\nmetrics move ${Date.now()} ${Math.random()}`); // new text: not in the embedding cache
    await c.waitForMaterial(up.body.id);
    while ((await c.post('/nodes', { title: 'x' })).status !== 429);

    const apiText = await scrape(`${api.url}/metrics`);
    const workerText = await scrape(`http://127.0.0.1:${workerPort}/metrics`);
    const both = `${apiText}\n${workerText}`;
    for (const name of names) expect(both, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    expect(value(apiText, 'cs_rate_limit_rejections_total{scope="prep"}')).toBeGreaterThanOrEqual(1);
    expect(apiText).toMatch(/cs_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/nodes",status="201"\} [1-9]/);
    expect(apiText).toMatch(/cs_queue_jobs\{queue="ingest",state="completed"\} [1-9]/);
    expect(value(apiText, 'cs_worker_heartbeat_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(workerText).toMatch(/cs_job_duration_seconds_count\{job_type="ingest",status="complete"\} [1-9]/);
    for (const stage of ['fetch', 'extract', 'chunk', 'insert', 'embed', 'write']) {
      expect(workerText, stage).toMatch(new RegExp(`^cs_ingest_stage_seconds_count\\{stage="${stage}"\\} [1-9]`, 'm'));
    }
    expect(workerText).toMatch(/cs_provider_calls_total\{kind="embedding",provider="local",model="[^"]+",status="ok"\} [1-9]/);
  });
});
