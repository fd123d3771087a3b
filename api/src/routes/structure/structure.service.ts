// Planning structure generation: a bottom-up chain of generate jobs (each depends on its children's generation and
// waits itself until its node's materials are ready, i.e. ingested and embedded: worker/src/processors/generate)
// and a top-down chain of reconcile jobs from the requested node.
// Refinement: one refine job, then reconcile up to the root. Dependencies are job rows' depends_on; the
// outbox relay hands a job to BullMQ only when its dependencies are complete.
import type { PrismaClient, Prisma } from '../../../../shared/src/db/client.js';
import { conflict, invalid, notFound } from '../../../../shared/src/errors/index.js';
import { ancestorIds, subtreeIds } from '../../../../shared/src/db/nodes.repository.js';
import { enqueueMany, type JobRequest, type JobTarget } from '../../../../shared/src/jobs/producer.js';
import { newId } from '../../../../shared/src/db/ids.js';
import { jobs } from '../../../../shared/src/jobs/definitions.js';

type Mode = 'free' | 'guided';

export interface GenerationPlan {
  generation_jobs: string[];
  reconciliation_jobs: string[];
  ingestion_jobs: string[];
  estimated_llm_calls: number;
  mapping_warnings: string[];
}

const GENERATION_TYPES = ['generate', 'reconcile', 'refine'] as const;

/** 409 while a generation touching the node, an ancestor or a descendant is queued or active. */
async function assertNoOverlap(tx: Prisma.TransactionClient, tenantId: string, nodeIds: string[]) {
  const running = await tx.job.findFirst({
    where: { tenantId, jobType: { in: [...GENERATION_TYPES] }, status: { in: ['queued', 'active'] }, nodeId: { in: nodeIds } },
    select: { id: true },
  });
  if (running) throw conflict(`A generation overlapping this node is already queued or running (job ${running.id})`);
}

async function lockTenantGeneration(tx: Prisma.TransactionClient, tenantId: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`generation:${tenantId}`}, 0))`;
}

export async function planGeneration(prisma: PrismaClient, target: JobTarget, tenantId: string, nodeId: string, mode: Mode): Promise<GenerationPlan> {
  return prisma.$transaction(async (tx) => {
    await lockTenantGeneration(tx, tenantId);
    const ids = await subtreeIds(tx, tenantId, nodeId);
    if (!ids.length) throw notFound('Node not found');
    const ancestors = await ancestorIds(tx, tenantId, nodeId);
    await assertNoOverlap(tx, tenantId, [...new Set([...ids, ...ancestors])]);

    const nodes = await tx.materialNode.findMany({ where: { tenantId, id: { in: ids } }, orderBy: [{ order: 'asc' }, { createdAt: 'asc' }] });
    const materials = await tx.material.findMany({ where: { tenantId, nodeId: { in: ids } } });
    const usable = materials.filter((m) => m.state !== 'error');
    if (!usable.length) {
      throw invalid(['path', 'id'], 'The subtree has no materials to generate a structure from', 'no_materials');
    }
    const warnings = materials
      .filter((m) => m.state === 'error')
      .map((m) => `Material ${m.id} (${m.filename ?? m.sourceUrl ?? 'unnamed'}) is in error and is left out`);
    const pendingMappings = await tx.slideMapping.count({ where: { tenantId, nodeId: { in: ids }, status: 'pending_validation' } });
    if (pendingMappings) warnings.push(`${pendingMappings} slide mapping(s) wait for their materials and are not used yet`);

    const children = new Map<string | null, typeof nodes>();
    for (const n of nodes) children.set(n.parentId, [...(children.get(n.parentId) ?? []), n]);
    const hasMaterial = new Set(usable.map((m) => m.nodeId));
    const relevant = new Map<string, boolean>();
    const isRelevant = (id: string): boolean => {
      if (!relevant.has(id)) relevant.set(id, hasMaterial.has(id) || (children.get(id) ?? []).some((c) => isRelevant(c.id)));
      return relevant.get(id) as boolean;
    };

    // The whole plan is built with pre-allocated ids, then enqueued in one batch (two statements).
    const requests: JobRequest[] = [];
    const ingestion: string[] = [];
    const generateJob = new Map<string, string>();
    const generation: string[] = [];
    const plan = (id: string): void => {
      const kids = (children.get(id) ?? []).filter((c) => isRelevant(c.id));
      for (const k of kids) plan(k.id);
      const stale = usable.filter((m) => m.nodeId === id && m.state !== 'ready');
      ingestion.push(...stale.flatMap((m) => (m.jobId ? [m.jobId] : [])));
      const jobId = newId();
      requests.push({
        def: jobs.generateNode,
        payload: { tenantId, nodeId: id, mode, awaiting: stale.map((m) => m.id) },
        opts: { id: jobId, nodeId: id, subjectId: id, dependsOn: kids.map((k) => generateJob.get(k.id) as string) },
      });
      generateJob.set(id, jobId);
      generation.push(jobId);
    };
    plan(nodeId);

    const reconciliation: string[] = [];
    const reconcile = (id: string, after: string) => {
      const jobId = newId();
      requests.push({ def: jobs.reconcileNode, payload: { tenantId, nodeId: id, mode }, opts: { id: jobId, nodeId: id, subjectId: id, dependsOn: [after] } });
      reconciliation.push(jobId);
      for (const k of (children.get(id) ?? []).filter((c) => isRelevant(c.id))) reconcile(k.id, jobId);
    };
    reconcile(nodeId, generateJob.get(nodeId) as string);
    await enqueueMany(tx, target, tenantId, requests);

    return {
      generation_jobs: generation,
      reconciliation_jobs: reconciliation,
      ingestion_jobs: [...new Set(ingestion)],
      estimated_llm_calls: generation.length + reconciliation.length,
      mapping_warnings: warnings,
    };
  });
}

export async function planRefinement(prisma: PrismaClient, target: JobTarget, tenantId: string, nodeId: string, mode: Mode): Promise<GenerationPlan> {
  return prisma.$transaction(async (tx) => {
    await lockTenantGeneration(tx, tenantId);
    const ids = await subtreeIds(tx, tenantId, nodeId);
    if (!ids.length) throw notFound('Node not found');
    const ancestors = await ancestorIds(tx, tenantId, nodeId); // the node first, the root last
    await assertNoOverlap(tx, tenantId, [...new Set([...ids, ...ancestors])]);
    if (!(await tx.material.count({ where: { tenantId, nodeId: { in: ids }, state: { not: 'error' } } }))) {
      throw invalid(['path', 'id'], 'The subtree has no materials to refine a structure from', 'no_materials');
    }
    if (!(await tx.structureSnapshot.count({ where: { tenantId, nodeId } }))) {
      throw invalid(['path', 'id'], 'Nothing to refine yet: generate the structure first', 'no_structure');
    }
    const refine = { id: newId() };
    const requests: JobRequest[] = [{ def: jobs.refineNode, payload: { tenantId, nodeId, mode }, opts: { id: refine.id, nodeId, subjectId: nodeId } }];
    const reconciliation: string[] = [];
    let after = refine.id;
    for (const id of ancestors.slice(1)) {
      const jobId = newId();
      requests.push({ def: jobs.reconcileNode, payload: { tenantId, nodeId: id, mode }, opts: { id: jobId, nodeId: id, subjectId: id, dependsOn: [after] } });
      reconciliation.push(jobId);
      after = jobId;
    }
    await enqueueMany(tx, target, tenantId, requests);
    return {
      generation_jobs: [refine.id],
      reconciliation_jobs: reconciliation,
      ingestion_jobs: [],
      estimated_llm_calls: 1 + reconciliation.length,
      mapping_warnings: [],
    };
  });
}
