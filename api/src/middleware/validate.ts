// zod → the 422 list of API.md ({loc, msg, type}); the parsed value replaces the raw input.
import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { AppError, type ValidationIssue } from '../../../shared/src/errors/index.js';

type Part = 'params' | 'query' | 'body';
// Path parameters are reported under "path" like the earlier service did.
const LOC_NAME: Record<Part, string> = { params: 'path', query: 'query', body: 'body' };

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function issueType(issue: z.core.$ZodIssue, missing: boolean): string {
  if (missing) return 'missing';
  switch (issue.code) {
    case 'invalid_type':
      return `${issue.expected}_type`;
    case 'too_small':
      return issue.origin === 'string' ? 'string_too_short' : issue.origin === 'array' ? 'too_short' : 'greater_than_equal';
    case 'too_big':
      return issue.origin === 'string' ? 'string_too_long' : issue.origin === 'array' ? 'too_long' : 'less_than_equal';
    case 'invalid_format':
      return issue.format === 'uuid' ? 'uuid_parsing' : issue.format === 'url' ? 'url_parsing' : `${issue.format}_format`;
    case 'invalid_value':
      return 'enum';
    case 'unrecognized_keys':
      return 'extra_forbidden';
    default:
      return 'value_error';
  }
}

export function zodIssues(part: Part, error: z.ZodError, raw: unknown): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path as (string | number)[];
    const missing = issue.code === 'invalid_type' && valueAt(raw, path) === undefined;
    return {
      loc: [LOC_NAME[part], ...path],
      msg: missing ? 'Field required' : issue.message,
      type: issueType(issue, missing),
    };
  });
}

type Loc = (string | number)[];
const NUL_ISSUE = { msg: 'NUL characters are not allowed', type: 'string_nul' };
const SURROGATE_ISSUE = { msg: 'Text must be valid Unicode (lone surrogate escape)', type: 'string_unicode' };

/** The problem of one string, if any: NUL (Postgres text cannot store it) or a lone surrogate (JSON allows the
 * escape, UTF-8 cannot encode it, and the database would store U+FFFD instead). No client means to send either. */
function stringIssue(s: string): { msg: string; type: string } | null {
  if (s.includes('\u0000')) return NUL_ISSUE;
  if (!s.isWellFormed()) return SURROGATE_ISSUE;
  return null;
}

/** Strings (values and object keys) with a NUL or a lone surrogate, at most 10. */
function badStrings(value: unknown, path: Loc = [], out: { path: Loc; msg: string; type: string }[] = [], depth = 0) {
  if (out.length >= 10 || depth > 64) return out;
  if (typeof value === 'string') {
    const issue = stringIssue(value);
    if (issue) out.push({ path, ...issue });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => badStrings(v, [...path, i], out, depth + 1));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const issue = stringIssue(k);
      if (issue) out.push({ path: [...path, k], ...issue });
      else badStrings(v, [...path, k], out, depth + 1);
    }
  }
  return out;
}

export interface Schemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

/** Validates every declared part and reports all problems together. */
export function validate(schemas: Schemas): RequestHandler {
  return (req, _res, next) => {
    const issues: ValidationIssue[] = [];
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const raw = part === 'params' ? req.params : part === 'query' ? req.query : req.body;
      const bad = badStrings(raw);
      if (bad.length) {
        issues.push(...bad.map((b) => ({ loc: [LOC_NAME[part], ...b.path], msg: b.msg, type: b.type })));
        continue;
      }
      const parsed = schema.safeParse(part === 'body' && raw === undefined ? undefined : raw);
      if (parsed.success) req.valid[part] = parsed.data;
      else issues.push(...zodIssues(part, parsed.error, raw));
    }
    if (issues.length) return next(new AppError('validation_error', issues));
    next();
  };
}
