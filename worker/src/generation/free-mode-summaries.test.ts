// Issue 11 item 1: a course whose materials sit only in its lessons. The worker generates the lessons first, then
// the course node with its own (empty) materials and its children's summaries. Both modes must build from them.
import { describe, expect, it } from 'vitest';
import type { GenerationNode } from '../../../shared/src/generation/generation-input.js';
import { FUNCTIONS_MD, LISTS_MD, markdownMaterial } from './course-fixture.test-support.js';
import { buildLocalStructure } from './local-structure-builder.js';
import { summarizeNode } from './structure-summary.js';

const leaf = (id: string, title: string, md: string, file: string): GenerationNode => ({ id, title, children: [], materials: [markdownMaterial(`${id}-m`, file, md)] });
const bare = (id: string, title: string): GenerationNode => ({ id, title, children: [], materials: [] });

describe('course node whose materials are only in its children', () => {
  const lists = buildLocalStructure({ node: leaf('l1', 'Lists', LISTS_MD, 'lists.md'), mode: 'free' }).structure;
  const fns = buildLocalStructure({ node: leaf('l2', 'Functions', FUNCTIONS_MD, 'functions.md'), mode: 'free' }).structure;
  const course: GenerationNode = { id: 'course', title: 'Python', children: [bare('l1', 'Lists'), bare('l2', 'Functions')], materials: [] };
  const summaries = [summarizeNode({ id: 'l1', title: 'Lists' }, lists), summarizeNode({ id: 'l2', title: 'Functions' }, fns)];

  for (const mode of ['free', 'guided'] as const) {
    it(`${mode}: builds from the children's summaries`, () => {
      const { structure } = buildLocalStructure({ node: course, childSummaries: summaries, mode });
      expect(structure.course.modules.map((m) => m.source_node_id)).toEqual(['l1', 'l2']);
      const lessonTitles = structure.course.modules.flatMap((m) => m.lessons.map((l) => l.title));
      expect(lessonTitles).toEqual([...lists.course.modules, ...fns.course.modules].flatMap((m) => m.lessons.map((l) => l.title)));
    });
  }

  it('free: mixes own materials with summaries of children', () => {
    const mixed: GenerationNode = { ...course, materials: [markdownMaterial('own', 'lists.md', LISTS_MD)], children: [bare('l2', 'Functions')] };
    const { structure } = buildLocalStructure({ node: mixed, childSummaries: [summaries[1]!], mode: 'free' });
    expect(structure.course.modules.map((m) => m.source_node_id ?? null)).toEqual([null, 'l2']);
  });
});
