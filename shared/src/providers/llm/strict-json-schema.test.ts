import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CourseStructure } from '../../generation/course-structure.js';
import { nullsToOptional, toStrictJsonSchema } from './strict-json-schema.js';

type Json = Record<string, unknown>;

/** Every object schema in a JSON Schema tree. */
function objects(node: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(node)) node.forEach((n) => objects(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Json;
    if (o.properties) out.push(o);
    Object.entries(o).forEach(([k, v]) => (k === 'properties' ? Object.values(v as Json).forEach((p) => objects(p, out)) : objects(v, out)));
  }
  return out;
}

describe('strict JSON schema', () => {
  it('requires every property, forbids extras and makes optional ones nullable (CourseStructure)', () => {
    const schema = toStrictJsonSchema(CourseStructure);
    const objs = objects(schema);
    expect(objs.length).toBeGreaterThanOrEqual(8);
    for (const o of objs) {
      expect(o.additionalProperties).toBe(false);
      expect([...(o.required as string[])].sort()).toEqual(Object.keys(o.properties as Json).sort());
    }
    const text = JSON.stringify(schema);
    expect(text).not.toMatch(/"(minLength|maxLength|minItems|maxItems|\$schema)"/);
    expect(text).toContain('at most 300 characters');
    const lesson = objs.find((o) => 'slide_refs' in (o.properties as Json))!;
    expect((lesson.properties as Json).slide_refs).toMatchObject({ anyOf: [{ type: 'array' }, { type: 'null' }] });
    expect((lesson.properties as Json).source_node_id).toMatchObject({ type: ['string', 'null'] });
  });

  it('drops nulls of optional properties only', () => {
    const S = z.object({ a: z.string().optional(), b: z.string().nullable(), items: z.array(z.object({ c: z.number().optional(), d: z.number() })) });
    const v = nullsToOptional({ a: null, b: null, items: [{ c: null, d: 1 }], extra: null }, S);
    expect(v).toEqual({ b: null, items: [{ d: 1 }], extra: null });
    expect(S.parse(v)).toEqual({ b: null, items: [{ d: 1 }] }); // a required nullable keeps its null
    expect(S.safeParse(nullsToOptional({ a: null, b: 'x', items: [] }, S)).success).toBe(true);
  });
});
