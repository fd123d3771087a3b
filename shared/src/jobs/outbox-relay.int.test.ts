// The relay hands jobs to BullMQ only after their dependencies completed, drops entries of finished jobs, keeps
// entries while Redis is unreachable, and takes only its own BULLMQ_PREFIX's entries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../logger/index.js';
import { createPrisma, type PrismaClient } from '../db/client.js';
import { createTenant } from '../auth/tenants.service.js';
import pg from 'pg';
import { enqueue, OUTBOX_CHANNEL } from './producer.js';
import { jobs } from './definitions.js';
import { QueueSet } from './queues.js';
import { relayBatch, startOutboxRelay } from './outbox-relay.js';
import { finishUnsuccessfully } from './job-status.js';
import { uniquePrefix } from '../../../test/support/api.js';
import { startRedis } from '../../../test/support/processes.js';

let prisma: PrismaClient;
let queues: QueueSet;
let tenantId: string;
const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  const config = loadConfig();
  prisma = createPrisma(config.DATABASE_URL, { poolMax: 4 });
  queues = QueueSet.create(config.REDIS_URL, uniquePrefix('relay'));
  tenantId = (await createTenant(prisma, 'relay')).id;
});
afterAll(async () => {
  await queues?.close();
  await prisma?.$disconnect();
});

const payload = () => ({ tenantId, materialId: '00000000-0000-7000-8000-000000000001' });
const inBull = async (id: string) => (await queues.get('ingest').getJob(id)) !== undefined;
const drain = async () => {
  // Other test files relay their own entries too; loop until ours are gone or nothing moves.
  for (let i = 0; i < 20 && (await relayBatch(prisma, queues, logger)) > 0; i++);
};

describe('outbox relay', () => {
  it('waits for dependencies, then relays; drops entries of failed jobs', async () => {
    const first = await prisma.$transaction((tx) => enqueue(tx, queues, tenantId, jobs.ingestMaterial, payload()));
    const second = await prisma.$transaction((tx) => enqueue(tx, queues, tenantId, jobs.ingestMaterial, payload(), { dependsOn: [first.id] }));
    await drain();
    expect(await inBull(first.id)).toBe(true);
    expect(await inBull(second.id)).toBe(false);
    expect(await prisma.jobOutbox.count({ where: { jobId: second.id } })).toBe(1);

    await prisma.job.update({ where: { id: first.id }, data: { status: 'complete' } });
    await drain();
    expect(await inBull(second.id)).toBe(true);

    const a = await prisma.$transaction((tx) => enqueue(tx, queues, tenantId, jobs.ingestMaterial, payload()));
    const b = await prisma.$transaction((tx) => enqueue(tx, queues, tenantId, jobs.ingestMaterial, payload(), { dependsOn: [a.id] }));
    await prisma.jobOutbox.deleteMany({ where: { jobId: a.id } });
    expect((await finishUnsuccessfully(prisma, a.id, 'failed', 'boom'))?.dependents).toEqual([b.id]);
    await drain();
    expect(await prisma.jobOutbox.count({ where: { jobId: b.id } })).toBe(0);
    expect(await inBull(b.id)).toBe(false);
    expect((await prisma.job.findUniqueOrThrow({ where: { id: b.id } })).errorMessage).toBe(`Dependency ${a.id} failed`);
  });

  it('keeps entries while Redis is away and hands them over once it is back', async () => {
    const redis = await startRedis();
    const own = QueueSet.create(redis.url, uniquePrefix('relay-down'));
    try {
      await redis.stop();
      const job = await prisma.$transaction((tx) => enqueue(tx, own, tenantId, jobs.ingestMaterial, payload()));
      const started = Date.now();
      for (let i = 0; i < 3; i++) expect(await relayBatch(prisma, own, logger)).toBe(0);
      expect(Date.now() - started).toBeLessThan(2000); // fails fast, holds nothing
      expect(await prisma.jobOutbox.count({ where: { jobId: job.id } })).toBe(1);
      await redis.start();
      await new Promise((r) => setTimeout(r, 1500)); // reconnect
      for (let i = 0; i < 20 && (await prisma.jobOutbox.count({ where: { jobId: job.id } })) > 0; i++) {
        await relayBatch(prisma, own, logger).catch(() => 0);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(await prisma.jobOutbox.count({ where: { jobId: job.id } })).toBe(0);
      expect(await own.get('ingest').getJob(job.id)).toBeDefined();
    } finally {
      await own.close();
      await redis.stop();
    }
  });

  it('takes only entries of its own prefix: two deployments on one database keep their jobs apart', async () => {
    const other = QueueSet.create(loadConfig().REDIS_URL, uniquePrefix('relay-other'));
    try {
      const mine = await prisma.$transaction((tx) => enqueue(tx, queues, tenantId, jobs.ingestMaterial, payload()));
      const theirs = await prisma.$transaction((tx) => enqueue(tx, other, tenantId, jobs.ingestMaterial, payload()));
      expect((await prisma.jobOutbox.findUniqueOrThrow({ where: { jobId: theirs.id } })).prefix).toBe(other.prefix);
      await drain();
      expect(await inBull(mine.id)).toBe(true);
      expect(await inBull(theirs.id)).toBe(false); // not taken into this deployment's BullMQ
      expect(await prisma.jobOutbox.count({ where: { jobId: theirs.id } })).toBe(1);
      expect(await other.get('ingest').getJob(mine.id)).toBeUndefined();

      for (let i = 0; i < 20 && (await relayBatch(prisma, other, logger)) > 0; i++);
      expect(await other.get('ingest').getJob(theirs.id)).toBeDefined();
      expect(await prisma.jobOutbox.count({ where: { jobId: theirs.id } })).toBe(0);
      expect(await other.get('ingest').getJob(mine.id)).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('a commit wakes the relay at once (NOTIFY), well before its poll interval', async () => {
    const config = loadConfig();
    const stop = startOutboxRelay(prisma, queues, logger, { intervalMs: 60_000, databaseUrl: config.DATABASE_URL });
    try {
      await new Promise((r) => setTimeout(r, 500)); // the listener connects (it relays once when it has)
      const job = await prisma.$transaction((tx) => enqueue(tx, queues, tenantId, jobs.ingestMaterial, payload()));
      const started = Date.now();
      while (!(await inBull(job.id)) && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
      expect(await inBull(job.id)).toBe(true);
      expect(Date.now() - started).toBeLessThan(5000); // the poll would take 60 s
    } finally {
      await stop();
    }
  });

  it('back-to-back commits send one NOTIFY, not one per job, and a woken relay still takes each at once', async () => {
    // A NOTIFY per commit serialises every notifying commit of the cluster (producer.ts): a producer skips it while
    // another entry of its prefix is fresh, and the relay it woke keeps looking for a while.
    const config = loadConfig();
    const target = QueueSet.create(config.REDIS_URL, uniquePrefix('relay-burst'));
    const listener = new pg.Client({ connectionString: config.DATABASE_URL });
    let notified = 0;
    listener.on('notification', (n) => {
      if (n.payload === target.prefix) notified++;
    });
    await listener.connect();
    await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
    const stop = startOutboxRelay(prisma, target, logger, { intervalMs: 60_000, databaseUrl: config.DATABASE_URL });
    try {
      await new Promise((r) => setTimeout(r, 500)); // the relay's listener connects
      const started = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push((await enqueue(prisma, target, tenantId, jobs.ingestMaterial, payload())).id);
      const relayed = async () => (await Promise.all(ids.map(async (id) => (await target.get('ingest').getJob(id)) !== undefined))).every(Boolean);
      while (!(await relayed()) && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
      expect(await relayed()).toBe(true);
      expect(Date.now() - started).toBeLessThan(5000); // the poll would take 60 s
      await new Promise((r) => setTimeout(r, 200)); // notifications still on their way
      expect(notified).toBeGreaterThanOrEqual(1);
      expect(notified).toBeLessThan(5); // one per job before; a fresh entry is seldom relayed before the next commit
    } finally {
      await stop();
      await listener.end();
      await target.close();
    }
  });
});
