// generate / reconcile / refine handlers. Jobs run in dependency order (children before parents for
// generate, parents before children for reconcile). The same (node, fingerprint, mode, step, provider, model,
// prompt version) reuses its snapshot with no model call; refine always runs (a client asked for it).
import { UnrecoverableError } from 'bullmq';
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import type { LlmProvider } from '../../../../shared/src/providers/llm/index.js';
import { ProviderError } from '../../../../shared/src/providers/http/provider-error.js';
import type { CourseStructure } from '../../../../shared/src/generation/course-structure.js';
import type { NodeSummary, StructureContext } from '../../../../shared/src/generation/generation-input.js';
import {
  computeFingerprint,
  findReusable,
  latestSnapshot,
  loadGenerationNode,
  saveSnapshot,
  type Mode,
} from '../../../../shared/src/db/structure.repository.js';
import { generateStructure, producerOf, reconcileNodeStructure, refineNodeStructure, summarizeNode } from '../../generation/index.js';
import { skipped, waiting, type JobContext } from '../../registry.js';

type Payload = { tenantId: string; nodeId: string; mode: Mode };
type GeneratePayload = Payload & { awaiting: string[] };

export interface StepDeps {
  prisma: PrismaClient;
  llm: LlmProvider;
  contextTokens: number;
}

const permanent = (err: unknown): never => {
  if (err instanceof ProviderError && err.permanent) throw new UnrecoverableError(err.message);
  throw err;
};

async function childSummaries(prisma: PrismaClient, tenantId: string, nodeId: string): Promise<NodeSummary[]> {
  const children = await prisma.materialNode.findMany({ where: { tenantId, parentId: nodeId }, orderBy: [{ order: 'asc' }, { createdAt: 'asc' }] });
  const out: NodeSummary[] = [];
  for (const c of children) {
    const snap = await latestSnapshot(prisma, tenantId, c.id);
    if (snap) out.push(summarizeNode(c, snap.structure as CourseStructure));
  }
  return out;
}

async function context(prisma: PrismaClient, tenantId: string, nodeId: string): Promise<StructureContext> {
  const node = await prisma.materialNode.findFirstOrThrow({ where: { id: nodeId, tenantId } });
  const summaryOf = async (n: { id: string; title: string }) => {
    const snap = await latestSnapshot(prisma, tenantId, n.id);
    return snap ? summarizeNode(n, snap.structure as CourseStructure) : null;
  };
  const parent = node.parentId ? await prisma.materialNode.findFirst({ where: { id: node.parentId, tenantId } }) : null;
  const siblings = node.parentId
    ? await prisma.materialNode.findMany({ where: { tenantId, parentId: node.parentId, NOT: { id: nodeId } }, orderBy: { order: 'asc' } })
    : [];
  return {
    node: { id: node.id, title: node.title, description: node.description, learning_goal: node.learningGoal },
    parent: parent ? await summaryOf(parent) : null,
    siblings: (await Promise.all(siblings.map(summaryOf))).filter((s): s is NodeSummary => !!s),
    children: await childSummaries(prisma, tenantId, nodeId),
  };
}

/** Waits between looks at the materials: a quarter of the time waited so far, within these bounds. */
const WAIT_MIN_MS = 1000;
const WAIT_MAX_MS = 30_000;

/**
 * Materials of the node that are not ready yet (being ingested or embedded: raw or pending) → wait, however long
 * that takes; a material the plan waited for that ended in error → fail with its reason. Null once all are ready.
 */
async function materialsNotReady(prisma: PrismaClient, p: GeneratePayload, ctx: JobContext) {
  const open = await prisma.material.findMany({
    where: { tenantId: p.tenantId, nodeId: p.nodeId, OR: [{ state: { in: ['raw', 'pending'] } }, { id: { in: p.awaiting }, state: 'error' }] },
    select: { id: true, filename: true, sourceUrl: true, state: true, errorMessage: true },
    orderBy: { id: 'asc' },
  });
  const failed = open.find((m) => m.state === 'error');
  if (failed) {
    throw new UnrecoverableError(
      `Material ${failed.id} (${failed.filename ?? failed.sourceUrl ?? 'unnamed'}) failed: ${failed.errorMessage ?? 'unknown error'}`,
    );
  }
  if (!open.length) return null;
  const waited = Date.now() - ctx.job.timestamp;
  const delay = Math.min(WAIT_MAX_MS, Math.max(WAIT_MIN_MS, Math.round(waited / 4)));
  return waiting(`Waiting for ${open.length} material(s) of this node to be ready (ingested and embedded)`, delay);
}

export function generateNode(deps: StepDeps) {
  return async (p: GeneratePayload, ctx: JobContext) => {
    const { prisma } = deps;
    const notReady = await materialsNotReady(prisma, p, ctx);
    if (notReady) return notReady;
    const node = await loadGenerationNode(prisma, p.tenantId, p.nodeId);
    if (!node) throw new UnrecoverableError('Node no longer exists');
    const fingerprint = await computeFingerprint(prisma, p.tenantId, p.nodeId);
    await prisma.materialNode.update({ where: { id: p.nodeId }, data: { nodeFingerprint: fingerprint } });
    const reusable = await findReusable(prisma, p.tenantId, p.nodeId, fingerprint, p.mode, 'generate', producerOf(deps, 'generate'));
    if (reusable) return { reused: reusable.id };
    const summaries = await childSummaries(prisma, p.tenantId, p.nodeId);
    if (!node.materials.length && !summaries.length) return skipped('no materials in this node or its children');
    const result = await generateStructure(
      { llm: deps.llm, ctx: { tenantId: p.tenantId, jobId: ctx.jobId }, budget: { maxContextTokens: deps.contextTokens } },
      { node, childSummaries: summaries, mode: p.mode },
    ).catch(permanent);
    const snap = await saveSnapshot(prisma, { ...p, step: 'generate', fingerprint, structure: result.structure, serviceCall: result.serviceCall, jobId: ctx.jobId });
    return { snapshot: snap.id };
  };
}

export function reconcileNode(deps: StepDeps) {
  return async (p: Payload, ctx: JobContext) => {
    const { prisma } = deps;
    const current = await latestSnapshot(prisma, p.tenantId, p.nodeId);
    if (!current) return skipped('nothing generated for this node');
    const fingerprint = current.nodeFingerprint;
    const reusable = await findReusable(prisma, p.tenantId, p.nodeId, fingerprint, p.mode, 'reconcile', producerOf(deps, 'reconcile'));
    if (reusable && reusable.createdAt >= current.createdAt) return { reused: reusable.id };
    const node = await loadGenerationNode(prisma, p.tenantId, p.nodeId);
    const result = await reconcileNodeStructure(
      { llm: deps.llm, ctx: { tenantId: p.tenantId, jobId: ctx.jobId }, budget: { maxContextTokens: deps.contextTokens } },
      current.structure as CourseStructure,
      await context(prisma, p.tenantId, p.nodeId),
      node ?? undefined,
    ).catch(permanent);
    const snap = await saveSnapshot(prisma, { ...p, step: 'reconcile', fingerprint, structure: result.structure, serviceCall: result.serviceCall, jobId: ctx.jobId });
    return { snapshot: snap.id };
  };
}

export function refineNode(deps: StepDeps) {
  return async (p: Payload, ctx: JobContext) => {
    const { prisma } = deps;
    const current = await latestSnapshot(prisma, p.tenantId, p.nodeId);
    if (!current) throw new UnrecoverableError('Nothing to refine: generate the structure first');
    const node = await loadGenerationNode(prisma, p.tenantId, p.nodeId);
    const result = await refineNodeStructure(
      { llm: deps.llm, ctx: { tenantId: p.tenantId, jobId: ctx.jobId }, budget: { maxContextTokens: deps.contextTokens } },
      current.structure as CourseStructure,
      await context(prisma, p.tenantId, p.nodeId),
      node ?? undefined,
    ).catch(permanent);
    const snap = await saveSnapshot(prisma, { ...p, step: 'refine', fingerprint: current.nodeFingerprint, structure: result.structure, serviceCall: result.serviceCall, jobId: ctx.jobId });
    return { snapshot: snap.id };
  };
}
