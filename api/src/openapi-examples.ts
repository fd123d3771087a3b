// Examples for the generated OpenAPI document, added in one pass over it so route files stay as they are:
// - every string schema without an example/enum/const/default gets a realistic one, chosen by format and then by
//   property name (Swagger UI otherwise shows and pre-fills "string");
// - every JSON request body gets a media-type example holding only the required fields (Swagger UI's "Try it out"
//   then sends a body that validates, instead of every optional field filled with placeholders);
// - error responses carry an example in API.md's shape, 422 with `detail` as the list validation returns.
type Schema = Record<string, unknown> & {
  $ref?: string;
  type?: string | string[];
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
};
type Doc = {
  components?: { schemas?: Record<string, Schema> };
  paths: Record<string, Record<string, Operation>>;
};
interface MediaType {
  schema?: Schema;
  example?: unknown;
}
interface Operation {
  parameters?: { name: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, { content?: Record<string, MediaType> }>;
}

const UUID = '0193a5f0-7c1e-7d2a-9b3c-4d5e6f708192';
const TIME = '2026-01-15T10:30:00.000Z';
const BY_FORMAT: Record<string, string> = {
  uuid: UUID,
  'date-time': TIME,
  date: '2026-01-15',
  uri: 'https://example.com/lectures/intro.pdf',
  url: 'https://example.com/lectures/intro.pdf',
  email: 'teacher@example.com',
};
const BY_NAME: Record<string, string> = {
  title: 'Introduction to Python',
  description: 'Variables, types and the first programs',
  learning_goal: 'Write and run small Python programs',
  query: 'list comprehensions',
  text: 'A list comprehension builds a list from an iterable in one expression.',
  excerpt: 'A list comprehension builds a list…',
  filename: 'lecture-01.pdf',
  original_filename: 'lecture-01.pdf',
  content_type: 'application/pdf',
  key: 'tenants/0193a5f0-7c1e-7d2a-9b3c-4d5e6f708192/nodes/0193a5f0-7c1e-7d2a-9b3c-4d5e6f708193/lecture-01.pdf',
  source_url: 'https://example.com/lectures/intro.html',
  webhook_url: 'https://lms.example.com/hooks/course-supporter',
  upload_url: 'https://s3.example.com/bucket/key?X-Amz-Signature=…',
  student_external_id: 'student-42',
  task_description: 'Write a function that returns the squares of the even numbers in a list.',
  criteria: 'Correctness, readability, use of comprehensions',
  response_language: 'en',
  request_id: '0193a5f0-7c1e-7d2a-9b3c-4d5e6f708199',
  code: 'validation_error',
  msg: 'Field required',
  model_id: 'gpt-4o-mini',
  provider: 'openai',
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  file_sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  node_fingerprint: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  video_timecode_start: '00:01:30',
  video_timecode_end: '00:04:05',
  secret: 'whsec_…',
};

/** Enum values that fit the other examples (a PDF is a presentation), where the first value would not. */
const ENUM_PREFERENCE: Record<string, string> = { source_type: 'presentation' };

function stringExample(name: string | undefined): string {
  if (name && BY_NAME[name]) return BY_NAME[name];
  if (name?.endsWith('_at')) return TIME;
  if (name?.endsWith('_id')) return UUID;
  if (name?.endsWith('_url')) return 'https://example.com/';
  return name ? `example ${name.replace(/_/g, ' ')}` : 'example';
}

const isType = (s: Schema, t: string) => s.type === t || (Array.isArray(s.type) && s.type.includes(t));
const hasExample = (s: Schema) => 'example' in s || 'examples' in s || 'enum' in s || 'const' in s || 'default' in s;

/** Gives every string schema in the tree an example (in place). */
function annotate(s: unknown, name?: string, depth = 0): void {
  if (!s || typeof s !== 'object' || depth > 40) return;
  const schema = s as Schema;
  const preferred = name ? ENUM_PREFERENCE[name] : undefined;
  if (preferred && !('example' in schema) && Array.isArray(schema.enum) && schema.enum.includes(preferred)) schema.example = preferred;
  if (isType(schema, 'string') && !hasExample(schema) && schema.format !== 'binary') {
    schema.example = (schema.format && BY_FORMAT[schema.format]) ?? stringExample(name);
  }
  for (const [k, v] of Object.entries(schema.properties ?? {})) annotate(v, k, depth + 1);
  annotate(schema.items, name, depth + 1);
  if (typeof schema.additionalProperties === 'object') annotate(schema.additionalProperties, name, depth + 1);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const sub of (schema[key] as Schema[] | undefined) ?? []) annotate(sub, name, depth + 1);
  }
}

/** An instance with only the required fields (example values from `annotate`), or undefined when unsure. */
function requiredOnly(s: Schema | undefined, doc: Doc, depth = 0): unknown {
  if (!s || depth > 10) return undefined;
  if (s.$ref) return requiredOnly(doc.components?.schemas?.[s.$ref.split('/').pop() as string], doc, depth + 1);
  if (hasExample(s)) return s.example ?? (s.examples as unknown[] | undefined)?.[0] ?? s.default ?? s.const ?? (s.enum as unknown[])[0];
  const variants = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (variants) return requiredOnly(variants.find((v) => !isType(v, 'null')), doc, depth + 1);
  if (isType(s, 'object') || s.properties) {
    const out: Record<string, unknown> = {};
    for (const key of s.required ?? []) out[key] = requiredOnly(s.properties?.[key], doc, depth + 1);
    return out;
  }
  if (isType(s, 'array')) {
    const min = typeof s.minItems === 'number' ? s.minItems : 0;
    return min > 0 ? [requiredOnly(s.items, doc, depth + 1)] : [];
  }
  if (isType(s, 'integer') || isType(s, 'number')) return typeof s.minimum === 'number' ? s.minimum : 1;
  if (isType(s, 'boolean')) return true;
  return undefined;
}

export const ERROR_EXAMPLES: Record<number, { code: string; detail: unknown }> = {
  400: { code: 'validation_error', detail: 'Malformed request' },
  401: { code: 'not_authenticated', detail: 'Not authenticated' },
  403: { code: 'insufficient_scope', detail: 'Requires scope: prep' },
  404: { code: 'not_found', detail: 'Not found' },
  409: { code: 'conflict', detail: 'The resource is busy: a job on it is still running' },
  413: { code: 'payload_too_large', detail: 'File exceeds the upload limit of 52428800 bytes' },
  415: { code: 'unsupported_media_type', detail: 'Unsupported Content-Type' },
  422: { code: 'validation_error', detail: [{ loc: ['body', 'title'], msg: 'Field required', type: 'missing' }] },
  429: { code: 'rate_limited', detail: 'Rate limit exceeded' },
  500: { code: 'internal_error', detail: 'Internal Server Error' },
  503: { code: 'service_unavailable', detail: 'Service temporarily unavailable' },
};

export function errorExample(status: number): Record<string, unknown> {
  const e = ERROR_EXAMPLES[status] ?? ERROR_EXAMPLES[500]!;
  return { detail: e.detail, code: e.code, request_id: '0193a5f0-7c1e-7d2a-9b3c-4d5e6f708199' };
}

/** Adds schema and request-body examples to a generated document (in place) and returns it. */
export function addExamples<T>(document: T): T {
  const doc = document as unknown as Doc;
  for (const schema of Object.values(doc.components?.schemas ?? {})) annotate(schema);
  for (const ops of Object.values(doc.paths)) {
    for (const op of Object.values(ops)) {
      for (const p of op.parameters ?? []) annotate(p.schema, p.name);
      for (const mt of Object.values(op.requestBody?.content ?? {})) annotate(mt.schema);
      for (const r of Object.values(op.responses ?? {})) for (const mt of Object.values(r.content ?? {})) annotate(mt.schema);
      const json = op.requestBody?.content?.['application/json'];
      if (json && json.example === undefined) {
        const example = requiredOnly(json.schema, doc);
        if (example !== undefined) json.example = example;
      }
    }
  }
  return document;
}
