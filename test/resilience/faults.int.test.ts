// Faults under a steady load (issue 8, resilience suite). In turn: Redis restarted, the S3 endpoint stopped and
// started, the worker SIGKILLed, an API process SIGKILLed mid-upload, and (only with CS_RESILIENCE=1, because it
// is the shared cluster every other test file uses) Postgres stopped and started. Each fault's /health is 503
// while it lasts and 200 after. Afterwards (fault-invariants.ts): what was accepted is in the database, every
// accepted job ends, no duplicate chunks, nothing left in S3 after the sweeps, no 500 outside the faults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUnfinishedMultipartUploads, tenantPrefix } from '../../shared/src/storage/index.js';
import { startFaultStack, pgCtl, type FaultStack } from './fault-stack.js';
import { Recorder, startLoad, waitForHealth, type HealthSample, type Target } from './fault-load.js';
import { defineInvariants } from './fault-invariants.js';

/** The Postgres restart stops the shared cluster for a few seconds: opt in (npm run test:resilience sets it). */
const WITH_POSTGRES = process.env.CS_RESILIENCE === '1';
const FAULTS = ['redis', 's3', 'worker', 'api-process', ...(WITH_POSTGRES ? ['postgres'] : [])];

let stack: FaultStack;
const rec = new Recorder();
let load: { stop(): Promise<void> } | null = null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  stack = await startFaultStack();
  load = startLoad(stack, rec);
  await sleep(2000); // some load before the first fault
}, 90_000);

afterAll(async () => {
  await load?.stop();
  await stack?.close();
}, 60_000);

interface FaultSpec {
  name: string;
  /** Whose /health to watch. */
  target: Target;
  /** What a sample during the outage must look like. */
  failing: (s: HealthSample) => boolean;
  inject: () => Promise<void>;
  restore: () => Promise<void>;
  /** How long the outage is held (under load) after /health reported it. */
  holdMs: number;
}

async function runFault(f: FaultSpec): Promise<void> {
  const start = Date.now();
  await f.inject();
  const during = await waitForHealth(rec, f.target, start, f.failing, 15_000, `${f.name}: /health failing`);
  expect(during.t).toBeGreaterThanOrEqual(start);
  await sleep(f.holdMs);
  const restored = Date.now();
  await f.restore();
  const after = await waitForHealth(rec, f.target, restored, (s) => s.status === 200, 60_000, `${f.name}: /health 200 again`);
  rec.faults.push({ name: f.name, start, restored, end: Date.now() });
  expect(after.status).toBe(200);
  await sleep(2000); // a calm stretch under load before the next fault
}

const degraded = (check: string, value?: string) => (s: HealthSample) =>
  s.status === 503 && s.checks?.[check] !== 'ok' && (value === undefined || s.checks?.[check] === value);

describe('faults under a steady load', () => {
  it('Redis restarted (no persistence): /health 503 naming redis during the outage, 200 after', async () => {
    await runFault({
      name: 'redis',
      target: 'api',
      failing: degraded('redis'),
      inject: () => stack.redis.stop(),
      restore: () => stack.redis.start(),
      holdMs: 2000,
    });
  }, 90_000);

  it('S3 endpoint stopped and started: /health 503 naming s3 during the outage, 200 after', async () => {
    await runFault({
      name: 's3',
      target: 'api',
      failing: degraded('s3'),
      inject: () => stack.s3.stop(),
      restore: () => stack.s3.start(),
      holdMs: 2000,
    });
  }, 90_000);

  it('worker SIGKILLed: /health 503 with worker "stale", 200 once a new worker runs', async () => {
    await runFault({
      name: 'worker',
      target: 'api',
      failing: degraded('worker', 'stale'),
      inject: () => stack.killWorker(),
      restore: () => stack.startWorker(),
      holdMs: 1000,
    });
  }, 90_000);

  it('API process SIGKILLed mid-upload: no answer from it while down, 200 after a restart; the other API serves throughout', async () => {
    const big = bigUpload(stack, rec);
    const prefix = tenantPrefix(stack.tenantId);
    const s3 = { client: stack.api.deps.s3, bucket: stack.api.config.S3_BUCKET };
    const deadline = Date.now() + 20_000;
    let midUpload = false;
    while (!midUpload && Date.now() < deadline) {
      for await (const _u of listUnfinishedMultipartUploads({ ...s3, prefix })) midUpload = true;
      if (!midUpload) await sleep(100);
    }
    expect(midUpload, 'the big upload reached S3 as a multipart upload').toBe(true);
    await runFault({
      name: 'api-process',
      target: 'victim',
      failing: (s) => s.status === 0,
      inject: () => stack.victim.stop('SIGKILL'),
      restore: () => stack.restartVictim(),
      holdMs: 1000,
    });
    const upload = await big;
    expect(upload.status, 'the killed upload got no answer').toBe(0);
    const f = rec.faults.find((x) => x.name === 'api-process');
    const other = rec.health.filter((s) => s.target === 'api' && f && s.t >= f.start && s.t <= f.end);
    expect(other.length).toBeGreaterThan(0);
    expect(other.every((s) => s.status === 200), JSON.stringify(other.filter((s) => s.status !== 200))).toBe(true);
  }, 90_000);

  it.runIf(WITH_POSTGRES)('Postgres (shared cluster) stopped and started: /health 503 naming db during the outage, 200 after', async () => {
    await runFault({
      name: 'postgres',
      target: 'api',
      failing: degraded('db'),
      inject: () => pgCtl('stop'),
      restore: () => pgCtl('start'),
      holdMs: 500,
    });
  }, 90_000);

  it('the load stops; every fault was recorded', async () => {
    await sleep(1500);
    await load?.stop();
    load = null;
    expect(rec.faults.map((f) => f.name)).toEqual(FAULTS);
    expect(rec.requests.filter((r) => r.kind === 'upload' && r.status === 201).length).toBeGreaterThan(10);
  }, 60_000);

  defineInvariants(() => ({ stack, rec }), FAULTS);
});

/** A 40 MB Markdown upload to the API process, streamed at about 30 MB/s, recorded as 'big-upload'. */
function bigUpload(s: FaultStack, r: Recorder) {
  const boundary = `----resilience${Date.now()}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="source_type"\r\n\r\ntext\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.md"\r\nContent-Type: text/markdown\r\n\r\n# Big\n\n`;
  const chunk = new TextEncoder().encode(`${'lorem ipsum dolor sit amet '.repeat(38_000)}\n`);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode(head));
    },
    async pull(c) {
      if (sent >= 40 * 1024 * 1024) {
        c.enqueue(new TextEncoder().encode(`\r\n--${boundary}--\r\n`));
        c.close();
        return;
      }
      await sleep(30);
      c.enqueue(chunk);
      sent += chunk.length;
    },
  });
  const start = Date.now();
  const record = { kind: 'big-upload' as const, target: 'victim' as const, start, end: start, status: 0, error: undefined as string | undefined };
  return fetch(`${s.victim.url}/api/v1/nodes/${s.courseId}/materials`, {
    method: 'POST',
    headers: { 'X-API-Key': s.key, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
    duplex: 'half',
  } as RequestInit)
    .then(async (res) => {
      record.status = res.status;
      await res.text();
    })
    .catch((err: Error) => {
      record.error = String((err as { cause?: { code?: string } }).cause?.code ?? err.message);
    })
    .then(() => {
      record.end = Date.now();
      r.requests.push(record);
      return record;
    });
}
