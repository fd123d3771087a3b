// Short, bounded summaries of a node's structure: what its parent gets when it is generated or reconciled, and
// what siblings see during reconcile/refine — instead of the whole structure JSON.
import { structureStats, type CourseStructure } from '../../../shared/src/generation/course-structure.js';
import type { NodeSummary } from '../../../shared/src/generation/generation-input.js';
import { clip, MAX_DEFINITION_CHARS } from './text-analysis.js';

export interface SummaryLimits {
  modules: number;
  lessonsPerModule: number;
  conceptsPerLesson: number;
  definitionChars: number;
}

const DEFAULT_LIMITS: SummaryLimits = { modules: 20, lessonsPerModule: 20, conceptsPerLesson: 8, definitionChars: MAX_DEFINITION_CHARS };

export function summarizeNode(node: { id: string; title: string }, structure: CourseStructure, limits: Partial<SummaryLimits> = {}): NodeSummary {
  const l = { ...DEFAULT_LIMITS, ...limits };
  return {
    node_id: node.id,
    title: node.title,
    summary: clip(structure.course.summary, 600),
    modules: structure.course.modules.slice(0, l.modules).map((m) => ({
      title: m.title,
      summary: clip(m.summary, 300),
      lessons: m.lessons.slice(0, l.lessonsPerModule).map((lesson) => ({
        title: lesson.title,
        summary: clip(lesson.summary, 300),
        concepts: lesson.concepts.slice(0, l.conceptsPerLesson).map((c) => ({ name: c.name, definition: clip(c.definition, l.definitionChars) })),
      })),
    })),
    counts: structureStats(structure),
  };
}

/** Markdown rendering of a summary for a prompt. */
export function renderSummary(s: NodeSummary, heading = '###'): string {
  const lines = [`${heading} ${s.title} (node ${s.node_id})`, s.summary];
  for (const m of s.modules) {
    lines.push(`- Module: ${m.title}${m.summary ? ` — ${m.summary}` : ''}`);
    for (const l of m.lessons) {
      lines.push(`  - Lesson: ${l.title}${l.summary ? ` — ${l.summary}` : ''}`);
      for (const c of l.concepts) lines.push(`    - ${c.name}: ${c.definition}`);
    }
  }
  lines.push(`(${s.counts.modules} modules, ${s.counts.lessons} lessons, ${s.counts.concepts} concepts, ${s.counts.exercises} exercises)`);
  return lines.filter(Boolean).join('\n');
}
