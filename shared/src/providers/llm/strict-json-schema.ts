// zod → the JSON Schema subset that OpenAI's strict structured outputs accept, and back.
// Strict mode wants every property listed in `required` and `additionalProperties: false` on every object, so
// optional properties are sent as required-but-nullable; `nullsToOptional` removes those nulls again before the
// zod schema validates the answer. Length/count/range keywords are not accepted by every strict implementation,
// so they are moved into the property's description (the model still sees them) and enforced by zod afterwards
// — a violation then goes through the repair loop like any other.
import { z, type ZodType } from 'zod';

type Json = Record<string, unknown>;

const MOVED_TO_DESCRIPTION: Record<string, string> = {
  minLength: 'at least {} characters',
  maxLength: 'at most {} characters',
  minItems: 'at least {} items',
  maxItems: 'at most {} items',
  minimum: '≥ {}',
  maximum: '≤ {}',
  exclusiveMinimum: '> {}',
  exclusiveMaximum: '< {}',
};
const DROPPED = new Set(['$schema', 'pattern', 'format', 'multipleOf', 'default', 'examples', 'uniqueItems', 'minProperties', 'maxProperties']);
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function strictify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictify);
  if (!isObj(node)) return node;
  const out: Json = {};
  const notes: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key)) continue;
    const phrase = MOVED_TO_DESCRIPTION[key];
    if (phrase !== undefined) {
      // zod's int bounds (±2^53) are noise for a model.
      if (typeof value === 'number' && Math.abs(value) < Number.MAX_SAFE_INTEGER) notes.push(phrase.replace('{}', String(value)));
      continue;
    }
    if (key === 'properties' && isObj(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strictify(v)]));
      continue;
    }
    out[key] = strictify(value);
  }
  if (notes.length > 0) out.description = [out.description, `(${notes.join(', ')})`].filter(Boolean).join(' ');
  if (out.type === 'object' || isObj(out.properties)) {
    const props = (out.properties ?? {}) as Json;
    const required = new Set(Array.isArray(out.required) ? (out.required as string[]) : []);
    for (const [k, v] of Object.entries(props)) if (!required.has(k)) props[k] = nullable(v);
    out.properties = props;
    out.required = Object.keys(props);
    out.additionalProperties = false;
  }
  return out;
}

function nullable(schema: unknown): unknown {
  if (!isObj(schema)) return schema;
  const primitive = ['string', 'number', 'integer', 'boolean'].includes(schema.type as string);
  if (primitive && !('enum' in schema)) return { ...schema, type: [schema.type, 'null'] };
  const { description, ...rest } = schema;
  return { ...(description === undefined ? {} : { description }), anyOf: [rest, { type: 'null' }] };
}

/** The plain JSON Schema of a zod schema (output shape); unrepresentable parts become `{}`. */
export function plainJsonSchema(schema: ZodType): Json {
  return z.toJSONSchema(schema, { unrepresentable: 'any' }) as Json;
}

/** The strict-mode JSON Schema of a zod schema (or of its plain JSON Schema). */
export function toStrictJsonSchema(schema: ZodType | Json): Json {
  const json = schema instanceof z.ZodType ? plainJsonSchema(schema) : schema;
  return strictify(json) as Json;
}

/**
 * Removes `null` from properties that the (non-strict) schema lists as optional, walking `properties`,
 * `items`, `$ref` into `$defs`/`definitions` and the first matching object branch of `anyOf`/`oneOf`.
 */
export function nullsToOptional(value: unknown, schema: ZodType | Json): unknown {
  const root = schema instanceof z.ZodType ? plainJsonSchema(schema) : schema;
  const defs = { ...((root.$defs as Json | undefined) ?? {}), ...((root.definitions as Json | undefined) ?? {}) };
  const resolve = (s: unknown): Json | undefined => {
    if (!isObj(s)) return undefined;
    if (typeof s.$ref === 'string') {
      const name = s.$ref.split('/').pop() ?? '';
      return resolve(defs[name]);
    }
    return s;
  };
  const walk = (v: unknown, s: unknown): unknown => {
    const sch = resolve(s);
    if (!sch) return v;
    if (Array.isArray(v)) return v.map((item) => walk(item, sch.items));
    if (!isObj(v)) return v;
    const branches = (sch.anyOf ?? sch.oneOf) as unknown[] | undefined;
    if (Array.isArray(branches)) {
      const objectBranch = branches.map(resolve).find((b) => b && (b.type === 'object' || isObj(b.properties)));
      return objectBranch ? walk(v, objectBranch) : v;
    }
    const props = isObj(sch.properties) ? sch.properties : {};
    const required = new Set(Array.isArray(sch.required) ? (sch.required as string[]) : []);
    const out: Json = {};
    for (const [k, item] of Object.entries(v)) {
      if (item === null && k in props && !required.has(k)) continue;
      out[k] = k in props ? walk(item, props[k]) : item;
    }
    return out;
  };
  return walk(value, root);
}
