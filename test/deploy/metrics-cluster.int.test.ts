// /metrics in the production shape: a real API child process under node:cluster (API_WORKERS=2). Every scrape,
// whichever process gets it, answers 200 quickly with the aggregate of both processes; cluster-wide gauges
// (queue depths) are not multiplied by the number of processes.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiProcess, type ApiProcess } from '../support/api-process.js';
import { uniquePrefix } from '../support/api.js';
import { createRedis } from '../../shared/src/db/redis.js';
import { loadConfig } from '../../shared/src/config/index.js';

const TOKEN = 'cluster-metrics-token-0123456789';
const prefix = uniquePrefix('mcluster');
let api: ApiProcess;
let queue: Queue;

beforeAll(async () => {
  api = await startApiProcess({ API_WORKERS: '2', BULLMQ_PREFIX: prefix, METRICS_TOKEN: TOKEN });
  queue = new Queue('ingest', { connection: createRedis(loadConfig().REDIS_URL, 'bullmq'), prefix });
}, 60_000);
afterAll(async () => {
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  await api?.stop();
});

const sampleValue = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
};

async function scrape(): Promise<{ status: number; ms: number; text: string }> {
  const started = performance.now();
  const res = await fetch(`${api.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  return { status: res.status, ms: performance.now() - started, text };
}

describe('/metrics under node:cluster (API_WORKERS=2)', () => {
  it('answers every scrape with 200 in well under a second, aggregated over both processes', async () => {
    // startApiProcess waited until both processes listen; the primary hands connections out round-robin.
    const N = 40;
    for (let i = 0; i < N; i++) await fetch(`${api.url}/health/live`, { headers: { Connection: 'close' } }).then((r) => r.text());

    for (let i = 0; i < 12; i++) {
      const { status, ms, text } = await scrape();
      expect(status, text.slice(0, 200)).toBe(200);
      expect(ms).toBeLessThan(1000);
      // The requests were spread over both processes; only the aggregate counts all of them.
      const served = sampleValue(text, 'cs_http_request_duration_seconds_count{method="GET",route="/health/live",status="200"}');
      expect(served).toBeGreaterThanOrEqual(N);
    }
  });

  it('reports queue depths once, not once per process', async () => {
    await queue.addBulk(Array.from({ length: 5 }, (_, i) => ({ name: 'ingest', data: { i }, opts: { jobId: `depth-${i}` } })));
    // Gauges read BullMQ at scrape time with a cache of about a second: the new jobs show within a few scrapes.
    let waiting = 0;
    for (let i = 0; i < 20 && waiting === 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const { status, text } = await scrape();
      expect(status).toBe(200);
      waiting = sampleValue(text, 'cs_queue_jobs{queue="ingest",state="waiting"}');
    }
    expect(waiting).toBe(5);
    const { text } = await scrape();
    expect(sampleValue(text, 'cs_queue_jobs{queue="ingest",state="waiting"}')).toBe(5);
    expect(sampleValue(text, 'cs_queue_oldest_waiting_seconds{queue="ingest"}')).toBeGreaterThan(0);
  });
});
