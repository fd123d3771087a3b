// What a generator is given: a course-tree node with its materials' chunks (built by the worker from DB rows),
// its children as nested nodes, and optionally summaries of already generated nodes (children for a parent's
// generate, parent and siblings for reconcile/refine). Plain JSON so it can be logged by size, cached, hashed.
import { z } from 'zod';

export type ChunkKind = 'heading' | 'paragraph' | 'slide_text' | 'slide_notes' | 'transcript' | 'web_content';
export type MaterialSourceType = 'video' | 'presentation' | 'text' | 'web';

/** Chunk metadata as ingestion stores it (worker/src/ingestion/chunker.ts). Unknown keys are ignored. */
export interface GenerationChunkMetadata {
  page?: number;
  slide?: number;
  start_seconds?: number;
  end_seconds?: number;
  heading_path?: string[];
  /** A code block (verbatim lines): never a source of concept names or definitions. */
  code?: boolean;
  language?: string;
}

export interface GenerationChunk {
  id: string;
  kind: ChunkKind | string;
  text: string;
  metadata: GenerationChunkMetadata;
}

export interface GenerationMaterial {
  id: string;
  filename: string | null;
  source_type: MaterialSourceType | string;
  /** In document order (chunk ordinal). */
  chunks: GenerationChunk[];
}

export interface GenerationNode {
  id: string;
  title: string;
  description?: string | null;
  learning_goal?: string | null;
  /** In tree order. */
  children: GenerationNode[];
  /** In material order. */
  materials: GenerationMaterial[];
}

/**
 * A short, bounded description of a node's generated structure: what a parent (generate/reconcile) or a sibling
 * (reconcile/refine) gets instead of the whole structure.
 */
export const NodeSummarySchema = z.object({
  node_id: z.string().min(1),
  title: z.string(),
  summary: z.string(),
  modules: z
    .array(
      z.object({
        title: z.string(),
        summary: z.string(),
        lessons: z.array(
          z.object({
            title: z.string(),
            summary: z.string(),
            concepts: z.array(z.object({ name: z.string(), definition: z.string() })),
          }),
        ),
      }),
    )
    .default([]),
  counts: z.object({ modules: z.number().int(), lessons: z.number().int(), concepts: z.number().int(), exercises: z.number().int() }),
});
export type NodeSummary = z.infer<typeof NodeSummarySchema>;

/** Context of a reconcile or refine step (issue 5 §3): the neighbours' summaries, in tree order. */
export interface StructureContext {
  node: Pick<GenerationNode, 'id' | 'title' | 'description' | 'learning_goal'>;
  parent?: NodeSummary | null;
  siblings?: NodeSummary[];
  /** Summaries of the node's children, in tree order. */
  children?: NodeSummary[];
}

/** Iterates a node and its descendants depth-first in tree order. */
export function* walkNodes(node: GenerationNode): Generator<GenerationNode> {
  yield node;
  for (const child of node.children) yield* walkNodes(child);
}

/** All materials of a node's subtree, in tree order. */
export function subtreeMaterials(node: GenerationNode): GenerationMaterial[] {
  const out: GenerationMaterial[] = [];
  for (const n of walkNodes(node)) out.push(...n.materials);
  return out;
}
