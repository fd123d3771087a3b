// Retention (maintenance.sweep task "retention") against the real test database: rows past their period go, in
// bounded batches; finished jobs go only when nothing a client can read refers to them; non-finished jobs and
// recent rows stay.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../../shared/src/config/index.js';
import { createPrisma, type PrismaClient } from '../../../../shared/src/db/client.js';
import { newId } from '../../../../shared/src/db/ids.js';
import { createLogger } from '../../../../shared/src/logger/index.js';
import { pruneExpired, retentionPolicy } from '../../../../shared/src/db/retention.repository.js';
import { s3ClientFromConfig } from '../../../../shared/src/storage/from-config.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { maintenanceSweep } from './sweep.js';

const DAY = 86_400_000;
let config: Config;
let prisma: PrismaClient;
let tenantId: string;
let nodeId: string;
const ago = (days: number) => new Date(Date.now() - days * DAY);

beforeAll(async () => {
  config = loadConfig({
    RETENTION_EMBEDDING_CACHE_DAYS: '90',
    RETENTION_PROVIDER_CALLS_DAYS: '400',
    RETENTION_WEBHOOK_DELIVERIES_DAYS: '90',
    RETENTION_JOBS_DAYS: '30',
  });
  prisma = createPrisma(config.DATABASE_URL, { poolMax: 2 });
  tenantId = (await createTestTenant(prisma)).tenant.id;
  nodeId = (await prisma.materialNode.create({ data: { id: newId(), tenantId, title: 'retention' } })).id;
});
afterAll(async () => {
  await prisma?.tenant.delete({ where: { id: tenantId } }).catch(() => undefined);
  await prisma?.$disconnect();
});

async function job(status: 'queued' | 'active' | 'complete' | 'failed' | 'cancelled', completedDaysAgo: number | null, dependsOn: string[] = []) {
  const id = newId();
  await prisma.job.create({
    data: {
      id, tenantId, prefix: config.BULLMQ_PREFIX, jobType: 'ingest', name: 'ingest.material', queue: 'ingest', status, payload: {}, dependsOn,
      completedAt: completedDaysAgo === null ? null : ago(completedDaysAgo),
    },
  });
  return id;
}
const exists = async (id: string) => (await prisma.job.count({ where: { id } })) === 1;

async function cacheRow(model: string, daysAgo: number) {
  const sha = randomBytes(32).toString('hex');
  const vec = `[${Array.from({ length: config.EMBEDDING_DIMENSIONS }, () => 0.1).join(',')}]`;
  await prisma.$executeRaw`INSERT INTO embedding_cache (tenant_id, model, text_sha256, embedding, created_at)
    VALUES (${tenantId}::uuid, ${model}, ${sha}, ${vec}::vector, ${ago(daysAgo)})`;
  return sha;
}
async function providerCall(daysAgo: number) {
  const id = newId();
  await prisma.providerCall.create({
    data: { id, tenantId, kind: 'embedding', action: 'embed', provider: 'local', model: 'm', success: true, createdAt: ago(daysAgo) },
  });
  return id;
}

describe('retention sweep', () => {
  it('deletes expired cache rows, provider calls, deliveries, outbox leftovers and unreferenced finished jobs only', async () => {
    const model = `retention-${randomBytes(4).toString('hex')}`;
    const oldCache = await cacheRow(model, 120);
    const newCache = await cacheRow(model, 10);
    const oldCall = await providerCall(500);
    const newCall = await providerCall(100);

    const student = await prisma.student.create({ data: { id: newId(), tenantId, externalId: `s-${newId()}` } });
    const submissionJob = await job('complete', 60);
    const submission = await prisma.submission.create({
      data: {
        id: newId(), tenantId, studentId: student.id, courseNodeId: nodeId, nodeId, fileSha256: randomBytes(32).toString('hex'),
        originalFilename: 'hw.py', s3Key: `tenants/${tenantId}/hw/${newId()}`, sizeBytes: 10, jobId: submissionJob, status: 'delivered',
      },
    });
    const delivery = (daysAgo: number) => ({
      id: newId(), tenantId, submissionId: submission.id, deliveryId: newId(), event: 'review.completed', attempt: 1, outcome: 'delivered',
      createdAt: ago(daysAgo),
    });
    const [oldDelivery, newDelivery] = [delivery(100), delivery(5)];
    await prisma.webhookDelivery.createMany({ data: [oldDelivery, newDelivery] });

    const unreferenced = await job('complete', 60);
    const failedOld = await job('failed', 45);
    const cancelledOld = await job('cancelled', 31);
    const recent = await job('complete', 5);
    const queued = await job('queued', null);
    const retrying = await job('active', 90); // finished once, then retried: not finished now
    const materialJob = await job('complete', 60);
    await prisma.material.create({ data: { id: newId(), tenantId, nodeId, sourceType: 'text', jobId: materialJob } });
    const dependency = await job('complete', 60);
    const dependent = await job('queued', null, [dependency]);
    const withOutbox = await job('failed', 60);
    const orphanEntry = newId();
    await prisma.jobOutbox.createMany({
      data: [
        { jobId: orphanEntry, prefix: config.BULLMQ_PREFIX, createdAt: ago(2) }, // its job is gone
        { jobId: withOutbox, prefix: config.BULLMQ_PREFIX, createdAt: ago(2) }, // its job failed: dropped first, then the job can go
        { jobId: queued, prefix: config.BULLMQ_PREFIX, createdAt: ago(2) }, // a live job's entry stays
      ],
    });

    const sweep = maintenanceSweep({ prisma, s3: s3ClientFromConfig(config), config, logger: createLogger({ level: 'silent' }) });
    const out = (await sweep({ task: 'retention' })) as { pruned: Record<string, number> };
    expect(out.pruned.jobs).toBeGreaterThanOrEqual(4);

    const cache = await prisma.$queryRaw<{ text_sha256: string }[]>`SELECT text_sha256 FROM embedding_cache WHERE model = ${model}`;
    expect(cache.map((r) => r.text_sha256)).toEqual([newCache]);
    expect(cache.map((r) => r.text_sha256)).not.toContain(oldCache);
    expect(await prisma.providerCall.count({ where: { id: { in: [oldCall, newCall] } } })).toBe(1);
    expect(await prisma.providerCall.count({ where: { id: newCall } })).toBe(1);
    const deliveries = await prisma.webhookDelivery.findMany({ where: { submissionId: submission.id } });
    expect(deliveries.map((d) => d.id)).toEqual([newDelivery.id]);
    const outbox = await prisma.jobOutbox.findMany({ where: { jobId: { in: [orphanEntry, withOutbox, queued] } } });
    expect(outbox.map((o) => o.jobId)).toEqual([queued]);

    for (const gone of [unreferenced, failedOld, cancelledOld, withOutbox]) expect(await exists(gone), gone).toBe(false);
    for (const kept of [recent, queued, retrying, materialJob, submissionJob, dependency, dependent]) expect(await exists(kept), kept).toBe(true);
  });

  it('deletes at most batch size × batches rows per run and resumes on the next run', async () => {
    const calls = await Promise.all(Array.from({ length: 5 }, () => providerCall(800)));
    const jobs: string[] = [];
    for (let i = 0; i < 5; i++) {
      const materialJob = await job('complete', 200 + i); // referenced ones interleaved: the jobs walk must pass them
      await prisma.material.create({ data: { id: newId(), tenantId, nodeId, sourceType: 'text', jobId: materialJob } });
      jobs.push(await job('complete', 200 + i));
    }
    const policy = { ...retentionPolicy(config), batchSize: 2, maxBatches: 1 };
    const left = async () => ({
      calls: await prisma.providerCall.count({ where: { id: { in: calls } } }),
      jobs: await prisma.job.count({ where: { id: { in: jobs } } }),
    });
    const first = await pruneExpired(prisma, policy);
    expect(first.provider_calls).toBe(2);
    expect(first.jobs).toBeLessThanOrEqual(2);
    expect(await left()).toMatchObject({ calls: 3 });
    let runs = 1;
    while ((await left()).calls + (await left()).jobs > 0 && runs < 20) {
      const r = await pruneExpired(prisma, policy);
      expect(r.provider_calls).toBeLessThanOrEqual(2);
      expect(r.jobs).toBeLessThanOrEqual(2);
      runs++;
    }
    expect(await left()).toEqual({ calls: 0, jobs: 0 });
    expect(runs).toBeGreaterThanOrEqual(3); // 5 rows, 2 per run
  });
});
