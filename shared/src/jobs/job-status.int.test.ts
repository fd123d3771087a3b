// The worker's status writer (statusWriter): admission by the row's status, one write for an attempt that ends
// within ACTIVE_AFTER_MS, `active` shown while a longer one runs, and a cancel during the attempt respected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { createPrisma, type PrismaClient } from '../db/client.js';
import { createTenant } from '../auth/tenants.service.js';
import { enqueue } from './producer.js';
import { jobs } from './definitions.js';
import { ACTIVE_AFTER_MS, finishUnsuccessfully, statusWriter, type StatusWriter } from './job-status.js';

let prisma: PrismaClient;
let status: StatusWriter;
let tenantId: string;
const target = { prefix: 'job-status-test' };

beforeAll(async () => {
  const config = loadConfig();
  prisma = createPrisma(config.DATABASE_URL, { poolMax: 2 });
  status = statusWriter(config.DATABASE_URL);
  tenantId = (await createTenant(prisma, 'job-status')).id;
});
afterAll(async () => {
  await status?.close();
  await prisma?.$disconnect();
});

const newJob = async () =>
  (await enqueue(prisma, target, tenantId, jobs.ingestMaterial, { tenantId, materialId: '00000000-0000-7000-8000-000000000001' })).id;
const row = (id: string) => prisma.job.findUniqueOrThrow({ where: { id }, select: { status: true, attempts: true, startedAt: true, completedAt: true, progress: true } });
/** The row version's writing transaction: unchanged when nothing wrote the row. */
const updatesOf = async (id: string) => (await prisma.$queryRaw<{ xmin: string }[]>`SELECT xmin::text FROM jobs WHERE id = ${id}::uuid`)[0]?.xmin;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('statusWriter', () => {
  it('admits a queued job and completes a short attempt with one write that also records the attempt', async () => {
    const id = await newJob();
    const before = await updatesOf(id);
    const run = await status.begin({ id, attempt: 2 });
    expect(run.admitted).toBe(true);
    expect(await updatesOf(id)).toBe(before); // admission wrote nothing
    expect(await run.complete()).toBe(true);
    const r = await row(id);
    expect(r).toMatchObject({ status: 'complete', attempts: 2, progress: 100 });
    expect(r.startedAt).not.toBeNull();
    expect(r.startedAt!.getTime()).toBeLessThanOrEqual(r.completedAt!.getTime());
  });

  it('shows a longer attempt active while it runs, then completes it', async () => {
    const id = await newJob();
    const run = await status.begin({ id, attempt: 1 });
    await sleep(ACTIVE_AFTER_MS + 200);
    expect(await row(id)).toMatchObject({ status: 'active', attempts: 1 });
    expect(await run.complete()).toBe(true);
    expect((await row(id)).status).toBe('complete');
  });

  it('writes the row active before another write of the attempt (markActive), once', async () => {
    const id = await newJob();
    const run = await status.begin({ id, attempt: 1 });
    expect(await run.markActive()).toBe(true);
    const first = await updatesOf(id);
    expect(await run.markActive()).toBe(true);
    await sleep(ACTIVE_AFTER_MS + 100); // the timer finds it written
    expect(await updatesOf(id)).toBe(first);
    expect((await row(id)).status).toBe('active');
    run.end();
  });

  it('does not admit a cancelled job, and a cancel during the attempt makes its completion fail', async () => {
    const cancelledFirst = await newJob();
    await finishUnsuccessfully(prisma, cancelledFirst, 'cancelled', 'test');
    expect((await status.begin({ id: cancelledFirst, attempt: 1 })).admitted).toBe(false);

    const short = await newJob(); // cancelled before the row was ever written active
    const run = await status.begin({ id: short, attempt: 1 });
    await finishUnsuccessfully(prisma, short, 'cancelled', 'test');
    expect(await run.complete()).toBe(false);
    expect((await row(short)).status).toBe('cancelled');

    const long = await newJob(); // cancelled while active
    const run2 = await status.begin({ id: long, attempt: 1 });
    await sleep(ACTIVE_AFTER_MS + 200);
    await finishUnsuccessfully(prisma, long, 'cancelled', 'test');
    expect(await run2.complete()).toBe(false);
    expect((await row(long)).status).toBe('cancelled');
  });

  it('completes only an attempt whose row is active once it was written active (a retry put back elsewhere stays)', async () => {
    const id = await newJob();
    const run = await status.begin({ id, attempt: 1 });
    expect(await run.markActive()).toBe(true);
    await prisma.job.update({ where: { id }, data: { status: 'queued' } }); // another attempt's retry (stalled double run)
    expect(await run.complete()).toBe(false);
    expect((await row(id)).status).toBe('queued');
  });
});
