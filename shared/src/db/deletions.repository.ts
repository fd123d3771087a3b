// S3 objects whose rows are gone. Keys are recorded in the same transaction that deletes the rows, removed from
// S3 right after the commit, and the record dropped only once S3 confirmed; a maintenance sweep retries what a
// failed delete left behind, so nothing is silently dropped.
import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Prisma, PrismaClient } from './client.js';
import type { Logger } from '../logger/index.js';

export async function scheduleDeletions(tx: Prisma.TransactionClient, keys: string[]): Promise<void> {
  const unique = [...new Set(keys.filter(Boolean))];
  if (unique.length) await tx.pendingDeletion.createMany({ data: unique.map((key) => ({ key })) });
}

/** Deletes the given keys (or, without keys, the oldest recorded ones) and clears their records. */
export async function flushDeletions(
  prisma: PrismaClient,
  s3: S3Client,
  bucket: string,
  logger: Logger,
  keys?: string[],
): Promise<number> {
  const rows = await prisma.pendingDeletion.findMany({
    where: keys ? { key: { in: keys } } : {},
    orderBy: { id: 'asc' },
    take: keys ? undefined : 1000,
  });
  let deleted = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const batch = rows.slice(i, i + 1000);
    try {
      const out = await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: batch.map((r) => ({ Key: r.key })), Quiet: true },
        }),
      );
      const failed = new Set((out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey').map((e) => e.Key));
      const ok = batch.filter((r) => !failed.has(r.key));
      await prisma.pendingDeletion.deleteMany({ where: { id: { in: ok.map((r) => r.id) } } });
      deleted += ok.length;
      if (failed.size) {
        await prisma.pendingDeletion.updateMany({
          where: { id: { in: batch.filter((r) => failed.has(r.key)).map((r) => r.id) } },
          data: { attempts: { increment: 1 }, lastError: 'S3 refused the delete' },
        });
      }
    } catch (err) {
      logger.warn({ err, count: batch.length }, 'S3 delete failed; a sweep will retry');
      await prisma.pendingDeletion.updateMany({
        where: { id: { in: batch.map((r) => r.id) } },
        data: { attempts: { increment: 1 }, lastError: (err as Error).message.slice(0, 500) },
      });
    }
  }
  return deleted;
}
