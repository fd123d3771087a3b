// Structure snapshots and the data generation reads: a node with its ready materials and chunks, its children,
// their latest snapshots, and the node fingerprint (materials' content hashes + children's fingerprints).
import { createHash } from 'node:crypto';
import type { Prisma, PrismaClient } from './client.js';
import { newId } from './ids.js';
import type { GenerationNode } from '../generation/generation-input.js';

type Db = PrismaClient | Prisma.TransactionClient;
export type StepType = 'generate' | 'reconcile' | 'refine';
export type Mode = 'free' | 'guided';

export async function latestSnapshot(db: Db, tenantId: string, nodeId: string, steps?: StepType[]) {
  return db.structureSnapshot.findFirst({
    where: { tenantId, nodeId, ...(steps ? { stepType: { in: steps } } : {}) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
}

/**
 * The latest snapshot with the same reuse key: node, fingerprint, mode, step, and what produced it (its
 * service_call's provider, model_id and prompt_ref), so a provider, model or prompt change makes a new snapshot.
 */
export async function findReusable(
  db: Db,
  tenantId: string,
  nodeId: string,
  fingerprint: string,
  mode: Mode,
  step: StepType,
  producer: { provider: string; model_id: string; prompt_ref: string },
) {
  return db.structureSnapshot.findFirst({
    where: {
      tenantId,
      nodeId,
      nodeFingerprint: fingerprint,
      mode,
      stepType: step,
      AND: [
        { serviceCall: { path: ['provider'], equals: producer.provider } },
        { serviceCall: { path: ['model_id'], equals: producer.model_id } },
        { serviceCall: { path: ['prompt_ref'], equals: producer.prompt_ref } },
      ],
    },
    orderBy: { createdAt: 'desc' },
  });
}

export async function saveSnapshot(
  db: Db,
  s: { tenantId: string; nodeId: string; mode: Mode; step: StepType; fingerprint: string; structure: unknown; serviceCall: unknown; jobId: string | null },
) {
  return db.structureSnapshot.create({
    data: {
      id: newId(),
      tenantId: s.tenantId,
      nodeId: s.nodeId,
      mode: s.mode,
      stepType: s.step,
      nodeFingerprint: s.fingerprint,
      structure: s.structure as Prisma.InputJsonValue,
      serviceCall: s.serviceCall as Prisma.InputJsonValue,
      jobId: s.jobId,
    },
  });
}

/** The node with its own ready materials (chunks in order) and its children (titles only, in order). */
export async function loadGenerationNode(db: Db, tenantId: string, nodeId: string): Promise<GenerationNode | null> {
  const node = await db.materialNode.findFirst({ where: { id: nodeId, tenantId } });
  if (!node) return null;
  const [children, materials] = await Promise.all([
    db.materialNode.findMany({ where: { tenantId, parentId: nodeId }, orderBy: [{ order: 'asc' }, { createdAt: 'asc' }] }),
    db.material.findMany({
      where: { tenantId, nodeId, state: 'ready' },
      orderBy: [{ order: 'asc' }, { createdAt: 'asc' }],
      include: { chunks: { orderBy: { ordinal: 'asc' }, select: { id: true, kind: true, text: true, metadata: true } } },
    }),
  ]);
  // Validated slide ↔ video mappings put the video's timecodes on the slide's chunks, so the structure can point
  // at the moment in the video where a slide is shown.
  const mappings = await db.slideMapping.findMany({
    where: { tenantId, status: 'validated', presentationMaterialId: { in: materials.map((m) => m.id) } },
    orderBy: { videoTimecodeStart: 'asc' },
  });
  const timecode = new Map(mappings.map((mp) => [`${mp.presentationMaterialId}:${mp.slideNumber}`, mp]));
  const withTimecode = (materialId: string, metadata: Record<string, unknown>) => {
    const mp = typeof metadata.slide === 'number' ? timecode.get(`${materialId}:${metadata.slide}`) : undefined;
    if (!mp || metadata.start_seconds !== undefined) return metadata;
    return {
      ...metadata,
      start_seconds: mp.videoTimecodeStart,
      ...(mp.videoTimecodeEnd !== null ? { end_seconds: mp.videoTimecodeEnd } : {}),
      video_material_id: mp.videoMaterialId,
    };
  };
  return {
    id: node.id,
    title: node.title,
    description: node.description,
    learning_goal: node.learningGoal,
    children: children.map((c) => ({ id: c.id, title: c.title, description: c.description, learning_goal: c.learningGoal, children: [], materials: [] })),
    materials: materials.map((m) => ({
      id: m.id,
      filename: m.filename,
      source_type: m.sourceType,
      chunks: m.chunks.map((c) => ({ id: c.id, kind: c.kind, text: c.text, metadata: withTimecode(m.id, (c.metadata ?? {}) as Record<string, unknown>) as Record<string, never> })),
    })),
  };
}

/** sha256 over the node's ready materials' content hashes and its children's fingerprints, in order. */
export async function computeFingerprint(db: Db, tenantId: string, nodeId: string): Promise<string> {
  const [materials, children] = await Promise.all([
    db.material.findMany({ where: { tenantId, nodeId, state: 'ready' }, orderBy: { id: 'asc' }, select: { id: true, sha256: true, chunkCount: true } }),
    db.materialNode.findMany({ where: { tenantId, parentId: nodeId }, orderBy: { id: 'asc' }, select: { id: true, nodeFingerprint: true, title: true } }),
  ]);
  const h = createHash('sha256');
  for (const m of materials) h.update(`m:${m.id}:${m.sha256 ?? ''}:${m.chunkCount}\n`);
  for (const c of children) h.update(`c:${c.id}:${c.nodeFingerprint ?? ''}:${c.title}\n`);
  return h.digest('hex');
}
