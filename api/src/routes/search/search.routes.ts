import { defineRoute, type RouteDef } from '../../http/define-route.js';
import { NodeIdParams } from '../nodes/nodes.schemas.js';
import { SearchBody, SearchResponse } from './search.schemas.js';
import { searchNode, type SearchDeps } from './search.service.js';

export function searchRoutes(deps: SearchDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/nodes/:id/search',
      scope: 'prep_or_check',
      summary: "Search the materials of a node's subtree (semantic or hybrid)",
      tags: ['materials'],
      params: NodeIdParams,
      body: SearchBody,
      responses: { 200: { description: 'Best chunks first', schema: SearchResponse } },
      errors: [404, 422],
      handler: async ({ res, auth, params, body }) => {
        const hits = await searchNode(deps, auth.tenantId, params.id, body);
        res.json({
          items: hits.map((h) => ({
            chunk_id: h.chunk_id,
            material_id: h.material_id,
            materialnode_id: h.materialnode_id,
            text: h.text,
            score: h.score,
            metadata: { ...h.metadata, kind: h.kind },
          })),
        });
      },
    }),
  ];
}
