// The worker's metrics port on its own (no API process): queue depths and the oldest waiting job come from
// BullMQ, the outbox backlog from Postgres and the heartbeat age from Redis, measured by the worker at scrape
// time — so they move when the queues fill, the outbox backs up and the heartbeat goes stale.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../shared/src/config/index.js';
import { createRedis } from '../../shared/src/db/redis.js';
import { heartbeatKey } from '../../shared/src/jobs/heartbeat.js';
import { uniquePrefix } from '../support/api.js';
import { freePort } from '../support/processes.js';
import { startTestWorker } from '../support/worker.js';
import type { WorkerRuntime } from '../../worker/src/runtime.js';

const TOKEN = 'worker-metrics-token-0123456789';
let config: Config;
let worker: WorkerRuntime;
let redis: Redis;
let queue: Queue;
let url: string;
const outboxIds: string[] = [];

beforeAll(async () => {
  const port = await freePort();
  config = loadConfig({
    BULLMQ_PREFIX: uniquePrefix('wmetrics'),
    METRICS_TOKEN: TOKEN,
    WORKER_METRICS_PORT: String(port),
    WORKER_HEARTBEAT_INTERVAL_MS: '600000', // one beat at start; the test ages it by hand
  });
  url = `http://127.0.0.1:${port}/metrics`;
  worker = await startTestWorker(config, 'wmetrics-worker');
  redis = createRedis(config.REDIS_URL, 'command');
  queue = new Queue('ingest', { connection: createRedis(config.REDIS_URL, 'bullmq'), prefix: config.BULLMQ_PREFIX });
});
afterAll(async () => {
  await worker?.prisma.jobOutbox.deleteMany({ where: { jobId: { in: outboxIds } } });
  await worker?.close();
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  await redis?.quit();
});

const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
};
async function scrape(): Promise<string> {
  await new Promise((r) => setTimeout(r, 1100)); // past the scrape-time cache of the previous reading
  const res = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return res.text();
}

describe('worker metrics port', () => {
  it('measures queue depth, the oldest waiting job, the outbox backlog and the heartbeat age itself', async () => {
    const before = await scrape();
    expect(value(before, 'cs_queue_jobs{queue="ingest",state="waiting"}')).toBe(0);
    expect(value(before, 'cs_queue_oldest_waiting_seconds{queue="ingest"}')).toBe(0);
    const backlog0 = value(before, 'cs_outbox_backlog');
    expect(backlog0).toBeGreaterThanOrEqual(0);
    const age0 = value(before, 'cs_worker_heartbeat_age_seconds');
    expect(age0).toBeGreaterThanOrEqual(0);
    expect(age0).toBeLessThan(30);

    // Paused by an operator: the worker takes nothing, the jobs wait (BullMQ counts paused jobs as waiting).
    await queue.pause();
    const added = Date.now();
    await queue.addBulk(Array.from({ length: 3 }, (_, i) => ({ name: 'ingest', data: {}, opts: { jobId: `w-${i}`, timestamp: added - 60_000 } })));
    // Entries whose hand-over is backing off (next attempt in an hour) are a backlog the relay leaves alone.
    for (let i = 0; i < 4; i++) outboxIds.push(randomUUID());
    await worker.prisma.jobOutbox.createMany({ data: outboxIds.map((jobId) => ({ jobId, prefix: config.BULLMQ_PREFIX, nextAttemptAt: new Date(Date.now() + 3_600_000) })) });
    // The only worker's last beat was five minutes ago.
    await redis.zadd(heartbeatKey(config.BULLMQ_PREFIX), Date.now() - 300_000, 'wmetrics-worker');

    const after = await scrape();
    expect(value(after, 'cs_queue_jobs{queue="ingest",state="waiting"}')).toBe(3);
    expect(value(after, 'cs_queue_oldest_waiting_seconds{queue="ingest"}')).toBeGreaterThanOrEqual(60);
    expect(value(after, 'cs_outbox_backlog')).toBe(backlog0 + 4);
    const age = value(after, 'cs_worker_heartbeat_age_seconds');
    expect(age).toBeGreaterThanOrEqual(300);
    expect(age).toBeLessThan(330);
  });
});
