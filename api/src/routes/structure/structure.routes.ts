// Structure generation routes (API.md "Structure generation").
import { z } from 'zod';
import '../../openapi.js';
import { defineRoute, type RouteDef } from '../../http/define-route.js';
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import type { StructureSnapshot } from '../../../../shared/src/db/generated/client.js';
import { notFound } from '../../../../shared/src/errors/index.js';
import { structureTree, type CourseStructure } from '../../../../shared/src/generation/course-structure.js';
import { NodeIdParams, ListQuery } from '../nodes/nodes.schemas.js';
import { getNode } from '../nodes/nodes.service.js';
import { planGeneration, planRefinement } from './structure.service.js';
import type { JobTarget } from '../../../../shared/src/jobs/producer.js';

const tags = ['structure'];
const ModeBody = z.object({ mode: z.enum(['free', 'guided']) }).strict().openapi('GenerationRequest');
const PlanSchema = z
  .object({
    generation_jobs: z.array(z.uuid()),
    reconciliation_jobs: z.array(z.uuid()),
    ingestion_jobs: z.array(z.uuid()),
    estimated_llm_calls: z.number().int(),
    mapping_warnings: z.array(z.string()),
  })
  .openapi('GenerationPlan');
const ServiceCall = z.object({
  provider: z.string(),
  model_id: z.string(),
  prompt_ref: z.string().nullable(),
  unit_in: z.number(),
  unit_out: z.number(),
  cost_usd: z.number(),
});
const SnapshotSchema = z
  .object({
    id: z.uuid(),
    materialnode_id: z.uuid(),
    mode: z.enum(['free', 'guided']),
    node_fingerprint: z.string(),
    created_at: z.string(),
    service_call: ServiceCall,
    step_type: z.string(),
  })
  .openapi('Snapshot');
const SnapshotFull = SnapshotSchema.extend({ structure: z.record(z.string(), z.unknown()), structure_tree: z.array(z.unknown()) }).openapi('SnapshotWithStructure');
const SnapshotParams = z.object({ id: z.uuid(), sid: z.uuid() });

export function presentSnapshot(s: StructureSnapshot, full = false) {
  const call = s.serviceCall as Record<string, unknown>;
  const base = {
    id: s.id,
    materialnode_id: s.nodeId,
    mode: s.mode,
    node_fingerprint: s.nodeFingerprint,
    created_at: s.createdAt.toISOString(),
    step_type: s.stepType,
    service_call: {
      provider: String(call.provider ?? ''),
      model_id: String(call.model_id ?? ''),
      prompt_ref: (call.prompt_ref as string | undefined) ?? null,
      unit_in: Number(call.unit_in ?? 0),
      unit_out: Number(call.unit_out ?? 0),
      cost_usd: Number(call.cost_usd ?? 0),
    },
  };
  return full ? { ...base, structure: s.structure, structure_tree: structureTree(s.structure as CourseStructure) } : base;
}

export function structureRoutes(deps: { prisma: PrismaClient; jobs: JobTarget }): RouteDef[] {
  const { prisma } = deps;
  return [
    defineRoute({
      method: 'post',
      path: '/nodes/:id/generate',
      scope: 'prep',
      summary: "Generate the course structure of a node's subtree (bottom-up, then reconciled top-down)",
      tags,
      params: NodeIdParams,
      body: ModeBody,
      responses: { 202: { description: 'Accepted: the jobs that will run', schema: PlanSchema } },
      errors: [404, 409, 422],
      handler: async ({ res, auth, params, body }) => {
        res.status(202).json(await planGeneration(prisma, deps.jobs, auth.tenantId, params.id, body.mode));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/nodes/:id/refine',
      scope: 'prep',
      summary: "Refine a node's latest structure, then reconcile up to the course",
      tags,
      params: NodeIdParams,
      body: ModeBody,
      responses: { 202: { description: 'Accepted: the jobs that will run', schema: PlanSchema } },
      errors: [404, 409, 422],
      handler: async ({ res, auth, params, body }) => {
        res.status(202).json(await planRefinement(prisma, deps.jobs, auth.tenantId, params.id, body.mode));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/nodes/:id/structure',
      scope: 'prep_or_check',
      summary: 'The latest structure snapshot of a node',
      tags,
      params: NodeIdParams,
      responses: { 200: { description: 'Snapshot with structure', schema: SnapshotFull } },
      errors: [404, 422],
      handler: async ({ res, auth, params }) => {
        await getNode(prisma, auth.tenantId, params.id);
        const snap = await prisma.structureSnapshot.findFirst({
          where: { tenantId: auth.tenantId, nodeId: params.id },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        });
        if (!snap) throw notFound('No structure generated for this node yet');
        res.json(presentSnapshot(snap, true));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/nodes/:id/structure/history',
      scope: 'prep_or_check',
      summary: "A node's snapshots, newest first",
      tags,
      params: NodeIdParams,
      query: ListQuery,
      responses: { 200: { description: 'Snapshots', schema: z.object({ items: z.array(SnapshotSchema), total: z.number(), limit: z.number(), offset: z.number() }) } },
      errors: [404, 422],
      handler: async ({ res, auth, params, query }) => {
        await getNode(prisma, auth.tenantId, params.id);
        const where = { tenantId: auth.tenantId, nodeId: params.id };
        const [items, total] = await Promise.all([
          prisma.structureSnapshot.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: query.limit, skip: query.offset }),
          prisma.structureSnapshot.count({ where }),
        ]);
        res.json({ items: items.map((s) => presentSnapshot(s)), total, limit: query.limit, offset: query.offset });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/nodes/:id/structure/snapshots/:sid',
      scope: 'prep_or_check',
      summary: 'One snapshot of a node (with structure)',
      tags,
      params: SnapshotParams,
      responses: { 200: { description: 'Snapshot with structure', schema: SnapshotFull } },
      errors: [404, 422],
      handler: async ({ res, auth, params }) => {
        const snap = await prisma.structureSnapshot.findFirst({ where: { id: params.sid, nodeId: params.id, tenantId: auth.tenantId } });
        if (!snap) throw notFound('Snapshot not found');
        res.json(presentSnapshot(snap, true));
      },
    }),
  ];
}
