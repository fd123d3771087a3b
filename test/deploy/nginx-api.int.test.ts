// Real requests through nginx (deploy/nginx/course-supporter.conf, self-signed certificate) to a running API
// process: public health and docs, refused operator paths, and a 300 MiB upload that streams through both —
// the API process's memory stays flat and the stored object is byte-identical.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { nginxBinary, startNginx, type RunningNginx } from './nginx-harness.js';
import { startApiProcess, type ApiProcess } from '../support/api-process.js';
import { uniquePrefix } from '../support/api.js';
import { createTestTenant } from '../support/tenants.js';
import { createPrisma, type PrismaClient } from '../../shared/src/db/client.js';
import { loadConfig } from '../../shared/src/config/index.js';
import { createS3Client, getObjectStream } from '../../shared/src/storage/index.js';

const MiB = 1024 * 1024;
const SIZE = 300 * MiB;
let api: ApiProcess;
let nginx: RunningNginx;
let prisma: PrismaClient;

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

beforeAll(async () => {
  if (!nginxBinary()) throw new Error('nginx is not installed: run scripts/test-tools.sh');
  prisma = createPrisma(loadConfig().DATABASE_URL, { poolMax: 2 });
  api = await startApiProcess({ BULLMQ_PREFIX: uniquePrefix('nginx'), MAX_UPLOAD_BYTES: String(400 * MiB), METRICS_TOKEN: 'nginx-test-token-0123456789' });
  nginx = await startNginx({ apiPort: Number(new URL(api.url).port) });
}, 60_000);
afterAll(async () => {
  await nginx?.stop();
  await api?.stop();
  await prisma?.$disconnect();
});

const via = (path: string, init: Parameters<typeof request>[1] = {}) => request(`${nginx.httpsUrl}${path}`, { ...init, dispatcher: nginx.dispatcher });

describe('through nginx to the API', () => {
  it('/health and /docs pass without a key; /metrics and /admin are refused at the edge', async () => {
    const health = await via('/health');
    expect([200, 503]).toContain(health.statusCode); // no worker runs here: the app answers "stale"
    expect(((await health.body.json()) as { checks: object }).checks).toHaveProperty('db', 'ok');
    const docs = await via('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(await docs.body.text()).toContain('swagger');
    for (const path of ['/metrics', '/admin/queues', '/ADMIN/queues', '/Metrics']) {
      const r = await via(path, { headers: { authorization: 'Bearer nginx-test-token-0123456789' } });
      expect(r.statusCode, path).toBe(404);
      await r.body.dump();
    }
    const noKey = await via('/api/v1/nodes');
    expect(noKey.statusCode).toBe(401);
    await noKey.body.dump();
  });

  it('a 300 MiB upload streams through nginx and the API with flat API memory; the stored bytes match', async () => {
    const { key, tenant } = await createTestTenant(prisma);
    const course = await via('/api/v1/nodes', {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'big' }),
    });
    const courseId = ((await course.body.json()) as { id: string }).id;

    const boundary = `----cs${Date.now()}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="source_type"\r\n\r\ntext\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const line = Buffer.from(`${'lorem ipsum dolor sit amet '.repeat(37)}\n`); // 1,000 bytes
    const hash = createHash('sha256');
    async function* body() {
      yield head;
      const block = Buffer.concat(Array.from({ length: Math.ceil(MiB / line.length) }, () => line)).subarray(0, MiB);
      for (let sent = 0; sent < SIZE; sent += MiB) {
        hash.update(block);
        yield block;
      }
      yield tail;
    }

    const pid = api.child.pid as number;
    const before = rssKiB(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 100);
    const res = await via(`/api/v1/nodes/${courseId}/materials`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + SIZE + tail.length) },
      body: Readable.from(body()),
      bodyTimeout: 300_000,
      headersTimeout: 300_000,
    });
    clearInterval(sampler);
    const created = (await res.body.json()) as { sha256: string; size_bytes: number; id: string };
    expect(res.statusCode, JSON.stringify(created)).toBe(201);
    const expected = hash.digest('hex');
    expect(created.size_bytes).toBe(SIZE);
    expect(created.sha256).toBe(expected);
    const growthMiB = (peak - before) / 1024;
    console.log(`API RSS before ${Math.round(before / 1024)} MiB, peak ${Math.round(peak / 1024)} MiB, growth ${growthMiB.toFixed(1)} MiB`);
    // Streamed, not buffered: growth stays a fraction of the 300 MiB file. On Node 24 (API started with
    // --max-semi-space-size=8, as in production) it measured 55–71 MiB on a loaded 2-core machine, Node 20 ~43 MiB;
    // issue 15's budget of 64 MiB for the upload path is measured by `npm run bench -- upload`, not asserted here.
    expect(growthMiB).toBeLessThan(96);

    // The object in S3 is the client's bytes.
    const cfg = loadConfig();
    const s3 = createS3Client({ endpoint: cfg.S3_ENDPOINT, region: cfg.S3_REGION, accessKeyId: cfg.S3_ACCESS_KEY_ID, secretAccessKey: cfg.S3_SECRET_ACCESS_KEY, forcePathStyle: true });
    const m = await prisma.material.findFirstOrThrow({ where: { id: created.id, tenantId: tenant.id } });
    const obj = await getObjectStream({ client: s3, bucket: cfg.S3_BUCKET, key: m.s3Key as string });
    const stored = createHash('sha256');
    for await (const chunk of obj?.body ?? []) stored.update(chunk as Buffer);
    expect(stored.digest('hex')).toBe(expected);
    s3.destroy();
  }, 300_000);
});
