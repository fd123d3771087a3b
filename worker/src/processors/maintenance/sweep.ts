// maintenance.sweep (scheduled by the worker, see runtime.ts):
// - pending-deletions: S3 deletions a failed delete left behind;
// - orphan-uploads: presigned uploads never confirmed (24 h), and — older than ORPHAN_UPLOAD_GRACE_MS —
//   unfinished multipart uploads and stored objects that no row refers to (e.g. what an API process killed
//   mid-upload left: its transaction never committed). Both go through the pending-deletions record.
//   The bucket is read under `tenants/` at most ORPHAN_SWEEP_PAGES_PER_RUN pages per run; the last key read is
//   saved (maintenance_cursors) and the next run continues after it, starting over once the listing ends.
// - unconfirmed-uploads (every UPLOAD_CHECK_INTERVAL_MS): unconfirmed presigned uploads (those made without
//   size_bytes have no size S3 would bound; the others are checked too, see materials.direct.ts). Each object is looked at (HEAD) until a look after its URL expired: over MAX_UPLOAD_BYTES
//   it is deleted with its intent; otherwise its size is reserved against the quota until the intent is swept,
//   and an intent whose URL expired with no object goes (its declared size stops counting).
// - retention: rows past their RETENTION_* period (shared/src/db/retention.repository.ts).
import type { S3Client } from '@aws-sdk/client-s3';
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import type { Config } from '../../../../shared/src/config/index.js';
import type { Logger } from '../../../../shared/src/logger/index.js';
import { flushDeletions, scheduleDeletions } from '../../../../shared/src/db/deletions.repository.js';
import { abortMultipartUploadsUnder, headObject, listPrefix, PRESIGN_EXPIRES_SECONDS } from '../../../../shared/src/storage/index.js';
import { pruneExpired, retentionPolicy } from '../../../../shared/src/db/retention.repository.js';

export { UNCONFIRMED_UPLOAD_TTL_MS } from '../../../../shared/src/db/upload-intents.js';
import { UNCONFIRMED_UPLOAD_TTL_MS } from '../../../../shared/src/db/upload-intents.js';
const ROOT = 'tenants/';
/** The cursor is the bucket's: a database shared by deployments (or tests) with other buckets keeps one each. */
const orphanCursor = (bucket: string) => `orphan-uploads:${bucket}`;

type Deps = { prisma: PrismaClient; s3: S3Client; config: Config; logger: Logger };

/** Keys among `keys` that no material, submission or open upload intent refers to. */
async function unreferenced(prisma: PrismaClient, keys: string[]): Promise<string[]> {
  const [materials, submissions, intents] = await Promise.all([
    prisma.material.findMany({ where: { s3Key: { in: keys } }, select: { s3Key: true } }),
    prisma.submission.findMany({ where: { s3Key: { in: keys } }, select: { s3Key: true } }),
    prisma.uploadIntent.findMany({ where: { key: { in: keys } }, select: { key: true } }),
  ]);
  const used = new Set<string>([...materials.map((m) => m.s3Key as string), ...submissions.map((s) => s.s3Key), ...intents.map((i) => i.key)]);
  return keys.filter((k) => !used.has(k));
}

async function sweepOrphans(deps: Deps): Promise<{ aborted: number; orphans: number; bucketListingDone: boolean }> {
  const { prisma, s3, config, logger } = deps;
  const cutoff = new Date(Date.now() - config.ORPHAN_UPLOAD_GRACE_MS);
  const aborted = await abortMultipartUploadsUnder({ client: s3, bucket: config.S3_BUCKET, prefix: ROOT, olderThan: cutoff });
  let orphans = 0;
  let batch: string[] = [];
  const task = orphanCursor(config.S3_BUCKET);
  const saved = await prisma.maintenanceCursor.findUnique({ where: { task } });
  const flush = async () => {
    const gone = await unreferenced(prisma, batch);
    batch = [];
    if (!gone.length) return;
    // A row may be committed between the listing and here only for an upload younger than the grace period.
    await prisma.$transaction((tx) => scheduleDeletions(tx, gone));
    orphans += gone.length;
  };
  const listing = { done: false };
  let last = saved?.cursor ?? '';
  const pages = {
    client: s3,
    bucket: config.S3_BUCKET,
    prefix: ROOT,
    startAfter: last || undefined,
    maxPages: config.ORPHAN_SWEEP_PAGES_PER_RUN,
    pageSize: config.ORPHAN_SWEEP_PAGE_SIZE,
  };
  for await (const o of listPrefix(pages, listing)) {
    last = o.key;
    if (o.lastModified && o.lastModified > cutoff) continue;
    batch.push(o.key);
    if (batch.length >= 500) await flush();
  }
  if (batch.length) await flush();
  const cursor = listing.done ? '' : last;
  await prisma.maintenanceCursor.upsert({ where: { task }, create: { task, cursor }, update: { cursor } });
  if (aborted || orphans) logger.info({ aborted, orphans }, 'swept abandoned uploads');
  return { aborted, orphans, bucketListingDone: listing.done };
}

/** Objects of unconfirmed presigned uploads: delete those over the limit, reserve the size of the rest. */
async function checkUnconfirmed(deps: Deps): Promise<{ checked: number; oversize: number }> {
  const { prisma, s3, config } = deps;
  const urlLifeMs = PRESIGN_EXPIRES_SECONDS * 1000 + 60_000; // after that the object can no longer change
  // Those never looked at since their URL could last be used; a batch per run, oldest look first.
  const open = await prisma.$queryRaw<{ key: string; created_at: Date }[]>`
    SELECT key, created_at FROM upload_intents
    WHERE NOT size_bound AND (checked_at IS NULL OR checked_at < created_at + ${urlLifeMs} * interval '1 millisecond')
    ORDER BY checked_at NULLS FIRST, created_at LIMIT 500`;
  let oversize = 0;
  for (const intent of open) {
    const head = await headObject({ client: s3, bucket: config.S3_BUCKET, key: intent.key });
    if (head && head.sizeBytes > config.MAX_UPLOAD_BYTES) {
      await prisma.$transaction(async (tx) => {
        await scheduleDeletions(tx, [intent.key]);
        await tx.uploadIntent.deleteMany({ where: { key: intent.key } });
      });
      oversize++;
      continue;
    }
    const final = Date.now() > intent.created_at.getTime() + urlLifeMs;
    if (final && !head) {
      await prisma.uploadIntent.deleteMany({ where: { key: intent.key } }); // its URL expired unused
      continue;
    }
    // While the URL can still be used a declared size stays reserved (the larger counts); after, the real one.
    const until = new Date(intent.created_at.getTime() + UNCONFIRMED_UPLOAD_TTL_MS);
    const size = head?.sizeBytes ?? 0;
    await prisma.$executeRaw`
      UPDATE upload_intents SET checked_at = now(), reserved_until = ${until},
        reserved_bytes = CASE WHEN ${final} THEN ${size} ELSE greatest(reserved_bytes, ${size}) END
      WHERE key = ${intent.key}`;
  }
  if (oversize) deps.logger.info({ oversize }, 'deleted unconfirmed uploads over the upload limit');
  return { checked: open.length, oversize };
}

export function maintenanceSweep(deps: Deps) {
  return async (payload: { task: 'pending-deletions' | 'orphan-uploads' | 'unconfirmed-uploads' | 'retention' }): Promise<Record<string, unknown>> => {
    if (payload.task === 'retention') {
      const pruned = await pruneExpired(deps.prisma, retentionPolicy(deps.config));
      if (Object.values(pruned).some((n) => n > 0)) deps.logger.info({ pruned }, 'pruned rows past their retention');
      return { pruned };
    }
    let swept: Record<string, unknown> = {};
    if (payload.task === 'orphan-uploads') {
      const stale = await deps.prisma.uploadIntent.findMany({
        where: { createdAt: { lt: new Date(Date.now() - UNCONFIRMED_UPLOAD_TTL_MS) } },
        take: 1000,
      });
      if (stale.length) {
        await deps.prisma.$transaction(async (tx) => {
          await scheduleDeletions(tx, stale.map((s) => s.key));
          await tx.uploadIntent.deleteMany({ where: { key: { in: stale.map((s) => s.key) } } });
        });
      }
      swept = await sweepOrphans(deps);
    }
    if (payload.task === 'unconfirmed-uploads') swept = await checkUnconfirmed(deps);
    const deleted = await flushDeletions(deps.prisma, deps.s3, deps.config.S3_BUCKET, deps.logger);
    return { deleted, ...swept };
  };
}
