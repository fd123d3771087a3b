// Course-tree queries shared by the API and the worker. Tenant first; the tenant filter is part of every step
// of the recursive walks, so a foreign id yields nothing.
import type { Prisma, PrismaClient } from './client.js';

type Db = PrismaClient | Prisma.TransactionClient;

/** Ids of the node and all its descendants (empty when the node is not the tenant's). */
export async function subtreeIds(db: Db, tenantId: string, nodeId: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH RECURSIVE sub AS (
      SELECT id FROM materialnodes WHERE id = ${nodeId}::uuid AND tenant_id = ${tenantId}::uuid
      UNION ALL
      SELECT n.id FROM materialnodes n JOIN sub ON n.parent_materialnode_id = sub.id
      WHERE n.tenant_id = ${tenantId}::uuid
    )
    SELECT id::text AS id FROM sub`;
  return rows.map((r) => r.id);
}

/** Ids from the node up to its root, the node first (empty when not the tenant's). */
export async function ancestorIds(db: Db, tenantId: string, nodeId: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH RECURSIVE up AS (
      SELECT id, parent_materialnode_id, 0 AS depth FROM materialnodes
      WHERE id = ${nodeId}::uuid AND tenant_id = ${tenantId}::uuid
      UNION ALL
      SELECT n.id, n.parent_materialnode_id, up.depth + 1 FROM materialnodes n JOIN up ON n.id = up.parent_materialnode_id
      WHERE n.tenant_id = ${tenantId}::uuid
    )
    SELECT id::text AS id FROM up ORDER BY depth`;
  return rows.map((r) => r.id);
}

/** Serialises changes to one parent's child list (order numbers) within a transaction. */
export async function lockSiblings(tx: Prisma.TransactionClient, tenantId: string, parentId: string | null): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${tenantId}:${parentId ?? 'root'}`}, 0))`;
}

/** Renumbers a parent's children 0..n-1 in their current order. */
export async function renumberSiblings(tx: Prisma.TransactionClient, tenantId: string, parentId: string | null): Promise<void> {
  await tx.$executeRaw`
    UPDATE materialnodes m SET "order" = s.rn - 1, updated_at = now()
    FROM (
      SELECT id, row_number() OVER (ORDER BY "order", created_at, id) AS rn FROM materialnodes
      WHERE tenant_id = ${tenantId}::uuid AND parent_materialnode_id IS NOT DISTINCT FROM ${parentId}::uuid
    ) s
    WHERE m.id = s.id AND m."order" <> s.rn - 1`;
}
