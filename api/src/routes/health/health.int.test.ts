// /health against real dependencies that this file stops, hangs and restarts (private Redis and s3rver, so
// other test files are not disturbed).
import { json } from '../../../../test/support/http.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { startTestApi, uniquePrefix, type TestApi } from '../../../../test/support/api.js';
import { startRedis, startS3rver, waitFor } from '../../../../test/support/processes.js';
import { createWorkerRuntime, type WorkerRuntime } from '../../../../worker/src/runtime.js';
import { createLogger } from '../../../../shared/src/logger/index.js';

let api: TestApi;
let redis: Awaited<ReturnType<typeof startRedis>>;
let s3: Awaited<ReturnType<typeof startS3rver>>;
let worker: WorkerRuntime | null = null;

const health = async () => {
  const started = Date.now();
  const res = await fetch(`${api.url}/health`);
  return { status: res.status, body: await json(res), ms: Date.now() - started };
};

beforeAll(async () => {
  [redis, s3] = await Promise.all([startRedis(), startS3rver()]);
  api = await startTestApi({
    REDIS_URL: redis.url,
    S3_ENDPOINT: s3.endpoint,
    BULLMQ_PREFIX: uniquePrefix('health'),
    WORKER_STALE_AFTER_MS: '3000',
    WORKER_HEARTBEAT_INTERVAL_MS: '500',
  });
  await api.deps.s3.send(new CreateBucketCommand({ Bucket: api.config.S3_BUCKET }));
  worker = await createWorkerRuntime(api.config, createLogger({ level: 'silent' }), 'health-test-worker');
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await api?.close();
  await Promise.allSettled([redis?.stop(), s3?.stop()]);
});

describe('/health', () => {
  it('200 with every check ok', async () => {
    const { status, body } = await health();
    expect(body.checks).toEqual({ db: 'ok', s3: 'ok', redis: 'ok', worker: 'ok' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', checks: { db: 'ok', s3: 'ok', redis: 'ok', worker: 'ok' } });
    expect(body.timestamp).toMatch(/Z$/);
  });

  it('/health/live touches no dependency', async () => {
    await redis.stop();
    const res = await fetch(`${api.url}/health/live`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'ok' });
    await redis.start();
  });

  it('Redis stopped → 503 naming redis within 3.5 s; 200 again after it returns, without an API restart', async () => {
    await waitFor(async () => (await health()).status === 200, 15_000, 'healthy');
    await redis.stop();
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('degraded');
    expect(down.body.checks.redis).toMatch(/^error: /);
    expect(down.body.checks.db).toBe('ok');
    expect(down.ms).toBeLessThan(3500);
    await redis.start();
    await waitFor(async () => (await health()).status === 200, 15_000, 'recovery after Redis restart');
  });

  it('Redis hanging (SIGSTOP) → 503 within 3.5 s', async () => {
    await waitFor(async () => (await health()).status === 200, 15_000, 'healthy');
    redis.pause();
    try {
      const hung = await health();
      expect(hung.status).toBe(503);
      expect(hung.body.checks.redis).toMatch(/^error: /);
      expect(hung.ms).toBeLessThan(3500);
    } finally {
      redis.resume();
    }
    await waitFor(async () => (await health()).status === 200, 15_000, 'recovery after SIGCONT');
  });

  it('S3 endpoint down → 503 naming s3 within 3.5 s; 200 after it returns', async () => {
    await s3.stop();
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body.checks.s3).toMatch(/^error: /);
    expect(down.body.checks.redis).toBe('ok');
    expect(down.ms).toBeLessThan(3500);
    await s3.start();
    await waitFor(async () => (await health()).status === 200, 15_000, 'recovery after S3 restart');
  });

  it('S3 endpoint hanging → 503 within 3.5 s', async () => {
    s3.pause();
    try {
      const hung = await health();
      expect(hung.status).toBe(503);
      expect(hung.body.checks.s3).toBe('error: TimeoutError');
      expect(hung.ms).toBeLessThan(3500);
    } finally {
      s3.resume();
    }
  });

  it('worker gone → "stale"', async () => {
    await worker?.close();
    worker = null;
    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body.checks.worker).toBe('stale');
  });
});
