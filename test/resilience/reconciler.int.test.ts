// A worker whose Postgres writes fail (Postgres restarting, network cut) can leave a job row `active` while
// BullMQ already holds the final outcome. The job reconciler (shared/src/jobs/reconciler.ts, every 5 s in each API
// process) makes the row follow BullMQ. This file builds that state on purpose — a BullMQ worker that takes the
// job and fails it for good without recording it — and checks what a client then sees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnrecoverableError, Worker } from 'bullmq';
import { startTestApi, uniquePrefix, type TestApi } from '../support/api.js';
import { createTestTenant } from '../support/tenants.js';
import { Client } from '../support/flow.js';
import { waitFor } from '../support/processes.js';
import { createRedis } from '../../shared/src/db/redis.js';
import { startAttempt } from '../../shared/src/jobs/job-status.js';
import { reconcileOnce, startReconciler } from '../../shared/src/jobs/reconciler.js';
import { QueueSet } from '../../shared/src/jobs/queues.js';
import { createPrisma } from '../../shared/src/db/client.js';
import { pino } from 'pino';

let api: TestApi;
let client: Client;
let worker: Worker | null = null;

beforeAll(async () => {
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('reconcile') });
  client = new Client(api.url, (await createTestTenant(api.deps.prisma)).key);
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await api?.close();
});

describe('a job whose final failure reached BullMQ but not Postgres', () => {
  // When BullMQ says `failed`, the reconciler fails the job through failJob (shared/src/jobs/subject-failure.ts),
  // the same path as the worker's: a material must not stay `pending` for good while its job is `failed` (seen
  // once in the fault suite's Postgres restart, when the reconciler only failed the row).
  it('is failed by the reconciler and its material shows the error', async () => {
    const course = await client.createCourse('Reconcile');
    const up = await client.upload(course.id, 'lost.md', '# Lost\n\nThe worker could not record its failure.');
    expect(up.status).toBe(201);
    const jobId = up.body.job_id as string;
    await waitFor(async () => (await api.deps.prisma.jobOutbox.count({ where: { jobId } })) === 0, 15_000, 'job relayed to BullMQ');

    // The worker marks the attempt (as the real processor does first), then its Postgres goes away: the final
    // failure lands in BullMQ only.
    worker = new Worker(
      'ingest',
      async (job) => {
        await startAttempt(api.deps.prisma, job.id as string, 1);
        throw new UnrecoverableError('connect ECONNREFUSED 127.0.0.1:5432');
      },
      { connection: createRedis(api.config.REDIS_URL, 'bullmq'), prefix: api.config.BULLMQ_PREFIX },
    );
    const bull = api.deps.queues.get('ingest');
    await waitFor(async () => (await (await bull.getJob(jobId))?.getState()) === 'failed', 15_000, 'BullMQ job failed');
    await worker.close();
    worker = null;
    expect((await client.get(`/jobs/${jobId}`)).body.status).toBe('active');

    // What the background loop does once the row is older than its 20 s grace period: age the row instead of
    // waiting, and run a pass (a pass of another process may hold the advisory lock: try again).
    await api.deps.prisma.$executeRaw`UPDATE jobs SET updated_at = now() - interval '1 minute' WHERE id = ${jobId}::uuid`;
    await waitFor(async () => {
      await reconcileOnce(api.deps.prisma, api.deps.queues, api.deps.logger);
      return (await client.get(`/jobs/${jobId}`)).body.status !== 'active';
    }, 15_000, 'reconciler pass');
    const job = (await client.get(`/jobs/${jobId}`)).body;
    expect(job.status).toBe('failed');
    const material = (await client.get(`/materials/${up.body.id}`)).body;
    expect(material.state).toBe('error');
    expect(material.error_message).toContain('ECONNREFUSED');
  }, 60_000);

  it('logs a failed pass at error level (it was debug: invisible in production)', async () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const unreachable = createPrisma('postgresql://postgres@127.0.0.1:1/nowhere', { poolMax: 1 });
    const queues = QueueSet.create(api.config.REDIS_URL, uniquePrefix('reconcile-log'));
    const stop = startReconciler(unreachable, queues, logger, 600);
    try {
      await waitFor(async () => lines.some((l) => l.msg === 'job reconciler pass failed'), 10_000, 'failure logged');
      expect(lines.find((l) => l.msg === 'job reconciler pass failed')?.level).toBe(50);
    } finally {
      await stop();
      await queues.close();
      await unreachable.$disconnect();
    }
  });
});
