// Local (deterministic) reconcile and refine steps: each takes a valid structure and returns a new valid one.
//   reconcile: children's modules in tree order (missing ones rebuilt from the children's summaries), concepts
//              deduplicated course-wide by normalised name (references merged), names aligned with the parent's
//              and siblings' spelling, empty summaries filled.
//   refine:    concepts re-ranked within each lesson (evidence first), an exercise added for every concept that
//              has none, empty summaries filled.
import { CourseStructure, LIMITS, normalizeName, type Concept, type Lesson, type Module, type SourceRef } from '../../../shared/src/generation/course-structure.js';
import type { NodeSummary, StructureContext } from '../../../shared/src/generation/generation-input.js';
import { describeIssues } from '../../../shared/src/validation/describe-issues.js';
import { ProviderError } from '../../../shared/src/providers/http/provider-error.js';
import { describeRef, EXERCISE_CYCLE, makeExercise } from './exercise-templates.js';
import { lessonsFromSummary } from './local-structure-builder.js';
import { clip } from './text-analysis.js';

export interface RevisionOptions {
  /** material id → filename, for "see lists.md, page 3" in added exercises. */
  filenames?: ReadonlyMap<string, string | null>;
}

const clone = <T>(v: T): T => structuredClone(v);

function validated(draft: CourseStructure, step: string): CourseStructure {
  const parsed = CourseStructure.safeParse(draft);
  if (!parsed.success) {
    throw new ProviderError(`local: ${step} produced an invalid structure:\n${describeIssues(parsed.error.issues)}`, { provider: 'local', code: 'invalid_response', permanent: true });
  }
  return parsed.data;
}

/** Fills empty lesson, module and course summaries from what they contain. */
export function fillSummaries(s: CourseStructure): void {
  for (const m of s.course.modules) {
    for (const l of m.lessons) {
      if (l.summary.trim()) continue;
      const names = l.concepts.slice(0, 5).map((c) => c.name);
      l.summary = clip(names.length > 0 ? `${l.title}. Key concepts: ${names.join(', ')}.` : `${l.title}.`, LIMITS.summary);
    }
    if (!m.summary.trim()) {
      const titles = m.lessons.map((l) => l.title);
      m.summary = clip(titles.length === 1 ? `One lesson: ${titles[0]}.` : `${titles.length} lessons: ${titles.join('; ')}.`, LIMITS.summary);
    }
  }
  if (!s.course.summary.trim()) {
    s.course.summary = clip(`${s.course.modules.length} modules: ${s.course.modules.map((m) => m.title).join('; ')}.`, LIMITS.summary);
  }
}

function mergeRefs(a: readonly SourceRef[], b: readonly SourceRef[]): SourceRef[] {
  const seen = new Set(a.map((r) => r.chunk_id));
  return [...a, ...b.filter((r) => !seen.has(r.chunk_id) && (seen.add(r.chunk_id), true))].slice(0, LIMITS.sourceRefsPerConcept);
}

export function reconcileStructure(structure: CourseStructure, ctx: StructureContext, opts: RevisionOptions = {}): CourseStructure {
  const s = clone(structure);
  const children = ctx.children ?? [];
  const childIds = new Set(children.map((c) => c.node_id));
  const own = s.course.modules.filter((m) => !m.source_node_id || !childIds.has(m.source_node_id));
  const ordered: Module[] = [];
  for (const child of children) {
    const existing = s.course.modules.filter((m) => m.source_node_id === child.node_id);
    if (existing.length > 0) {
      for (const m of existing) if (!m.summary.trim()) m.summary = clip(child.summary, LIMITS.summary);
      ordered.push(...existing);
    } else {
      ordered.push(moduleFromSummary(child, opts));
    }
  }
  const ownFirst = own.filter((m) => !m.source_node_id);
  const unknown = own.filter((m) => m.source_node_id);
  s.course.modules = [...ownFirst, ...ordered, ...unknown].slice(0, LIMITS.modules);

  // Spelling used elsewhere in the course wins (parent first, then siblings in tree order).
  const spelling = new Map<string, string>();
  for (const summary of [ctx.parent, ...(ctx.siblings ?? [])]) {
    for (const m of summary?.modules ?? []) for (const l of m.lessons) for (const c of l.concepts) if (!spelling.has(normalizeName(c.name))) spelling.set(normalizeName(c.name), c.name);
  }
  const first = new Map<string, Concept>();
  for (const m of s.course.modules) {
    for (const l of m.lessons) {
      const kept: Concept[] = [];
      for (const c of l.concepts) {
        const key = normalizeName(c.name);
        const seen = first.get(key);
        if (seen) {
          seen.source_refs = mergeRefs(seen.source_refs, c.source_refs);
          continue;
        }
        const aligned = spelling.get(key);
        if (aligned) c.name = clip(aligned, LIMITS.name);
        first.set(key, c);
        kept.push(c);
      }
      l.concepts = kept;
      for (const e of l.exercises) e.concept_names = e.concept_names.map((n) => first.get(normalizeName(n))?.name ?? n);
    }
  }
  fillSummaries(s);
  return validated(s, 'reconcile');
}

function moduleFromSummary(summary: NodeSummary, opts: RevisionOptions): Module {
  const lessons = lessonsFromSummary(summary, opts.filenames ?? new Map(), { maxConcepts: 8, maxExercises: 8 });
  return { title: clip(summary.title || 'Module', LIMITS.title), summary: clip(summary.summary, LIMITS.summary), source_node_id: summary.node_id, lessons };
}

function conceptScore(c: Concept, lesson: Lesson): number {
  const key = normalizeName(c.name);
  const practised = lesson.exercises.filter((e) => e.concept_names.some((n) => normalizeName(n) === key)).length;
  const sized = c.definition.length >= 40 && c.definition.length <= 300 ? 1 : 0;
  const mentions = normalizeName(c.definition).includes(key) ? 1 : 0;
  return 2 * c.source_refs.length + practised + sized + mentions;
}

export function refineStructure(structure: CourseStructure, _ctx: StructureContext | null = null, opts: RevisionOptions = {}): CourseStructure {
  const s = clone(structure);
  const filenames = opts.filenames ?? new Map<string, string | null>();
  const practised = new Set<string>();
  for (const m of s.course.modules) for (const l of m.lessons) for (const e of l.exercises) for (const n of e.concept_names) practised.add(normalizeName(n));
  for (const m of s.course.modules) {
    for (const l of m.lessons) {
      l.concepts = l.concepts
        .map((c, i) => ({ c, i, score: conceptScore(c, l) }))
        .sort((a, b) => b.score - a.score || a.i - b.i)
        .map((x) => x.c);
      let k = l.exercises.length;
      for (const c of l.concepts) {
        if (practised.has(normalizeName(c.name)) || l.exercises.length >= LIMITS.exercisesPerLesson) continue;
        const kind = EXERCISE_CYCLE[k++ % 2]!; // explain / apply: a single missing concept has no partner to compare
        l.exercises.push(makeExercise(kind, c, undefined, l.title, describeRef(c.source_refs[0], filenames)));
        practised.add(normalizeName(c.name));
      }
    }
  }
  fillSummaries(s);
  return validated(s, 'refine');
}
