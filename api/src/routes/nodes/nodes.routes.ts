// Course tree routes (API.md "Course tree"). Thin: validate → service → presenter.
import type pg from 'pg';
import { z } from 'zod';
import { defineRoute, type RouteDef } from '../../http/define-route.js';
import {
  CreateNodeBody,
  ListQuery,
  MoveNodeBody,
  NodeDetailSchema,
  NodeIdParams,
  NodeSchema,
  NodeTreeSchema,
  ReorderNodeBody,
  UpdateNodeBody,
  listOf,
} from './nodes.schemas.js';
import { nest, presentNode } from './nodes.presenter.js';
import * as nodes from './nodes.service.js';
import type { NodeServiceDeps } from './nodes.service.js';
import { presentMaterial } from '../materials/materials.presenter.js';

const tags = ['nodes'];

export function nodeRoutes(deps: NodeServiceDeps & { sql: pg.Pool }): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/nodes',
      scope: 'prep',
      summary: 'Create a course (root node)',
      tags,
      body: CreateNodeBody,
      responses: { 201: { description: 'Created', schema: NodeSchema } },
      errors: [422],
      handler: async ({ res, auth, body }) => {
        res.status(201).json(presentNode(await nodes.createNode(deps, auth.tenantId, null, body)));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/nodes',
      scope: 'prep_or_check',
      summary: 'List courses (root nodes), newest first',
      tags,
      query: ListQuery,
      responses: { 200: { description: 'Courses', schema: listOf(NodeSchema, 'NodeList') } },
      errors: [422],
      handler: async ({ res, auth, query }) => {
        const { items, total } = await nodes.listRoots(deps.sql, auth.tenantId, query.limit, query.offset);
        res.json({ items: items.map(presentNode), total, limit: query.limit, offset: query.offset });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/nodes/:id/children',
      scope: 'prep',
      summary: 'Add a child node (appended last)',
      tags,
      params: NodeIdParams,
      body: CreateNodeBody,
      responses: { 201: { description: 'Created', schema: NodeSchema } },
      errors: [404, 422],
      handler: async ({ res, auth, params, body }) => {
        res.status(201).json(presentNode(await nodes.createNode(deps, auth.tenantId, params.id, body)));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/nodes/:id',
      scope: 'prep_or_check',
      summary: 'Get a node',
      tags,
      params: NodeIdParams,
      responses: { 200: { description: 'Node', schema: NodeSchema } },
      errors: [404, 422],
      handler: async ({ res, auth, params }) => {
        res.json(presentNode(await nodes.getNode(deps.prisma, auth.tenantId, params.id)));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/nodes/:id/tree',
      scope: 'prep_or_check',
      summary: 'The node with its whole subtree',
      tags,
      params: NodeIdParams,
      responses: { 200: { description: 'Tree (a one-element list)', schema: z.array(NodeTreeSchema) } },
      errors: [404, 422],
      handler: async ({ res, auth, params }) => {
        const { nodes: rows } = await nodes.getSubtree(deps, auth.tenantId, params.id);
        res.json([nest(params.id, rows, presentNode)]);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/nodes/:id/detail',
      scope: 'prep_or_check',
      summary: 'The subtree with each node\'s materials',
      tags,
      params: NodeIdParams,
      responses: {
        200: {
          description: 'Tree whose nodes carry "materials"',
          schema: z.array(NodeDetailSchema),
        },
      },
      errors: [404, 422],
      handler: async ({ res, auth, params }) => {
        const { ids, nodes: rows } = await nodes.getSubtree(deps, auth.tenantId, params.id);
        const materials = await deps.prisma.material.findMany({
          where: { tenantId: auth.tenantId, nodeId: { in: ids } },
          orderBy: [{ order: 'asc' }, { createdAt: 'asc' }],
        });
        const byNode = new Map<string, typeof materials>();
        for (const m of materials) byNode.set(m.nodeId, [...(byNode.get(m.nodeId) ?? []), m]);
        res.json([nest(params.id, rows, (n) => ({ ...presentNode(n), materials: (byNode.get(n.id) ?? []).map(presentMaterial) }))]);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/nodes/:id',
      scope: 'prep',
      summary: 'Update a node (null clears a nullable field)',
      tags,
      params: NodeIdParams,
      body: UpdateNodeBody,
      responses: { 200: { description: 'Updated', schema: NodeSchema } },
      errors: [404, 422],
      handler: async ({ res, auth, params, body }) => {
        res.json(presentNode(await nodes.updateNode(deps, auth.tenantId, params.id, body)));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/nodes/:id/move',
      scope: 'prep',
      summary: 'Move a node under another parent (null: make it a course)',
      tags,
      params: NodeIdParams,
      body: MoveNodeBody,
      responses: { 200: { description: 'Moved', schema: NodeSchema } },
      errors: [404, 422],
      handler: async ({ res, auth, params, body }) => {
        res.json(presentNode(await nodes.moveNode(deps, auth.tenantId, params.id, body.parent_materialnode_id)));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/nodes/:id/reorder',
      scope: 'prep',
      summary: 'Move a node to a position among its siblings (clamped; siblings renumbered 0..n-1)',
      tags,
      params: NodeIdParams,
      body: ReorderNodeBody,
      responses: { 200: { description: 'Reordered', schema: NodeSchema } },
      errors: [404, 422],
      handler: async ({ res, auth, params, body }) => {
        res.json(presentNode(await nodes.reorderNode(deps, auth.tenantId, params.id, body.order)));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/nodes/:id',
      scope: 'prep',
      summary: 'Delete a node with its subtree, materials, chunks and stored files',
      tags,
      params: NodeIdParams,
      responses: { 204: { description: 'Deleted' } },
      errors: [404, 422],
      handler: async ({ res, auth, params }) => {
        await nodes.deleteNode(deps, auth.tenantId, params.id);
        res.status(204).end();
      },
    }),
  ];
}
