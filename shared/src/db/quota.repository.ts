// The tenant quota under concurrency (issue 13 item 5): bytes are reserved before they are stored, atomically.
// The measure is the stored materials' and homework files' bytes (a homework file deleted through the storage
// routes no longer counts) plus the bytes that live upload intents reserve (reserved_until in the future). A
// reservation is checked and written while holding a per-tenant transaction advisory lock, so two parallel
// uploads cannot both pass on the same remaining space; on completion the intent row is deleted in the
// transaction that writes the material (its real size then counts instead); on failure or abort it is deleted;
// after a crash it stops counting at reserved_until (and the intent is swept with the other stale ones). A
// homework file (small, and possibly a duplicate known only once hashed) reserves nothing: its size is checked
// under the same lock in the transaction that writes its submission.
import type { Prisma, PrismaClient } from './client.js';
import { AppError } from '../errors/index.js';

type Tx = Prisma.TransactionClient;

/** The refusal (413) of an upload that does not fit the tenant's quota. */
export const quotaExceeded = () => new AppError('quota_exceeded', 'Storage quota exceeded: this upload would exceed the tenant quota');

/** Serialises quota decisions of one tenant until the end of the transaction. */
export async function lockTenantQuota(tx: Tx, tenantId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`quota:${tenantId}`}, 0))`;
}

/** Materials' and homework files' bytes plus live reservations of a tenant (optionally leaving out one intent's
 * own reservation). */
export async function tenantQuotaUsage(db: Tx | PrismaClient, tenantId: string, exceptKey?: string): Promise<number> {
  const [row] = await db.$queryRaw<{ bytes: bigint }[]>`
    SELECT (SELECT coalesce(sum(size_bytes), 0) FROM material_entries WHERE tenant_id = ${tenantId}::uuid)
         + (SELECT coalesce(sum(size_bytes), 0) FROM homework_submissions WHERE tenant_id = ${tenantId}::uuid AND file_deleted_at IS NULL)
         + (SELECT coalesce(sum(reserved_bytes), 0) FROM upload_intents
            WHERE tenant_id = ${tenantId}::uuid AND reserved_until > now() AND key <> ${exceptKey ?? ''}) AS bytes`;
  return Number(row?.bytes ?? 0n);
}

export interface Reservation {
  tenantId: string;
  nodeId: string;
  key: string;
  bytes: number;
  /** How long the reservation counts at most (renewReservation extends it). */
  ttlMs: number;
  sizeBound: boolean;
  quotaBytes: number;
}

/** Writes the upload intent with its reservation when it fits the quota; false (nothing written) when not. */
export async function reserveUpload(prisma: PrismaClient, r: Reservation): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    if (r.bytes > 0) {
      await lockTenantQuota(tx, r.tenantId);
      if ((await tenantQuotaUsage(tx, r.tenantId)) + r.bytes > r.quotaBytes) return false;
    }
    await tx.uploadIntent.create({
      data: {
        key: r.key,
        tenantId: r.tenantId,
        nodeId: r.nodeId,
        reservedBytes: BigInt(r.bytes),
        reservedUntil: new Date(Date.now() + r.ttlMs),
        sizeBound: r.sizeBound,
      },
    });
    return true;
  });
}

export async function renewReservation(prisma: PrismaClient, key: string, ttlMs: number): Promise<void> {
  await prisma.uploadIntent.updateMany({ where: { key }, data: { reservedUntil: new Date(Date.now() + ttlMs) } });
}

/** The upload failed or was refused: its intent and reservation go. */
export async function releaseUpload(prisma: PrismaClient | Tx, key: string): Promise<void> {
  await prisma.uploadIntent.deleteMany({ where: { key } });
}
