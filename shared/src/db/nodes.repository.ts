// Course-tree queries shared by the API and the worker. Tenant first; the tenant filter is part of every step
// of the recursive walks, so a foreign id yields nothing.
import type { Prisma, PrismaClient } from './client.js';

type Db = PrismaClient | Prisma.TransactionClient;

/**
 * How deep a course tree may go (the root is level 0). Create and move refuse anything deeper, and every
 * recursive walk stops here, so no walk is unbounded even if the data were damaged.
 */
export const MAX_TREE_DEPTH = 32;

/**
 * Ids of the node and all its descendants (empty when the node is not the tenant's), the node first. The walk is
 * bounded twice over: by depth, and by Postgres' CYCLE clause, which stops at an id already on the path — so a
 * loop in the data (which moveNode's lock prevents, but a restore or hand edit could make) is cut, not followed.
 */
export async function subtreeIds(db: Db, tenantId: string, nodeId: string): Promise<string[]> {
  return (await subtreeLevels(db, tenantId, nodeId)).map((r) => r.id);
}

/** The subtree's ids with each one's depth below the node (the node at 0). */
export async function subtreeLevels(db: Db, tenantId: string, nodeId: string): Promise<{ id: string; depth: number }[]> {
  return db.$queryRaw<{ id: string; depth: number }[]>`
    WITH RECURSIVE sub(id, depth) AS (
      SELECT id, 0 FROM materialnodes WHERE id = ${nodeId}::uuid AND tenant_id = ${tenantId}::uuid
      UNION ALL
      SELECT n.id, sub.depth + 1 FROM materialnodes n JOIN sub ON n.parent_materialnode_id = sub.id
      WHERE n.tenant_id = ${tenantId}::uuid AND sub.depth < ${MAX_TREE_DEPTH}
    ) CYCLE id SET is_cycle USING visited
    SELECT id::text AS id, depth FROM sub WHERE NOT is_cycle ORDER BY depth`;
}

/** Ids from the node up to its root, the node first (empty when not the tenant's); bounded like subtreeIds. */
export async function ancestorIds(db: Db, tenantId: string, nodeId: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH RECURSIVE up AS (
      SELECT id, parent_materialnode_id, 0 AS depth FROM materialnodes
      WHERE id = ${nodeId}::uuid AND tenant_id = ${tenantId}::uuid
      UNION ALL
      SELECT n.id, n.parent_materialnode_id, up.depth + 1 FROM materialnodes n JOIN up ON n.id = up.parent_materialnode_id
      WHERE n.tenant_id = ${tenantId}::uuid AND up.depth < ${MAX_TREE_DEPTH}
    ) CYCLE id SET is_cycle USING visited
    SELECT id::text AS id FROM up WHERE NOT is_cycle ORDER BY depth`;
  return rows.map((r) => r.id);
}

/**
 * Serialises every change of a tenant's tree shape (moves) within a transaction. A cycle check reads the tree and
 * the update then changes it; two moves checked side by side (X under Y, Y under X) would each pass and together
 * make a loop. Under this lock the second move's check sees the first one committed.
 */
export async function lockTreeShape(tx: Prisma.TransactionClient, tenantId: string, mode: 'move' | 'add'): Promise<void> {
  const key = `${tenantId}:tree-shape`;
  // Adding a child only needs the depth of its parent to hold still: adds share the lock, a move excludes them.
  if (mode === 'move') await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
  else await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(hashtextextended(${key}, 0))`;
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
