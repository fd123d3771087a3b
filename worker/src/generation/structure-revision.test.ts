import { describe, expect, it } from 'vitest';
import { CourseStructure, normalizeName, type Module } from '../../../shared/src/generation/course-structure.js';
import type { GenerationNode } from '../../../shared/src/generation/generation-input.js';
import { DICTS_MD, FUNCTIONS_MD, LISTS_MD, markdownMaterial } from './course-fixture.test-support.js';
import { buildLocalStructure } from './local-structure-builder.js';
import { reconcileStructure, refineStructure } from './structure-revision.js';
import { renderSummary, summarizeNode } from './structure-summary.js';

const leaf = (id: string, title: string, md: string): GenerationNode => ({ id, title, children: [], materials: [markdownMaterial(`mat-${id}`, `${id}.md`, md)] });
const built = (node: GenerationNode) => buildLocalStructure({ node }).structure;
const allConcepts = (s: CourseStructure) => s.course.modules.flatMap((m) => m.lessons.flatMap((l) => l.concepts));

const lists = leaf('lists', 'Lists', LISTS_MD);
const dicts = leaf('dicts', 'Dictionaries', DICTS_MD);
const fns = leaf('fns', 'Functions', FUNCTIONS_MD);
const root: GenerationNode = { id: 'root', title: 'Python basics', children: [lists, dicts, fns], materials: [] };
const listsSummary = summarizeNode(lists, built(lists));
const dictsSummary = summarizeNode(dicts, built(dicts));
const fnsSummary = summarizeNode(fns, built(fns));

describe('summarizeNode', () => {
  it('keeps titles, lessons and a few concepts, bounded', () => {
    const s = summarizeNode(lists, built(lists), { conceptsPerLesson: 2, definitionChars: 40 });
    expect(s.node_id).toBe('lists');
    expect(s.modules[0]!.lessons.map((l) => l.title)).toEqual(built(lists).course.modules[0]!.lessons.map((l) => l.title));
    for (const l of s.modules[0]!.lessons) {
      expect(l.concepts.length).toBeLessThanOrEqual(2);
      for (const c of l.concepts) expect(c.definition.length).toBeLessThanOrEqual(40);
    }
    expect(s.counts.lessons).toBe(3);
    const text = renderSummary(s);
    expect(text).toContain('Lists (node lists)');
    expect(text).toContain(s.modules[0]!.lessons[0]!.title);
  });
});

describe('reconcileStructure', () => {
  it("orders the children's modules as the tree, rebuilds missing ones from summaries, dedupes concepts", () => {
    const whole = built(root);
    // Shuffle the modules, lose one, and duplicate a concept into another lesson under another spelling.
    const [l, d] = [whole.course.modules[0]!, whole.course.modules[1]!];
    const dup = { ...l.lessons[0]!.concepts[0]!, name: l.lessons[0]!.concepts[0]!.name.toUpperCase() };
    const messy: CourseStructure = structuredClone({ course: { ...whole.course, summary: '', modules: [{ ...d, summary: '' }, l] } });
    messy.course.modules[0]!.lessons[0]!.concepts.push({ ...dup, source_refs: d.lessons[0]!.concepts[0]!.source_refs });
    messy.course.modules[0]!.lessons[0]!.summary = '';

    const out = reconcileStructure(messy, { node: root, children: [listsSummary, dictsSummary, fnsSummary] });
    expect(CourseStructure.safeParse(out).success).toBe(true);
    expect(out.course.modules.map((m) => m.source_node_id)).toEqual(['lists', 'dicts', 'fns']);
    const fnModule = out.course.modules[2]!;
    expect(fnModule.lessons.map((x) => x.title)).toEqual(fnsSummary.modules[0]!.lessons.map((x) => x.title));
    expect(fnModule.lessons.every((x) => x.exercises.length > 0)).toBe(true);

    const names = allConcepts(out).map((c) => normalizeName(c.name));
    expect(new Set(names).size).toBe(names.length);
    const kept = allConcepts(out).find((c) => normalizeName(c.name) === normalizeName(dup.name))!;
    const dupRefs = d.lessons[0]!.concepts[0]!.source_refs.map((r) => r.chunk_id);
    expect(kept.source_refs.map((r) => r.chunk_id)).toEqual(expect.arrayContaining(dupRefs.slice(0, 1)));

    expect(out.course.summary).not.toBe('');
    expect(out.course.modules.every((m) => m.summary !== '' && m.lessons.every((x) => x.summary !== ''))).toBe(true);
    expect(messy.course.summary).toBe(''); // the input is not modified
    expect(reconcileStructure(messy, { node: root, children: [listsSummary, dictsSummary, fnsSummary] })).toEqual(out);
  });

  it("adopts the parent's and siblings' spelling of a shared concept", () => {
    const s = built(lists);
    const sibling = structuredClone(dictsSummary);
    sibling.modules[0]!.lessons[0]!.concepts.unshift({ name: 'LIST', definition: 'A list is an ordered collection.' });
    const out = reconcileStructure(s, { node: lists, siblings: [sibling] });
    const names = allConcepts(out).map((c) => c.name);
    expect(names).toContain('LIST');
    expect(names).not.toContain('list');
    for (const m of out.course.modules) for (const l of m.lessons) for (const e of l.exercises) expect(e.concept_names).not.toContain('list');
  });
});

describe('refineStructure', () => {
  it('adds an exercise for every concept without one and ranks concepts with evidence first', () => {
    const s = structuredClone(built(lists));
    const lesson = s.course.modules[0]!.lessons[0]!;
    lesson.exercises = [];
    lesson.concepts.push({ name: 'Unreferenced idea', definition: 'Short.', source_refs: [] });
    const practisedElsewhere = new Set(s.course.modules.flatMap((m) => m.lessons.flatMap((l) => l.exercises.flatMap((e) => e.concept_names.map(normalizeName)))));
    const missing = lesson.concepts.filter((c) => !practisedElsewhere.has(normalizeName(c.name)));
    expect(missing.length).toBeGreaterThan(1);
    const out = refineStructure(s, null, { filenames: new Map([['mat-lists', 'lists.md']]) });
    expect(CourseStructure.safeParse(out).success).toBe(true);
    const refined = out.course.modules[0]!.lessons[0]!;
    const practised = new Set(out.course.modules.flatMap((m: Module) => m.lessons.flatMap((l) => l.exercises.flatMap((e) => e.concept_names.map(normalizeName)))));
    for (const c of allConcepts(out)) expect(practised.has(normalizeName(c.name))).toBe(true);
    expect(refined.exercises.map((e) => e.concept_names[0]).sort()).toEqual(missing.map((c) => c.name).sort());
    expect(refined.exercises.some((e) => e.prompt.includes('lists.md'))).toBe(true);
    expect(refined.concepts[refined.concepts.length - 1]!.name).toBe('Unreferenced idea');
    expect(refineStructure(s, null)).toEqual(refineStructure(s, null));
  });
});
