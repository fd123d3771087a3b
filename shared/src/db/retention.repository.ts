// Retention: rows older than their RETENTION_* period are deleted by the maintenance sweep, oldest first, in
// statements of at most `batchSize` rows and at most `maxBatches` statements per table and run (what is left
// waits for the next run). Every statement walks an index range, so none scans a table.
// Jobs: only finished ones (complete/failed/cancelled, completed_at older than the period) that nothing a client
// can still read refers to — a material's or submission's job, a snapshot's, another job's dependency, an outbox
// entry. Referenced jobs stay, so a walk from the oldest would meet them again on every run: the jobs walk keeps a
// cursor (maintenance_cursors) and starts over once it reaches the cutoff.
import type { PrismaClient } from './client.js';
import type { Config } from '../config/index.js';

export interface RetentionPolicy {
  embeddingCacheDays: number;
  providerCallsDays: number;
  webhookDeliveriesDays: number;
  jobsDays: number;
  batchSize: number;
  maxBatches: number;
}

export const retentionPolicy = (c: Config): RetentionPolicy => ({
  embeddingCacheDays: c.RETENTION_EMBEDDING_CACHE_DAYS,
  providerCallsDays: c.RETENTION_PROVIDER_CALLS_DAYS,
  webhookDeliveriesDays: c.RETENTION_WEBHOOK_DELIVERIES_DAYS,
  jobsDays: c.RETENTION_JOBS_DAYS,
  batchSize: c.RETENTION_BATCH_SIZE,
  maxBatches: c.RETENTION_MAX_BATCHES,
});

/** Outbox entries of finished or missing jobs are dropped once this old (the relay drops most at once). */
export const OUTBOX_LEFTOVER_AGE_MS = 3600_000;
const JOBS_CURSOR = 'retention:jobs';
const DAY_MS = 86_400_000;

async function batches(p: RetentionPolicy, run: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < p.maxBatches; i++) {
    const n = await run();
    total += n;
    if (n < p.batchSize) break;
  }
  return total;
}

export interface PruneResult {
  embedding_cache: number;
  provider_calls: number;
  webhook_deliveries: number;
  job_outbox: number;
  jobs: number;
}

export async function pruneExpired(prisma: PrismaClient, p: RetentionPolicy, now = new Date()): Promise<PruneResult> {
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const n = p.batchSize;
  const result: PruneResult = { embedding_cache: 0, provider_calls: 0, webhook_deliveries: 0, job_outbox: 0, jobs: 0 };
  if (p.embeddingCacheDays > 0) {
    const cutoff = before(p.embeddingCacheDays);
    result.embedding_cache = await batches(p, () => prisma.$executeRaw`
      DELETE FROM embedding_cache WHERE (tenant_id, model, text_sha256) IN (
        SELECT tenant_id, model, text_sha256 FROM embedding_cache WHERE created_at < ${cutoff} ORDER BY created_at LIMIT ${n})`);
  }
  if (p.providerCallsDays > 0) {
    const cutoff = before(p.providerCallsDays);
    result.provider_calls = await batches(p, () => prisma.$executeRaw`
      DELETE FROM provider_calls WHERE id IN (
        SELECT id FROM provider_calls WHERE created_at < ${cutoff} ORDER BY created_at LIMIT ${n})`);
  }
  if (p.webhookDeliveriesDays > 0) {
    const cutoff = before(p.webhookDeliveriesDays);
    result.webhook_deliveries = await batches(p, () => prisma.$executeRaw`
      DELETE FROM webhook_deliveries WHERE id IN (
        SELECT id FROM webhook_deliveries WHERE created_at < ${cutoff} ORDER BY created_at LIMIT ${n})`);
  }
  // Entries the relay holds are skipped (SKIP LOCKED); an entry of a live job is never touched.
  const outboxCutoff = new Date(now.getTime() - OUTBOX_LEFTOVER_AGE_MS);
  result.job_outbox = await batches(p, () => prisma.$executeRaw`
    DELETE FROM job_outbox WHERE id IN (
      SELECT o.id FROM job_outbox o LEFT JOIN jobs j ON j.id = o.job_id
      WHERE o.created_at < ${outboxCutoff} AND (j.id IS NULL OR j.status IN ('complete', 'failed', 'cancelled'))
      ORDER BY o.id LIMIT ${n} FOR UPDATE OF o SKIP LOCKED)`);
  if (p.jobsDays > 0) result.jobs = await pruneJobs(prisma, p, before(p.jobsDays));
  return result;
}

async function pruneJobs(prisma: PrismaClient, p: RetentionPolicy, cutoff: Date): Promise<number> {
  const saved = await prisma.maintenanceCursor.findUnique({ where: { task: JOBS_CURSOR } });
  let [atText, id] = saved ? saved.cursor.split('|') : ['', ''];
  let total = 0;
  for (let i = 0; i < p.maxBatches; i++) {
    const at = atText ? new Date(atText) : new Date(0);
    const afterId = id || '00000000-0000-0000-0000-000000000000';
    // One window of the completed_at index after the cursor; delete the unreferenced finished jobs in it.
    const [row] = await prisma.$queryRaw<{ deleted: number; last_at: Date | null; last_id: string | null; seen: number }[]>`
      WITH win AS (
        SELECT id, completed_at, status FROM jobs
        WHERE completed_at < ${cutoff} AND (completed_at, id) > (${at}, ${afterId}::uuid)
        ORDER BY completed_at, id LIMIT ${p.batchSize}),
      gone AS (
        DELETE FROM jobs j USING win w
        WHERE j.id = w.id AND w.status IN ('complete', 'failed', 'cancelled')
          AND NOT EXISTS (SELECT 1 FROM material_entries m WHERE m.job_id = j.id)
          AND NOT EXISTS (SELECT 1 FROM homework_submissions s WHERE s.job_id = j.id)
          AND NOT EXISTS (SELECT 1 FROM structure_snapshots ss WHERE ss.job_id = j.id)
          AND NOT EXISTS (SELECT 1 FROM job_outbox o WHERE o.job_id = j.id)
          AND NOT EXISTS (SELECT 1 FROM jobs d WHERE d.depends_on @> ARRAY[j.id])
        RETURNING j.id)
      SELECT (SELECT count(*)::int FROM gone) AS deleted, (SELECT count(*)::int FROM win) AS seen,
             last.completed_at AS last_at, last.id::text AS last_id
      FROM (SELECT 1) one LEFT JOIN (SELECT completed_at, id FROM win ORDER BY completed_at DESC, id DESC LIMIT 1) last ON true`;
    total += row?.deleted ?? 0;
    if (!row || row.seen < p.batchSize || !row.last_at) {
      atText = '';
      id = ''; // reached the cutoff: the next run starts from the oldest again
      break;
    }
    atText = row.last_at.toISOString();
    id = row.last_id ?? '';
  }
  const cursor = atText ? `${atText}|${id}` : '';
  await prisma.maintenanceCursor.upsert({ where: { task: JOBS_CURSOR }, create: { task: JOBS_CURSOR, cursor }, update: { cursor } });
  return total;
}
