import { z } from 'zod';
import '../../openapi.js';
import { MaterialSchema } from '../materials/materials.schemas.js';

export const NodeIdParams = z.object({ id: z.uuid() });

export const CreateNodeBody = z
  .object({
    title: z.string().trim().min(1).max(500),
    description: z.string().max(5000).nullish(),
    learning_goal: z.string().max(5000).nullish(),
    expected_knowledge: z.array(z.string().max(1000)).max(100).optional(),
    expected_skills: z.array(z.string().max(1000)).max(100).optional(),
  })
  .strict()
  .openapi('CreateNode');

export const UpdateNodeBody = z
  .object({
    title: z.string().trim().min(1).max(500).optional(),
    description: z.string().max(5000).nullable().optional(),
    learning_goal: z.string().max(5000).nullable().optional(),
    expected_knowledge: z.array(z.string().max(1000)).max(100).nullable().optional(),
    expected_skills: z.array(z.string().max(1000)).max(100).nullable().optional(),
  })
  .strict()
  .openapi('UpdateNode');

export const MoveNodeBody = z.object({ parent_materialnode_id: z.uuid().nullable() }).strict().openapi('MoveNode');
export const ReorderNodeBody = z.object({ order: z.number().int().min(0) }).strict().openapi('ReorderNode');

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
});

export const NodeSchema = z
  .object({
    id: z.uuid(),
    tenant_id: z.uuid(),
    parent_materialnode_id: z.uuid().nullable(),
    title: z.string(),
    description: z.string().nullable(),
    learning_goal: z.string().nullable(),
    expected_knowledge: z.array(z.string()),
    expected_skills: z.array(z.string()),
    order: z.number().int(),
    node_fingerprint: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Node');

export type NodeTreeShape = z.infer<typeof NodeSchema> & { children: NodeTreeShape[] };
export const NodeTreeSchema: z.ZodType<NodeTreeShape> = NodeSchema.extend({
  children: z.array(z.lazy(() => NodeTreeSchema)),
}).openapi('NodeTree');

/** GET /nodes/{id}/detail: every node of the tree, children included, carries its materials. */
export type NodeDetailShape = z.infer<typeof NodeSchema> & { materials: z.infer<typeof MaterialSchema>[]; children: NodeDetailShape[] };
export const NodeDetailSchema: z.ZodType<NodeDetailShape> = NodeSchema.extend({
  materials: z.array(MaterialSchema),
  children: z.array(z.lazy(() => NodeDetailSchema)),
}).openapi('NodeDetail');

export const listOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }).openapi(name);
