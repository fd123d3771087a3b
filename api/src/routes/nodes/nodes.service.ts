// Course tree operations. Tenant first everywhere; another tenant's node is "not found".
import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import type { PrismaClient, Prisma } from '../../../../shared/src/db/client.js';
import type { MaterialNode } from '../../../../shared/src/db/generated/client.js';
import { newId } from '../../../../shared/src/db/ids.js';
import { AppError, notFound } from '../../../../shared/src/errors/index.js';
import type { Logger } from '../../../../shared/src/logger/index.js';
import {
  ancestorIds,
  lockSiblings,
  lockTreeShape,
  MAX_TREE_DEPTH,
  renumberSiblings,
  subtreeIds,
  subtreeLevels,
} from '../../../../shared/src/db/nodes.repository.js';
import { flushDeletions, scheduleDeletions } from '../../../../shared/src/db/deletions.repository.js';
import { cancelSubjectJobs } from '../../../../shared/src/jobs/job-status.js';

export interface NodeServiceDeps {
  prisma: PrismaClient;
  s3: S3Client;
  bucket: string;
  logger: Logger;
}

export interface NodeInput {
  title: string;
  description?: string | null;
  learning_goal?: string | null;
  expected_knowledge?: string[] | null;
  expected_skills?: string[] | null;
}

const NODE_NOT_FOUND = 'Node not found';

export async function getNode(db: PrismaClient | Prisma.TransactionClient, tenantId: string, id: string) {
  const node = await db.materialNode.findFirst({ where: { id, tenantId } });
  if (!node) throw notFound(NODE_NOT_FOUND);
  return node;
}

export async function createNode(deps: NodeServiceDeps, tenantId: string, parentId: string | null, input: NodeInput) {
  return deps.prisma.$transaction(async (tx) => {
    if (parentId) {
      await getNode(tx, tenantId, parentId);
      await lockTreeShape(tx, tenantId, 'add');
      const parentDepth = (await ancestorIds(tx, tenantId, parentId)).length - 1;
      if (parentDepth + 1 > MAX_TREE_DEPTH) throw tooDeep(['path', 'id']);
    }
    await lockSiblings(tx, tenantId, parentId);
    const last = await tx.materialNode.aggregate({ where: { tenantId, parentId }, _max: { order: true } });
    return tx.materialNode.create({
      data: {
        id: newId(),
        tenantId,
        parentId,
        title: input.title,
        description: input.description ?? null,
        learningGoal: input.learning_goal ?? null,
        expectedKnowledge: input.expected_knowledge ?? [],
        expectedSkills: input.expected_skills ?? [],
        order: (last._max.order ?? -1) + 1,
      },
    });
  });
}

/**
 * One page of courses and their total in one round trip: the count is the outer row, the page a LATERAL join, so
 * an offset past the end still answers the total (one row of NULLs). Hand-written SQL: findMany + count were two
 * statements per request on a polled list route.
 */
const LIST_ROOTS_SQL = `
  SELECT t.total, n.id, n.tenant_id AS "tenantId", n.parent_materialnode_id AS "parentId", n.title, n.description,
    n.learning_goal AS "learningGoal", n.expected_knowledge AS "expectedKnowledge",
    n.expected_skills AS "expectedSkills", n."order", n.node_fingerprint AS "nodeFingerprint",
    n.created_at AS "createdAt", n.updated_at AS "updatedAt"
  FROM (SELECT count(*)::int AS total FROM materialnodes WHERE tenant_id = $1::uuid AND parent_materialnode_id IS NULL) t
  LEFT JOIN LATERAL (
    SELECT * FROM materialnodes WHERE tenant_id = $1::uuid AND parent_materialnode_id IS NULL
    ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3) n ON true`;

/**
 * A page of courses and their total in one round trip (a LEFT JOIN LATERAL, so an empty page still brings the
 * total). Hand-written SQL sent straight to the pg pool Prisma runs on: a polled list, and Prisma's raw-query
 * path cost about as much CPU again as the query itself.
 */
export async function listRoots(sql: pg.Pool, tenantId: string, limit: number, offset: number) {
  const { rows } = await sql.query<Omit<MaterialNode, 'id'> & { id: string | null; total: number }>(LIST_ROOTS_SQL, [tenantId, limit, offset]);
  const total = rows[0]?.total ?? 0;
  const items = rows.flatMap(({ total: _total, ...n }) => (n.id === null ? [] : [n as MaterialNode]));
  return { items, total };
}

/** The node and its whole subtree as flat rows. */
export async function getSubtree(deps: NodeServiceDeps, tenantId: string, id: string) {
  const ids = await subtreeIds(deps.prisma, tenantId, id);
  if (ids.length === 0) throw notFound(NODE_NOT_FOUND);
  const nodes = await deps.prisma.materialNode.findMany({ where: { tenantId, id: { in: ids } } });
  return { ids, nodes };
}

export async function updateNode(deps: NodeServiceDeps, tenantId: string, id: string, patch: Partial<NodeInput>) {
  const data: Prisma.MaterialNodeUpdateManyMutationInput = {};
  if (patch.title !== undefined) data.title = patch.title;
  if (patch.description !== undefined) data.description = patch.description;
  if (patch.learning_goal !== undefined) data.learningGoal = patch.learning_goal;
  if (patch.expected_knowledge !== undefined) data.expectedKnowledge = patch.expected_knowledge ?? [];
  if (patch.expected_skills !== undefined) data.expectedSkills = patch.expected_skills ?? [];
  const { count } = await deps.prisma.materialNode.updateMany({ where: { id, tenantId }, data });
  if (count === 0) throw notFound(NODE_NOT_FOUND);
  return getNode(deps.prisma, tenantId, id);
}

export async function moveNode(deps: NodeServiceDeps, tenantId: string, id: string, newParentId: string | null) {
  return deps.prisma.$transaction(async (tx) => {
    const node = await getNode(tx, tenantId, id);
    if (newParentId) {
      await getNode(tx, tenantId, newParentId);
      if (newParentId === id) throw invalidMove('A node cannot be its own parent');
      // Checked under the tenant's tree-shape lock, so a concurrent move cannot slip a loop past the check.
      await lockTreeShape(tx, tenantId, 'move');
      const subtree = await subtreeLevels(tx, tenantId, id);
      if (subtree.some((r) => r.id === newParentId)) throw invalidMove('A node cannot be moved into its own subtree');
      const parentDepth = (await ancestorIds(tx, tenantId, newParentId)).length - 1;
      const height = Math.max(...subtree.map((r) => r.depth));
      if (parentDepth + 1 + height > MAX_TREE_DEPTH) throw tooDeep(['body', 'parent_materialnode_id']);
    }
    if (node.parentId === newParentId) return node;
    await lockSiblings(tx, tenantId, node.parentId);
    await lockSiblings(tx, tenantId, newParentId);
    const last = await tx.materialNode.aggregate({ where: { tenantId, parentId: newParentId }, _max: { order: true } });
    const moved = await tx.materialNode.update({
      where: { id },
      data: { parentId: newParentId, order: (last._max.order ?? -1) + 1 },
    });
    await renumberSiblings(tx, tenantId, node.parentId);
    return moved;
  });
}

const invalidMove = (msg: string) =>
  new AppError('validation_error', [{ loc: ['body', 'parent_materialnode_id'], msg, type: 'value_error' }]);
const tooDeep = (loc: string[]) =>
  new AppError('validation_error', [{ loc, msg: `A course tree may be at most ${MAX_TREE_DEPTH} levels deep below its root`, type: 'value_error' }]);

export async function reorderNode(deps: NodeServiceDeps, tenantId: string, id: string, order: number) {
  return deps.prisma.$transaction(async (tx) => {
    const node = await getNode(tx, tenantId, id);
    await lockSiblings(tx, tenantId, node.parentId);
    const siblings = await tx.materialNode.findMany({
      where: { tenantId, parentId: node.parentId },
      orderBy: [{ order: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true },
    });
    const rest = siblings.map((s) => s.id).filter((s) => s !== id);
    const target = Math.min(order, rest.length); // clamped
    rest.splice(target, 0, id);
    for (let i = 0; i < rest.length; i++) {
      await tx.materialNode.updateMany({ where: { id: rest[i] as string, tenantId, NOT: { order: i } }, data: { order: i } });
    }
    return getNode(tx, tenantId, id);
  });
}

/** Deletes the subtree with its materials and chunks; their S3 objects go after the commit. */
export async function deleteNode(deps: NodeServiceDeps, tenantId: string, id: string) {
  const keys = await deps.prisma.$transaction(async (tx) => {
    const node = await getNode(tx, tenantId, id);
    const ids = await subtreeIds(tx, tenantId, id);
    const materials = await tx.material.findMany({
      where: { tenantId, nodeId: { in: ids } },
      select: { id: true, s3Key: true },
    });
    await cancelSubjectJobs(tx, tenantId, materials.map((m) => m.id), 'Node deleted');
    const objectKeys = materials.flatMap((m) => (m.s3Key ? [m.s3Key] : []));
    await scheduleDeletions(tx, objectKeys);
    await cancelSubjectJobs(tx, tenantId, ids, 'Node deleted'); // generation jobs of these nodes
    await tx.materialNode.delete({ where: { id } }); // children, materials, chunks, snapshots, mappings cascade
    await lockSiblings(tx, tenantId, node.parentId);
    await renumberSiblings(tx, tenantId, node.parentId);
    return objectKeys;
  });
  if (keys.length) await flushDeletions(deps.prisma, deps.s3, deps.bucket, deps.logger, keys);
}
