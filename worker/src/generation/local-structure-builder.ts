// The deterministic, offline structure generator (the default): modules → lessons → concepts → exercises built
// from the materials themselves — headings and slide titles, salient terms by TF-IDF over the course's chunks,
// definitions quoted from the chunks, timecodes from transcripts, slide references. It is a heuristic and says
// so: its service call is `{provider: "local", model_id: "heuristic-v1", cost_usd: 0}`. Same input, same output.
import {
  CourseStructure,
  LIMITS,
  structureStats,
  type Lesson,
  type Module,
} from '../../../shared/src/generation/course-structure.js';
import type { GenerationNode, NodeSummary } from '../../../shared/src/generation/generation-input.js';
import { walkNodes } from '../../../shared/src/generation/generation-input.js';
import type { ServiceCall } from '../../../shared/src/generation/service-call.js';
import { describeIssues } from '../../../shared/src/validation/describe-issues.js';
import { ProviderError } from '../../../shared/src/providers/http/provider-error.js';
import { CourseCorpus } from './course-corpus.js';
import { exercisesFor } from './exercise-templates.js';
import { buildLesson } from './lesson-builder.js';
import { collectRefs, planModules, type ModulePlan } from './lesson-plans.js';
import { clip, wordCount } from './text-analysis.js';

export const LOCAL_MODEL_ID = 'heuristic-v1';
export const STRUCTURE_PROMPT_REF = 'structure.v1';

export interface LocalBuildInput {
  node: GenerationNode;
  /** Summaries of already generated child nodes (used for children whose chunks are not in `node`). */
  childSummaries?: readonly NodeSummary[];
  mode?: 'guided' | 'free';
}

export interface LocalBuilderOptions {
  maxConceptsPerLesson?: number;
  maxExercisesPerLesson?: number;
  maxLessonsPerModule?: number;
  /** Minimum TF-IDF cosine for a slide or transcript chunk to join a text lesson. Default 0.1. */
  mediaSimilarity?: number;
  /** Sections with fewer words join a neighbour. Default 12. */
  minLessonWords?: number;
  /** Prompt reference recorded for the local builder (it follows the same brief). */
  promptRef?: string;
}

export interface StructureResult {
  structure: CourseStructure;
  serviceCall: ServiceCall;
}

export function buildLocalStructure(input: LocalBuildInput, options: LocalBuilderOptions = {}): StructureResult {
  const opts = {
    maxConcepts: Math.min(options.maxConceptsPerLesson ?? 6, LIMITS.conceptsPerLesson),
    maxExercises: Math.min(options.maxExercisesPerLesson ?? 6, LIMITS.exercisesPerLesson),
    maxLessonsPerModule: Math.min(options.maxLessonsPerModule ?? 15, LIMITS.lessonsPerModule),
  };
  const { node } = input;
  const refs = collectRefs(node);
  const summaries = new Map((input.childSummaries ?? []).map((s) => [s.node_id, s]));
  const corpus = new CourseCorpus(refs);
  const plans = planModules(node, refs, corpus, summaries, {
    mode: input.mode ?? 'guided',
    maxLessonsPerModule: opts.maxLessonsPerModule,
    mediaSimilarity: options.mediaSimilarity ?? 0.1,
    minLessonWords: options.minLessonWords ?? 12,
  });
  if (plans.length === 0) {
    throw new ProviderError(`local: node "${clip(node.title, 80)}" has no material text to build a structure from`, {
      provider: 'local',
      code: 'invalid_input',
      permanent: true,
    });
  }
  const filenames = new Map<string, string | null>();
  for (const n of walkNodes(node)) for (const m of n.materials) filenames.set(m.id, m.filename);

  const used = new Map<string, number>();
  const modules = plans.slice(0, LIMITS.modules).map((plan): Module => {
    const lessons = plan.summary ? lessonsFromSummary(plan.summary, filenames, opts) : plan.lessons.map((l) => buildLesson(l, corpus, filenames, { ...opts, used }));
    return {
      title: clip(plan.title, LIMITS.title),
      summary: moduleSummary(plan, lessons),
      ...(plan.sourceNodeId ? { source_node_id: plan.sourceNodeId } : {}),
      lessons: lessons.slice(0, LIMITS.lessonsPerModule),
    };
  });
  const draft = { course: { title: clip(node.title, LIMITS.title), summary: courseSummary(node, modules), modules } };
  const parsed = CourseStructure.safeParse(draft);
  if (!parsed.success) {
    throw new ProviderError(`local: the heuristic structure is invalid:\n${describeIssues(parsed.error.issues)}`, { provider: 'local', code: 'invalid_response', permanent: true });
  }
  return {
    structure: parsed.data,
    serviceCall: {
      provider: 'local',
      model_id: LOCAL_MODEL_ID,
      prompt_ref: options.promptRef ?? STRUCTURE_PROMPT_REF,
      unit_in: corpus.words,
      unit_out: wordCount(JSON.stringify(parsed.data)),
      cost_usd: 0,
    },
  };
}

/** A child generated earlier whose chunks are not part of this input: its lessons come from its summary. */
export function lessonsFromSummary(summary: NodeSummary, filenames: ReadonlyMap<string, string | null>, opts: { maxConcepts: number; maxExercises: number }): Lesson[] {
  const lessons = summary.modules.flatMap((m) => m.lessons);
  if (lessons.length === 0) return [{ title: clip(summary.title || 'Overview', LIMITS.title), summary: clip(summary.summary, LIMITS.summary), source_node_id: summary.node_id, concepts: [], exercises: [] }];
  return lessons.map((l) => {
    const concepts = l.concepts
      .filter((c) => c.name.trim() && c.definition.trim())
      .slice(0, opts.maxConcepts)
      .map((c) => ({ name: clip(c.name, LIMITS.name), definition: clip(c.definition, LIMITS.definition), source_refs: [] }));
    const title = clip(l.title || summary.title, LIMITS.title);
    return { title, summary: clip(l.summary, LIMITS.summary), source_node_id: summary.node_id, concepts, exercises: exercisesFor(concepts, title, filenames, opts.maxExercises) };
  });
}

function moduleSummary(plan: ModulePlan, lessons: readonly Lesson[]): string {
  const titles = lessons.map((l) => l.title);
  const list = titles.length === 1 ? `One lesson: ${titles[0]}.` : `${titles.length} lessons: ${titles.join('; ')}.`;
  const lead = plan.description?.trim() || plan.summary?.summary.trim() || '';
  return clip([lead, list].filter(Boolean).join(' '), LIMITS.summary);
}

function courseSummary(node: GenerationNode, modules: readonly Module[]): string {
  const stats = structureStats({ course: { title: '', summary: '', modules: [...modules] } });
  const parts = [
    node.description?.trim(),
    node.learning_goal?.trim() ? `Learning goal: ${node.learning_goal.trim()}` : undefined,
    `${stats.modules} module${stats.modules === 1 ? '' : 's'} and ${stats.lessons} lesson${stats.lessons === 1 ? '' : 's'}: ${modules.map((m) => m.title).join('; ')}.`,
  ];
  return clip(parts.filter(Boolean).join(' '), LIMITS.summary);
}
