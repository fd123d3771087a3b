// What a review is grounded in besides the submission: the course chunks closest to it (vector search in the
// lesson's subtree, topped up from the whole course when the lesson has too few) and the lesson's key concepts
// from its latest generated structure (when there is one).
import { z } from 'zod';
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import { semanticSearch } from '../../../../shared/src/db/vector/vector.repository.js';
import type { ReviewConcept, ReviewReferenceInput } from '../../review/review-inputs.js';

export interface RetrievalOptions {
  /** Chunks retrieved. */
  k: number;
  /** Below this many lesson chunks, the course's chunks fill up to k. */
  minLessonHits: number;
  efSearch?: number;
}

export const DEFAULT_RETRIEVAL: RetrievalOptions = { k: 8, minLessonHits: 3 };

export async function retrieveReferences(
  prisma: PrismaClient,
  tenantId: string,
  target: { nodeId: string; courseNodeId: string },
  vector: number[],
  opts: RetrievalOptions = DEFAULT_RETRIEVAL,
): Promise<ReviewReferenceInput[]> {
  const search = (nodeId: string) => semanticSearch(prisma, tenantId, nodeId, vector, opts.k, { efSearch: opts.efSearch });
  let hits = await search(target.nodeId);
  if (hits.length < opts.minLessonHits && target.courseNodeId !== target.nodeId) {
    const seen = new Set(hits.map((h) => h.chunk_id));
    hits = [...hits, ...(await search(target.courseNodeId)).filter((h) => !seen.has(h.chunk_id))].slice(0, opts.k);
  }
  return hits.map((h) => ({ material_id: h.material_id, chunk_id: h.chunk_id, text: h.text, similarity: 1 - h.distance }));
}

// Only the parts of a CourseStructure (shared/src/generation/course-structure.ts) a review needs, read leniently
// so an older or newer structure version never fails a review.
const StoredStructure = z.object({
  course: z.object({
    modules: z.array(
      z.object({
        lessons: z.array(
          z.object({
            source_node_id: z.string().optional(),
            concepts: z.array(z.object({ name: z.string(), definition: z.string().nullish() })),
          }),
        ),
      }),
    ),
  }),
});

const lessonsOf = (structure: unknown) => {
  const parsed = StoredStructure.safeParse(structure);
  return parsed.success ? parsed.data.course.modules.flatMap((m) => m.lessons) : [];
};

const toConcepts = (lessons: ReturnType<typeof lessonsOf>): ReviewConcept[] =>
  lessons.flatMap((l) => l.concepts.map((c) => ({ name: c.name, definition: c.definition ?? null })));

/** The lesson's key concepts: its own latest structure, else the course's lessons built from this node. */
export async function lessonConcepts(
  prisma: PrismaClient,
  tenantId: string,
  target: { nodeId: string; courseNodeId: string },
): Promise<ReviewConcept[]> {
  const latest = (nodeId: string) =>
    prisma.structureSnapshot.findFirst({ where: { tenantId, nodeId }, orderBy: { createdAt: 'desc' }, select: { structure: true } });
  const own = await latest(target.nodeId);
  if (own) {
    const concepts = toConcepts(lessonsOf(own.structure));
    if (concepts.length) return concepts;
  }
  if (target.courseNodeId === target.nodeId) return [];
  const course = await latest(target.courseNodeId);
  return course ? toConcepts(lessonsOf(course.structure).filter((l) => l.source_node_id === target.nodeId)) : [];
}
