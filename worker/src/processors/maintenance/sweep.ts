// maintenance.sweep (scheduled by the worker, see runtime.ts):
// - pending-deletions: S3 deletions a failed delete left behind;
// - orphan-uploads: presigned uploads never confirmed (24 h), and — older than ORPHAN_UPLOAD_GRACE_MS —
//   unfinished multipart uploads and stored objects that no row refers to (e.g. what an API process killed
//   mid-upload left: its transaction never committed). Both go through the pending-deletions record.
import type { S3Client } from '@aws-sdk/client-s3';
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import type { Config } from '../../../../shared/src/config/index.js';
import type { Logger } from '../../../../shared/src/logger/index.js';
import { flushDeletions, scheduleDeletions } from '../../../../shared/src/db/deletions.repository.js';
import { abortMultipartUploadsUnder, listPrefix } from '../../../../shared/src/storage/index.js';

export const UNCONFIRMED_UPLOAD_TTL_MS = 24 * 3600 * 1000;
const ROOT = 'tenants/';

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

async function sweepOrphans(deps: Deps): Promise<{ aborted: number; orphans: number }> {
  const { prisma, s3, config, logger } = deps;
  const cutoff = new Date(Date.now() - config.ORPHAN_UPLOAD_GRACE_MS);
  const aborted = await abortMultipartUploadsUnder({ client: s3, bucket: config.S3_BUCKET, prefix: ROOT, olderThan: cutoff });
  let orphans = 0;
  let batch: string[] = [];
  const flush = async () => {
    const gone = await unreferenced(prisma, batch);
    batch = [];
    if (!gone.length) return;
    // A row may be committed between the listing and here only for an upload younger than the grace period.
    await prisma.$transaction((tx) => scheduleDeletions(tx, gone));
    orphans += gone.length;
  };
  for await (const o of listPrefix({ client: s3, bucket: config.S3_BUCKET, prefix: ROOT })) {
    if (o.lastModified && o.lastModified > cutoff) continue;
    batch.push(o.key);
    if (batch.length >= 500) await flush();
  }
  if (batch.length) await flush();
  if (aborted || orphans) logger.info({ aborted, orphans }, 'swept abandoned uploads');
  return { aborted, orphans };
}

export function maintenanceSweep(deps: Deps) {
  return async (payload: { task: 'pending-deletions' | 'orphan-uploads' }) => {
    let swept = {};
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
    const deleted = await flushDeletions(deps.prisma, deps.s3, deps.config.S3_BUCKET, deps.logger);
    return { deleted, ...swept };
  };
}
