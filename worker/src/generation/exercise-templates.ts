// Exercise templates of the local builder: per concept, in turn, explain (easy) → apply (medium) → compare with
// a neighbouring concept (hard). Each prompt points to where the materials cover the concept.
import type { Concept, Exercise, SourceRef } from '../../../shared/src/generation/course-structure.js';
import { LIMITS } from '../../../shared/src/generation/course-structure.js';
import { clip } from './text-analysis.js';

export type ExerciseKind = 'explain' | 'apply' | 'compare';
export const EXERCISE_CYCLE: readonly ExerciseKind[] = ['explain', 'apply', 'compare'];

/** "mm:ss" or "h:mm:ss". */
export function formatSeconds(total: number): string {
  const s = Math.max(0, Math.floor(total));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Where a source ref points, for a reader: "lists.md, page 3", "slides.pptx, slide 4", "lecture.mp4 at 2:15". */
export function describeRef(ref: SourceRef | undefined, filenames: ReadonlyMap<string, string | null>): string | null {
  if (!ref) return null;
  const name = filenames.get(ref.material_id) ?? 'the materials';
  if (ref.slide !== undefined) return `${name}, slide ${ref.slide}`;
  if (ref.page !== undefined) return `${name}, page ${ref.page}`;
  if (ref.start_seconds !== undefined) return `${name} at ${formatSeconds(ref.start_seconds)}`;
  return name;
}

export function makeExercise(kind: ExerciseKind, concept: Concept, other: Concept | undefined, lessonTitle: string, where: string | null): Exercise {
  const see = where ? ` (see ${where})` : '';
  const lesson = `“${clip(lessonTitle, 120)}”`;
  let e: Exercise;
  if (kind === 'compare' && other) {
    e = {
      title: `Compare: ${concept.name} and ${other.name}`,
      prompt:
        `Compare “${concept.name}” and “${other.name}” as presented in ${lesson}${see}. What do they have in common, how do they ` +
        'differ, and in which situation would you choose one over the other? Support your answer with an example.',
      difficulty: 'hard',
      concept_names: [concept.name, other.name],
    };
  } else if (kind === 'apply' || kind === 'compare') {
    e = {
      title: `Apply: ${concept.name}`,
      prompt:
        `Describe a concrete situation that calls for “${concept.name}” and show, step by step, how you would apply it. ` +
        `Relate your answer to what ${lesson} covers${see}.`,
      difficulty: 'medium',
      concept_names: [concept.name],
    };
  } else {
    e = {
      title: `Explain: ${concept.name}`,
      prompt: `In your own words, explain “${concept.name}” and why it matters in ${lesson}${see}. Give one example of your own.`,
      difficulty: 'easy',
      concept_names: [concept.name],
    };
  }
  return { ...e, title: clip(e.title, LIMITS.title), prompt: clip(e.prompt, LIMITS.prompt) };
}

/** One exercise per concept, cycling through the templates; compare pairs a concept with the one before it. */
export function exercisesFor(concepts: readonly Concept[], lessonTitle: string, filenames: ReadonlyMap<string, string | null>, max: number): Exercise[] {
  const out: Exercise[] = [];
  concepts.forEach((c, i) => {
    if (out.length >= max) return;
    const kind = EXERCISE_CYCLE[i % EXERCISE_CYCLE.length]!;
    const other = i > 0 ? concepts[i - 1] : concepts[i + 1];
    out.push(makeExercise(kind, c, other, lessonTitle, describeRef(c.source_refs[0], filenames)));
  });
  return out;
}
