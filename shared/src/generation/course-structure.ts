// The CourseStructure contract (API.md "Structure generation"): what every generator — the local heuristic
// builder or an LLM — must produce, what a snapshot stores as `structure`, and what `structure_tree` is derived
// from. One zod schema validates generator output (the LLM repair loop feeds its errors back), and its JSON
// Schema export is what an OpenAI-compatible endpoint is asked to follow.
import { z } from 'zod';

export const LIMITS = {
  title: 300,
  summary: 2000,
  name: 200,
  definition: 2000,
  prompt: 2000,
  label: 300,
  modules: 50,
  lessonsPerModule: 50,
  conceptsPerLesson: 40,
  exercisesPerLesson: 30,
  sourceRefsPerConcept: 10,
  conceptNamesPerExercise: 5,
  timecodesPerLesson: 200,
  slideRefsPerLesson: 500,
} as const;

const title = z.string().trim().min(1).max(LIMITS.title);
/** May be empty: reconcile fills empty summaries. */
const summary = z.string().max(LIMITS.summary);
const seconds = z.number().nonnegative().max(1e7);
const id = z.string().min(1).max(100);

export const SourceRef = z.object({
  material_id: id,
  chunk_id: id,
  page: z.number().int().min(1).optional(),
  slide: z.number().int().min(1).optional(),
  start_seconds: seconds.optional(),
  end_seconds: seconds.optional(),
});
export type SourceRef = z.infer<typeof SourceRef>;

export const Concept = z.object({
  name: z.string().trim().min(1).max(LIMITS.name),
  definition: z.string().trim().min(1).max(LIMITS.definition),
  source_refs: z.array(SourceRef).max(LIMITS.sourceRefsPerConcept),
});
export type Concept = z.infer<typeof Concept>;

export const Difficulty = z.enum(['easy', 'medium', 'hard']);
export type Difficulty = z.infer<typeof Difficulty>;

export const Exercise = z.object({
  title,
  prompt: z.string().trim().min(1).max(LIMITS.prompt),
  difficulty: Difficulty,
  /** Names of concepts of this course that the exercise practises (matched case- and space-insensitively). */
  concept_names: z.array(z.string().trim().min(1).max(LIMITS.name)).max(LIMITS.conceptNamesPerExercise),
});
export type Exercise = z.infer<typeof Exercise>;

export const Timecode = z.object({ start_seconds: seconds, end_seconds: seconds, label: z.string().trim().min(1).max(LIMITS.label) });
export type Timecode = z.infer<typeof Timecode>;

export const SlideRef = z.object({ material_id: id, slide: z.number().int().min(1) });
export type SlideRef = z.infer<typeof SlideRef>;

export const Lesson = z.object({
  title,
  summary,
  /** The course-tree node this lesson was built from, when it maps to one. */
  source_node_id: id.optional(),
  concepts: z.array(Concept).max(LIMITS.conceptsPerLesson),
  exercises: z.array(Exercise).max(LIMITS.exercisesPerLesson),
  timecodes: z.array(Timecode).max(LIMITS.timecodesPerLesson).optional(),
  slide_refs: z.array(SlideRef).max(LIMITS.slideRefsPerLesson).optional(),
});
export type Lesson = z.infer<typeof Lesson>;

export const Module = z.object({
  title,
  summary,
  /** The course-tree node this module was built from, when it maps to one. */
  source_node_id: id.optional(),
  lessons: z.array(Lesson).min(1).max(LIMITS.lessonsPerModule),
});
export type Module = z.infer<typeof Module>;

/** Lower-case, NFKC, collapsed whitespace: how concept names are compared (dedupe, exercise references). */
export function normalizeName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

const CourseShape = z.object({
  course: z.object({
    title,
    summary,
    modules: z.array(Module).min(1).max(LIMITS.modules),
  }),
});

/** The structure JSON. Cross-field rules (not expressible in JSON Schema) run after the shape checks. */
export const CourseStructure = CourseShape.superRefine((value, ctx) => {
  const names = new Set<string>();
  for (const m of value.course.modules) for (const l of m.lessons) for (const c of l.concepts) names.add(normalizeName(c.name));
  value.course.modules.forEach((m, mi) =>
    m.lessons.forEach((l, li) => {
      const at = ['course', 'modules', mi, 'lessons', li];
      l.exercises.forEach((e, ei) =>
        e.concept_names.forEach((n, ni) => {
          if (!names.has(normalizeName(n))) {
            ctx.addIssue({ code: 'custom', path: [...at, 'exercises', ei, 'concept_names', ni], message: `"${n}" is not the name of a concept in this course` });
          }
        }),
      );
      l.timecodes?.forEach((t, ti) => {
        if (t.end_seconds < t.start_seconds) ctx.addIssue({ code: 'custom', path: [...at, 'timecodes', ti, 'end_seconds'], message: 'end_seconds is before start_seconds' });
      });
      l.concepts.forEach((c, ci) =>
        c.source_refs.forEach((r, ri) => {
          if (r.start_seconds !== undefined && r.end_seconds !== undefined && r.end_seconds < r.start_seconds) {
            ctx.addIssue({ code: 'custom', path: [...at, 'concepts', ci, 'source_refs', ri, 'end_seconds'], message: 'end_seconds is before start_seconds' });
          }
        }),
      );
    }),
  );
});
export type CourseStructure = z.infer<typeof CourseStructure>;
/** Alias in the project's `xxxSchema` naming. */
export const courseStructureSchema = CourseStructure;

/** Name sent as `json_schema.name` in structured-output requests (a-z, 0-9, _ and -, ≤ 64). */
export const COURSE_STRUCTURE_SCHEMA_NAME = 'course_structure';

/**
 * Plain JSON Schema (draft 2020-12) of CourseStructure, e.g. for documentation. The OpenAI-compatible provider
 * derives its strict-mode variant from the zod schema itself (see providers/llm/strict-json-schema.ts).
 */
export function courseStructureJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(CourseShape) as Record<string, unknown>;
}

// ---- structure_tree ------------------------------------------------------------------------------------

export type StructureNodeType = 'module' | 'lesson' | 'concept' | 'exercise';

export interface StructureTreeNode {
  type: StructureNodeType;
  title: string;
  children: StructureTreeNode[];
}

export const StructureTreeNodeSchema: z.ZodType<StructureTreeNode> = z.object({
  type: z.enum(['module', 'lesson', 'concept', 'exercise']),
  title: z.string(),
  get children() {
    return z.array(StructureTreeNodeSchema);
  },
});

/** `structure_tree` of the API: module → lesson → concept | exercise, in structure order (concepts first). */
export function structureTree(structure: CourseStructure): StructureTreeNode[] {
  return structure.course.modules.map((m) => ({
    type: 'module',
    title: m.title,
    children: m.lessons.map((l) => ({
      type: 'lesson',
      title: l.title,
      children: [
        ...l.concepts.map((c): StructureTreeNode => ({ type: 'concept', title: c.name, children: [] })),
        ...l.exercises.map((e): StructureTreeNode => ({ type: 'exercise', title: e.title, children: [] })),
      ],
    })),
  }));
}

/** Counts for progress messages, logs and summaries. */
export function structureStats(structure: CourseStructure): { modules: number; lessons: number; concepts: number; exercises: number } {
  let lessons = 0;
  let concepts = 0;
  let exercises = 0;
  for (const m of structure.course.modules) {
    lessons += m.lessons.length;
    for (const l of m.lessons) {
      concepts += l.concepts.length;
      exercises += l.exercises.length;
    }
  }
  return { modules: structure.course.modules.length, lessons, concepts, exercises };
}
