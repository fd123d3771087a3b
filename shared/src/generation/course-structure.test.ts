import { describe, expect, it } from 'vitest';
import { courseStructureJsonSchema, CourseStructure, structureTree, StructureTreeNodeSchema } from './course-structure.js';

const valid = () => ({
  course: {
    title: 'Python basics',
    summary: '',
    modules: [
      {
        title: 'Lists',
        summary: 'Ordered collections.',
        lessons: [
          {
            title: 'Creating lists',
            summary: 'How to make lists.',
            source_node_id: 'n1',
            concepts: [
              { name: 'List', definition: 'A list is an ordered collection.', source_refs: [{ material_id: 'm1', chunk_id: 'c1', page: 1 }] },
              { name: 'Slicing', definition: 'Slicing copies part of a list.', source_refs: [] },
            ],
            exercises: [{ title: 'Explain lists', prompt: 'Explain lists.', difficulty: 'easy', concept_names: ['list', '  Slicing'] }],
            timecodes: [{ start_seconds: 10, end_seconds: 20, label: 'Lists' }],
            slide_refs: [{ material_id: 'm2', slide: 3 }],
          },
        ],
      },
    ],
  },
});

describe('CourseStructure', () => {
  it('accepts a full structure and matches exercise concepts case-insensitively', () => {
    expect(CourseStructure.safeParse(valid()).success).toBe(true);
  });

  it('rejects what breaks the contract, with paths', () => {
    const cases: [string, (s: ReturnType<typeof valid>) => void, string][] = [
      ['no modules', (s) => (s.course.modules = []), 'course.modules'],
      ['empty title', (s) => (s.course.modules[0]!.title = '  '), 'course.modules.0.title'],
      ['long title', (s) => (s.course.title = 'x'.repeat(301)), 'course.title'],
      ['bad difficulty', (s) => ((s.course.modules[0]!.lessons[0]!.exercises[0] as { difficulty: string }).difficulty = 'trivial'), 'difficulty'],
      ['unknown concept', (s) => (s.course.modules[0]!.lessons[0]!.exercises[0]!.concept_names = ['Tuples']), 'concept_names.0'],
      ['reversed timecode', (s) => (s.course.modules[0]!.lessons[0]!.timecodes![0]!.end_seconds = 5), 'timecodes.0.end_seconds'],
      ['slide 0', (s) => (s.course.modules[0]!.lessons[0]!.slide_refs![0]!.slide = 0), 'slide_refs.0.slide'],
      ['extra field kept out', (s) => ((s.course.modules[0]!.lessons[0]!.concepts[0]!.source_refs[0] as { page: unknown }).page = 1.5), 'source_refs.0.page'],
    ];
    for (const [label, mutate, path] of cases) {
      const s = valid();
      mutate(s);
      const r = CourseStructure.safeParse(s);
      expect(r.success, label).toBe(false);
      expect(r.error!.issues.map((i) => i.path.join('.')).join(' '), label).toContain(path);
    }
  });

  it('exports a JSON Schema with the required fields', () => {
    const js = courseStructureJsonSchema() as { properties: { course: { required: string[] } } };
    expect(js.properties.course.required).toEqual(['title', 'summary', 'modules']);
    expect(JSON.stringify(js)).toContain('"enum":["easy","medium","hard"]');
  });

  it('derives structure_tree', () => {
    const tree = structureTree(CourseStructure.parse(valid()));
    expect(tree).toEqual([
      {
        type: 'module',
        title: 'Lists',
        children: [
          {
            type: 'lesson',
            title: 'Creating lists',
            children: [
              { type: 'concept', title: 'List', children: [] },
              { type: 'concept', title: 'Slicing', children: [] },
              { type: 'exercise', title: 'Explain lists', children: [] },
            ],
          },
        ],
      },
    ]);
    expect(StructureTreeNodeSchema.array().safeParse(tree).success).toBe(true);
  });
});
