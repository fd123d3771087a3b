import { z } from 'zod';
import '../../openapi.js';

export const SearchBody = z
  .object({
    query: z.string().trim().min(1).max(2000),
    k: z.number().int().min(1).max(50).default(10),
    mode: z.enum(['semantic', 'hybrid']).default('hybrid'),
  })
  .strict()
  .openapi('SearchRequest');

export const SearchHitSchema = z
  .object({
    chunk_id: z.uuid(),
    material_id: z.uuid(),
    materialnode_id: z.uuid(),
    text: z.string(),
    score: z.number(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .openapi('SearchHit');

export const SearchResponse = z.object({ items: z.array(SearchHitSchema) }).openapi('SearchResults');
