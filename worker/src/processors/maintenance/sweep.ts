// maintenance.sweep: S3 deletions a failed delete left behind, and presigned uploads never confirmed (24 h).
import type { S3Client } from '@aws-sdk/client-s3';
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import type { Config } from '../../../../shared/src/config/index.js';
import type { Logger } from '../../../../shared/src/logger/index.js';
import { flushDeletions, scheduleDeletions } from '../../../../shared/src/db/deletions.repository.js';

export const UNCONFIRMED_UPLOAD_TTL_MS = 24 * 3600 * 1000;

export function maintenanceSweep(deps: { prisma: PrismaClient; s3: S3Client; config: Config; logger: Logger }) {
  return async (payload: { task: 'pending-deletions' | 'orphan-uploads' }) => {
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
    }
    const deleted = await flushDeletions(deps.prisma, deps.s3, deps.config.S3_BUCKET, deps.logger);
    return { deleted };
  };
}
