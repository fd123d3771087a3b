import { describe, expect, it } from 'vitest';
import { CourseStructure, structureTree, type Lesson } from '../../../shared/src/generation/course-structure.js';
import type { GenerationNode } from '../../../shared/src/generation/generation-input.js';
import { ProviderError } from '../../../shared/src/providers/http/provider-error.js';
import { chunkIndex, DICTS_MD, FUNCTIONS_MD, LISTS_MD, markdownMaterial, pythonCourse } from './course-fixture.test-support.js';
import { buildLocalStructure } from './local-structure-builder.js';
import { summarizeNode } from './structure-summary.js';

const lessonsOf = (s: CourseStructure) => s.course.modules.flatMap((m) => m.lessons);
const conceptNames = (lessons: Lesson[]) => lessons.flatMap((l) => l.concepts.map((c) => c.name.toLowerCase()));
/** Content words of a name, plural "s" dropped: what a sentence about it must contain. */
const stems = (name: string) => name.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 2).map((w) => w.replace(/s$/, ''));
const h2 = (md: string) => [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);

describe('buildLocalStructure on a small Python course', () => {
  const course = pythonCourse();
  const chunks = chunkIndex(course);
  const { structure, serviceCall } = buildLocalStructure({ node: course });
  const modules = structure.course.modules;
  const moduleNamed = (title: string) => modules.find((m) => m.title === title)!;

  it('is valid against the CourseStructure schema and labelled heuristic', () => {
    expect(CourseStructure.safeParse(structure).success).toBe(true);
    expect(structure.course.title).toBe('Python basics');
    expect(serviceCall).toMatchObject({ provider: 'local', model_id: 'heuristic-v1', prompt_ref: 'structure.v1', cost_usd: 0 });
    expect(serviceCall.unit_in).toBeGreaterThan(500);
    expect(serviceCall.unit_out).toBeGreaterThan(100);
  });

  it('maps the child nodes to modules and their headings to lessons, in order', () => {
    expect(modules.map((m) => [m.title, m.source_node_id])).toEqual([
      ['Lists', 'node-lists'],
      ['Dictionaries', 'node-dicts'],
      ['Functions', 'node-functions'],
    ]);
    expect(moduleNamed('Lists').lessons.map((l) => l.title)).toEqual(h2(LISTS_MD));
    expect(moduleNamed('Dictionaries').lessons.map((l) => l.title)).toEqual(h2(DICTS_MD));
    expect(moduleNamed('Functions').lessons.map((l) => l.title)).toEqual(h2(FUNCTIONS_MD));
    for (const m of modules) for (const l of m.lessons) expect(l.source_node_id).toBe(m.source_node_id);
  });

  it("names concepts after each lesson's own topic and keeps the topics apart", () => {
    const lists = conceptNames(moduleNamed('Lists').lessons);
    const dicts = conceptNames(moduleNamed('Dictionaries').lessons);
    const fns = conceptNames(moduleNamed('Functions').lessons);
    expect(lists).toContain('list');
    expect(lists).toEqual(expect.arrayContaining(['slicing', 'indexing']));
    expect(dicts).toEqual(expect.arrayContaining(['dictionary', 'key']));
    expect(fns).toEqual(expect.arrayContaining(['function', 'parameter', 'return statement']));
    expect(lists.some((n) => /dictionar|function|parameter/.test(n))).toBe(false);
    expect(dicts.some((n) => /^list$|function|parameter/.test(n))).toBe(false);
    expect(fns.some((n) => /dictionar|^list$|slic/.test(n))).toBe(false);
    for (const l of lessonsOf(structure)) expect(l.concepts.length).toBeGreaterThanOrEqual(2);
  });

  it('quotes definitions from the chunks it references', () => {
    for (const l of lessonsOf(structure)) {
      for (const c of l.concepts) {
        expect(c.source_refs.length).toBeGreaterThan(0);
        for (const ref of c.source_refs) {
          const chunk = chunks.get(ref.chunk_id);
          expect(chunk, `${c.name}: unknown chunk ${ref.chunk_id}`).toBeDefined();
          expect(ref.material_id).toBe(chunk!.materialId);
          for (const k of ['page', 'slide', 'start_seconds', 'end_seconds'] as const) expect(ref[k]).toEqual(chunk!.metadata[k]);
        }
        expect(chunks.get(c.source_refs[0]!.chunk_id)!.text).toContain(c.definition);
        expect(c.definition.split(/\s+/).length).toBeGreaterThanOrEqual(4);
        const text = c.definition.toLowerCase();
        expect(stems(c.name).some((w) => text.includes(w)), `${c.name}: ${c.definition}`).toBe(true);
      }
    }
  });

  it('writes exercises for the concepts of each lesson, of every difficulty', () => {
    for (const l of lessonsOf(structure)) {
      expect(l.exercises.length).toBeGreaterThan(0);
      const names = new Set(l.concepts.map((c) => c.name));
      for (const e of l.exercises) {
        expect(e.concept_names.length).toBeGreaterThan(0);
        for (const n of e.concept_names) {
          expect(names.has(n)).toBe(true);
          expect(e.prompt).toContain(n);
        }
        expect(e.prompt).toContain(l.title);
      }
    }
    expect(new Set(lessonsOf(structure).flatMap((l) => l.exercises.map((e) => e.difficulty)))).toEqual(new Set(['easy', 'medium', 'hard']));
  });

  it("puts each slide and stretch of the lecture into the module of its topic", () => {
    const slideModule = (slide: number) => modules.find((m) => m.lessons.some((l) => l.slide_refs?.some((r) => r.material_id === 'mat-slides' && r.slide === slide)))?.title;
    expect([2, 3, 4].map(slideModule)).toEqual(['Lists', 'Dictionaries', 'Functions']);
    expect(slideModule(1)).toBeDefined(); // the welcome slide is kept, not lost

    const transcript = [...chunks.values()].filter((c) => c.materialId === 'mat-lecture');
    const starts = new Set(transcript.map((c) => c.metadata.start_seconds));
    const withTimes = modules.filter((m) => m.lessons.some((l) => (l.timecodes?.length ?? 0) > 0)).map((m) => m.title);
    expect(withTimes).toEqual(['Lists', 'Dictionaries', 'Functions']);
    for (const l of lessonsOf(structure)) {
      for (const t of l.timecodes ?? []) {
        expect(starts.has(t.start_seconds)).toBe(true);
        expect(t.end_seconds).toBeGreaterThanOrEqual(t.start_seconds);
      }
    }
    const fnTimes = moduleNamed('Functions').lessons.flatMap((l) => l.timecodes ?? []);
    expect(fnTimes.every((t) => t.start_seconds >= 120)).toBe(true);
  });

  it('is deterministic', () => {
    const again = buildLocalStructure({ node: structuredClone(course) });
    expect(again.structure).toEqual(structure);
    expect(again.serviceCall).toEqual(serviceCall);
    expect(JSON.stringify(again.structure)).toBe(JSON.stringify(structure));
  });

  it('gives structure_tree nodes module → lesson → concept | exercise', () => {
    const tree = structureTree(structure);
    expect(tree.map((n) => n.title)).toEqual(modules.map((m) => m.title));
    const lesson = tree[0]!.children[0]!;
    expect(lesson.type).toBe('lesson');
    expect(new Set(lesson.children.map((c) => c.type))).toEqual(new Set(['concept', 'exercise']));
    expect(lesson.children.filter((c) => c.type === 'concept').map((c) => c.title)).toEqual(modules[0]!.lessons[0]!.concepts.map((c) => c.name));
  });
});

describe('buildLocalStructure mappings', () => {
  const leaf = (id: string, title: string, md: string, file: string): GenerationNode => ({ id, title, children: [], materials: [markdownMaterial(`mat-${id}`, file, md)] });

  it('turns a leaf node into one module with a lesson per heading', () => {
    const { structure } = buildLocalStructure({ node: leaf('n1', 'Working with lists', LISTS_MD, 'lists.md') });
    expect(structure.course.modules).toHaveLength(1);
    expect(structure.course.modules[0]!.title).toBe('Working with lists');
    expect(structure.course.modules[0]!.lessons.map((l) => l.title)).toEqual(h2(LISTS_MD));
  });

  it('makes grandchildren lessons of their parent module', () => {
    const node: GenerationNode = {
      id: 'root',
      title: 'Python',
      children: [{ id: 'part-1', title: 'Data structures', children: [leaf('l1', 'Lists lesson', LISTS_MD, 'a.md'), leaf('l2', 'Dicts lesson', DICTS_MD, 'b.md')], materials: [] }],
      materials: [],
    };
    const { structure } = buildLocalStructure({ node });
    expect(structure.course.modules.map((m) => m.title)).toEqual(['Data structures']);
    expect(structure.course.modules[0]!.lessons.map((l) => [l.title, l.source_node_id])).toEqual([
      ['Lists lesson', 'l1'],
      ['Dicts lesson', 'l2'],
    ]);
  });

  it('in free mode organises by document, whatever the tree', () => {
    const node: GenerationNode = { id: 'r', title: 'Course', children: [], materials: [markdownMaterial('a', 'lists.md', LISTS_MD), markdownMaterial('b', 'functions.md', FUNCTIONS_MD)] };
    const guided = buildLocalStructure({ node });
    const free = buildLocalStructure({ node, mode: 'free' });
    expect(guided.structure.course.modules).toHaveLength(1);
    expect(free.structure.course.modules.map((m) => m.title)).toEqual(['Python Lists', 'Python Functions']);
  });

  it('uses summaries of children generated earlier when their chunks are not given', () => {
    const done = buildLocalStructure({ node: leaf('c2', 'Functions', FUNCTIONS_MD, 'f.md') }).structure;
    const node: GenerationNode = {
      id: 'root',
      title: 'Python',
      children: [leaf('c1', 'Lists', LISTS_MD, 'l.md'), { id: 'c2', title: 'Functions', children: [], materials: [] }],
      materials: [],
    };
    const { structure } = buildLocalStructure({ node, childSummaries: [summarizeNode({ id: 'c2', title: 'Functions' }, done)] });
    expect(structure.course.modules.map((m) => [m.title, m.source_node_id])).toEqual([
      ['Lists', 'c1'],
      ['Functions', 'c2'],
    ]);
    const fn = structure.course.modules[1]!;
    expect(fn.lessons.map((l) => l.title)).toEqual(done.course.modules[0]!.lessons.map((l) => l.title));
    expect(conceptNames(fn.lessons)).toContain('parameter');
  });

  it('refuses a node without any material text', () => {
    const empty: GenerationNode = { id: 'e', title: 'Empty', children: [{ id: 'c', title: 'Child', children: [], materials: [] }], materials: [] };
    const e = (() => {
      try {
        buildLocalStructure({ node: empty });
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(ProviderError);
    expect(e).toMatchObject({ code: 'invalid_input', permanent: true });
  });
});
