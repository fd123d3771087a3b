// GET /jobs/{id}/events (issue 13 item 7): one batched poller per process feeds every stream, streams are capped
// per process and per tenant (the tenant cap across processes, through Redis), transitions are delivered and a
// client that goes away leaves nothing behind.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { loadConfig } from '../../../../shared/src/config/index.js';
import { createLogger } from '../../../../shared/src/logger/index.js';
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import { newId } from '../../../../shared/src/db/ids.js';
import { buildApp } from '../../app.js';
import { createDeps, jobEventHub, type OwnedDeps } from '../../deps.js';
import type { JobEventHub } from './jobs.events.js';
import { uniquePrefix } from '../../../../test/support/api.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { startApiProcess } from '../../../../test/support/api-process.js';
import { completeJob, reportProgress, startAttempt } from '../../../../shared/src/jobs/job-status.js';

interface CountingApi {
  url: string;
  deps: OwnedDeps;
  /** The app's job events hub (built, as in createDeps, around the counting client). */
  hub: JobEventHub;
  /** Reads of the jobs table made through the app's Prisma client (model calls on Job and raw queries). */
  reads: { jobs: number };
  close(): Promise<void>;
}

/** The real app (createDeps + buildApp), its Prisma client wrapped to count the queries it sends. No background loops. */
async function startCountingApi(overrides: Record<string, string> = {}, opts: { hubRedis?: Redis } = {}): Promise<CountingApi> {
  const config = loadConfig({ BULLMQ_PREFIX: uniquePrefix('sse'), ...overrides });
  const deps = createDeps(config, createLogger({ level: config.LOG_LEVEL, name: 'test-api' }));
  const reads = { jobs: 0 };
  const counted = deps.prisma.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        if (model === 'Job' || operation.startsWith('$queryRaw')) reads.jobs++;
        return query(args);
      },
    },
  }) as unknown as PrismaClient;
  const hub = jobEventHub(config, { prisma: counted, redis: opts.hubRedis ?? deps.redis, logger: deps.logger });
  const app = buildApp({ ...deps, prisma: counted, jobEvents: hub });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deps,
    hub,
    reads,
    async close() {
      await hub.shutdown();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await deps.close();
    },
  };
}

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** A minimal text/event-stream reader over fetch: events as they arrive, `ended` when the server closes. */
async function openStream(url: string, key: string) {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { 'X-API-Key': key, Accept: 'text/event-stream' }, signal: ac.signal });
  const events: SseEvent[] = [];
  const waiters: (() => void)[] = [];
  let ended = false;
  const done = (async () => {
    if (!res.body || res.status !== 200) return;
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body) {
        buf += decoder.decode(chunk as Uint8Array, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev: SseEvent = {};
          for (const line of block.split('\n')) {
            const m = /^(id|event|data): ?(.*)$/.exec(line);
            if (m) ev[m[1] as keyof SseEvent] = m[2];
          }
          if (ev.event) events.push(ev);
          waiters.splice(0).forEach((w) => w());
        }
      }
    } catch {
      // aborted by the test
    } finally {
      ended = true;
      waiters.splice(0).forEach((w) => w());
    }
  })();
  return {
    res,
    events,
    get ended() {
      return ended;
    },
    done,
    abort: () => ac.abort(),
    /** Resolves once `n` events arrived (rejects after timeoutMs). */
    async waitFor(n: number, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < n) {
        if (ended) throw new Error(`stream ended after ${events.length} events, wanted ${n}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out with ${events.length} events, wanted ${n}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function queuedJob(prisma: PrismaClient, tenantId: string, prefix: string) {
  const id = newId();
  await prisma.job.create({ data: { id, tenantId, prefix, jobType: 'ingest', name: 'ingest.material', queue: 'ingest', payload: {} } });
  return id;
}

describe('one poller per process', () => {
  let api: CountingApi;
  beforeAll(async () => {
    api = await startCountingApi({ SSE_POLL_INTERVAL_MS: '200', SSE_MAX_STREAMS_PER_TENANT: '100' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('N open streams cost one batched jobs query per tick, not one per stream', async () => {
    const { tenant, key } = await createTestTenant(api.deps.prisma);
    const N = 30;
    const jobs = await Promise.all(Array.from({ length: 10 }, () => queuedJob(api.deps.prisma, tenant.id, api.deps.config.BULLMQ_PREFIX)));
    // 30 streams over 10 jobs (three watchers per job).
    const streams = await Promise.all(Array.from({ length: N }, (_, i) => openStream(`${api.url}/api/v1/jobs/${jobs[i % jobs.length]}/events`, key)));
    for (const s of streams) expect(s.res.status).toBe(200);
    await Promise.all(streams.map((s) => s.waitFor(1)));
    for (const s of streams) expect(s.events[0]).toMatchObject({ event: 'queued' });

    const tickMs = api.deps.config.SSE_POLL_INTERVAL_MS;
    const before = api.reads.jobs;
    const started = Date.now();
    await sleep(2000);
    const elapsed = Date.now() - started;
    const reads = api.reads.jobs - before;
    // A tick is scheduled only after the previous one finished, so there are at most elapsed/tick + 1 of them.
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(Math.ceil(elapsed / tickMs) + 1);
    for (const s of streams) expect(s.events).toHaveLength(1); // nothing changed, nothing sent
    for (const s of streams) s.abort();
    await Promise.all(streams.map((s) => s.done));
  });
});

describe('delivery', () => {
  let api: CountingApi;
  beforeAll(async () => {
    api = await startCountingApi({ SSE_POLL_INTERVAL_MS: '100' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('every state and progress change arrives (queued → active → progress → complete), then the stream ends', async () => {
    const { tenant, key } = await createTestTenant(api.deps.prisma);
    const id = await queuedJob(api.deps.prisma, tenant.id, api.deps.config.BULLMQ_PREFIX);
    const url = `${api.url}/api/v1/jobs/${id}/events`;
    const [a, b] = await Promise.all([openStream(url, key), openStream(url, key)]);
    for (const s of [a, b]) {
      expect(s.res.headers.get('content-type')).toContain('text/event-stream');
      await s.waitFor(1);
    }
    // The worker's own status writes; each waits until both streams saw the previous one.
    const steps: [() => Promise<unknown>, string, number][] = [
      [() => startAttempt(api.deps.prisma, id, 1), 'active', 0],
      [() => reportProgress(api.deps.prisma, id, 40), 'active', 40],
      [() => completeJob(api.deps.prisma, id), 'complete', 100],
    ];
    let n = 1;
    for (const [write] of steps) {
      await write();
      n++;
      await Promise.all([a, b].map((s) => s.waitFor(n)));
    }
    await Promise.all([a.done, b.done]); // ended by the server after the terminal event
    for (const s of [a, b]) {
      expect(s.events.map((e) => e.event)).toEqual(['queued', 'active', 'active', 'complete']);
      expect(s.events.map((e) => e.id)).toEqual(['1', '2', '3', '4']);
      const data = s.events.map((e) => JSON.parse(e.data ?? '{}'));
      expect(data.map((d) => [d.status, d.progress])).toEqual([['queued', 0], ...steps.map(([, st, p]) => [st, p])]);
      expect(data.at(-1)).toMatchObject({ id, status: 'complete', progress: 100, tenant_id: tenant.id });
    }
    await expect.poll(() => api.hub.openStreams).toBe(0);
  });

  it('a stream of an already finished job sends its one terminal event and ends', async () => {
    const { tenant, key } = await createTestTenant(api.deps.prisma);
    const id = await queuedJob(api.deps.prisma, tenant.id, api.deps.config.BULLMQ_PREFIX);
    await startAttempt(api.deps.prisma, id, 1);
    await completeJob(api.deps.prisma, id);
    const s = await openStream(`${api.url}/api/v1/jobs/${id}/events`, key);
    await s.done;
    expect(s.events.map((e) => e.event)).toEqual(['complete']);
  });

  it('a client that disconnects leaves no stream, timer or Redis slot behind', async () => {
    const { tenant, key } = await createTestTenant(api.deps.prisma);
    const ids = await Promise.all([0, 1, 2].map(() => queuedJob(api.deps.prisma, tenant.id, api.deps.config.BULLMQ_PREFIX)));
    const streams = await Promise.all(Array.from({ length: 6 }, (_, i) => openStream(`${api.url}/api/v1/jobs/${ids[i % 3]}/events`, key)));
    await Promise.all(streams.map((s) => s.waitFor(1)));
    const slots = `semaphore:${api.deps.config.BULLMQ_PREFIX}:sse:${tenant.id}`;
    expect(api.hub.openStreams).toBe(6);
    expect(api.hub.polling).toBe(true);
    expect(await api.deps.redis.zcard(slots)).toBe(6);
    for (const s of streams) s.abort();
    await Promise.all(streams.map((s) => s.done));
    await expect.poll(() => api.hub.openStreams).toBe(0);
    await expect.poll(() => api.hub.polling).toBe(false);
    await expect.poll(() => api.deps.redis.zcard(slots)).toBe(0);
    const ticks = api.hub.stats.ticks;
    await sleep(500);
    expect(api.hub.stats.ticks).toBe(ticks); // no poller runs for nobody
  });
});

async function expect429(res: Response) {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  const body = (await res.json()) as { detail: string };
  expect(body).toMatchObject({ code: 'rate_limited', request_id: expect.any(String) });
  expect(body.detail).toMatch(/event streams/);
}

describe('caps', () => {
  const prefix = uniquePrefix('sse-caps');
  let a: CountingApi;
  let b: CountingApi;
  beforeAll(async () => {
    const env = { BULLMQ_PREFIX: prefix, SSE_MAX_STREAMS_PER_TENANT: '3', SSE_MAX_STREAMS_PER_PROCESS: '4' };
    [a, b] = await Promise.all([startCountingApi(env), startCountingApi(env)]);
  });
  afterAll(async () => {
    await Promise.allSettled([a?.close(), b?.close()]);
  });

  it('per tenant over all processes: the stream past the cap is 429 with the error body and Retry-After', async () => {
    const alice = await createTestTenant(a.deps.prisma);
    const bob = await createTestTenant(a.deps.prisma);
    const job = await queuedJob(a.deps.prisma, alice.tenant.id, prefix);
    const bobJob = await queuedJob(a.deps.prisma, bob.tenant.id, prefix);
    const url = (api: CountingApi, id: string) => `${api.url}/api/v1/jobs/${id}/events`;
    const open = [await openStream(url(a, job), alice.key), await openStream(url(a, job), alice.key), await openStream(url(b, job), alice.key)];
    for (const s of open) expect(s.res.status).toBe(200);
    await expect429((await openStream(url(a, job), alice.key)).res);
    await expect429((await openStream(url(b, job), alice.key)).res);
    const other = await openStream(url(b, bobJob), bob.key); // another tenant is not affected
    expect(other.res.status).toBe(200);
    // A refused stream held nothing: closing one of alice's frees exactly one slot.
    open[0]?.abort();
    await expect.poll(() => a.hub.openStreams).toBe(1);
    const again = await openStream(url(b, job), alice.key);
    expect(again.res.status).toBe(200);
    await expect429((await openStream(url(a, job), alice.key)).res);
    for (const s of [...open, other, again]) s.abort();
    await expect.poll(() => a.hub.openStreams + b.hub.openStreams).toBe(0);
  });

  it('per process: past SSE_MAX_STREAMS_PER_PROCESS a stream is 429 whichever tenant asks', async () => {
    const tenants = await Promise.all([0, 1].map(() => createTestTenant(a.deps.prisma)));
    const jobs = await Promise.all(tenants.map((t) => queuedJob(a.deps.prisma, t.tenant.id, prefix)));
    const streams = [];
    for (let i = 0; i < 4; i++) streams.push(await openStream(`${a.url}/api/v1/jobs/${jobs[i % 2]}/events`, tenants[i % 2]!.key));
    for (const s of streams) expect(s.res.status).toBe(200);
    await expect429((await openStream(`${a.url}/api/v1/jobs/${jobs[0]}/events`, tenants[0]!.key)).res);
    await expect429((await openStream(`${a.url}/api/v1/jobs/${jobs[1]}/events`, tenants[1]!.key)).res);
    const elsewhere = await openStream(`${b.url}/api/v1/jobs/${jobs[0]}/events`, tenants[0]!.key); // the other process has room
    expect(elsewhere.res.status).toBe(200);
    expect(a.hub.openStreams).toBe(4);
    for (const s of [...streams, elsewhere]) s.abort();
    await expect.poll(() => a.hub.openStreams + b.hub.openStreams).toBe(0);
  });

  it('Redis going away while streams hold slots: their refreshes fail quietly, the streams go on, closing them is clean', async () => {
    const redis = new Redis(loadConfig({}).REDIS_URL, { maxRetriesPerRequest: 0, enableOfflineQueue: false });
    const api = await startCountingApi({ SSE_SLOT_TTL_MS: '1000' }, { hubRedis: redis });
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { tenant, key } = await createTestTenant(api.deps.prisma);
      const job = await queuedJob(api.deps.prisma, tenant.id, api.deps.config.BULLMQ_PREFIX);
      const s = await openStream(`${api.url}/api/v1/jobs/${job}/events`, key);
      expect(s.res.status).toBe(200);
      await s.waitFor(1);
      redis.disconnect(); // every Redis call of the hub fails from now on (the slot refreshes every ~333 ms)
      await sleep(1500);
      expect(unhandled).toEqual([]);
      expect(s.ended).toBe(false);
      await startAttempt(api.deps.prisma, job, 1);
      await s.waitFor(2);
      await completeJob(api.deps.prisma, job);
      await s.waitFor(3);
      await s.done;
      await expect.poll(() => api.hub.openStreams).toBe(0);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await api.close();
      redis.disconnect();
    }
  });

  it('a crashed process does not keep its tenant slots: they expire after SSE_SLOT_TTL_MS', async () => {
    const crashPrefix = uniquePrefix('sse-crash');
    const env = { BULLMQ_PREFIX: crashPrefix, SSE_MAX_STREAMS_PER_TENANT: '2', SSE_SLOT_TTL_MS: '2000' };
    const [doomed, survivor] = await Promise.all([startApiProcess(env), startCountingApi(env)]);
    try {
      const { tenant, key } = await createTestTenant(survivor.deps.prisma);
      const job = await queuedJob(survivor.deps.prisma, tenant.id, crashPrefix);
      const held = await Promise.all([0, 1].map(() => openStream(`${doomed.url}/api/v1/jobs/${job}/events`, key)));
      await Promise.all(held.map((s) => s.waitFor(1)));
      await doomed.stop('SIGKILL'); // no release, no refresh
      await expect429((await openStream(`${survivor.url}/api/v1/jobs/${job}/events`, key)).res);
      let s = await openStream(`${survivor.url}/api/v1/jobs/${job}/events`, key);
      const deadline = Date.now() + 10_000;
      while (s.res.status === 429 && Date.now() < deadline) {
        await sleep(250);
        s = await openStream(`${survivor.url}/api/v1/jobs/${job}/events`, key);
      }
      expect(s.res.status).toBe(200);
      s.abort();
    } finally {
      await doomed.stop('SIGKILL');
      await survivor.close();
    }
  });
});
