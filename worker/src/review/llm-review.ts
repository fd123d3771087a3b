// The LLM reviewer's guard rails. The model call itself belongs to the LLM layer: it is passed in as `ask`.
// Whatever the model answers, the Review returned here:
//  - has exactly the criteria the local reviewer would check (the client's, else the lesson's key concepts, …),
//    matched by text (or by position when the model kept the count); ones the model skipped are "not met";
//  - keeps only evidence quotes that occur VERBATIM in the submission (re-located: path and line are ours);
//    a criterion that lost quotes gets "(evidence not found in submission)" in its comment, and one left without
//    any quote is not met;
//  - has score, verdict and passed recomputed by code from the criteria (review.schema.ts formula) — the model's
//    own numbers are ignored — and a summary that starts with the recomputed result;
//  - lists only references that were really retrieved (excerpt and similarity are ours, not the model's);
//  - validates against ReviewSchema.
import { z } from 'zod';
import { ReviewSchema, scoreCriteria, type Review } from '../../../shared/src/review/review.schema.js';
import { formatEvidence, locateQuote, MIN_QUOTE_CHARS, parseEvidence, type Quote } from './evidence.js';
import { phrasesFor, type Phrases } from './review-i18n.js';
import { criterionSpecs, excerptOf, type ReviewInput } from './review-inputs.js';
import {
  buildReviewPrompt,
  DEFAULT_MAX_PROMPT_CHARS,
  LLM_REVIEW_SCHEMA_NAME,
  LlmReviewAnswerSchema,
} from './llm-review-prompt.js';

export { buildReviewPrompt, reviewJsonSchema, LlmReviewAnswerSchema, LLM_REVIEW_SCHEMA_NAME, type LlmReviewAnswer } from './llm-review-prompt.js';

export interface AskOptions {
  /** zod schema of the expected answer: pass it to LlmProvider.complete({ schema, schemaName }). */
  schema: typeof LlmReviewAnswerSchema;
  schemaName: string;
  /** The same as JSON Schema, for callers talking to an API directly. */
  jsonSchema: Record<string, unknown>;
}

/**
 * One model call: returns the model's JSON (object or string). E.g. with the LLM layer:
 * `(prompt, o) => llm.complete({ action: 'review', schema: o.schema, schemaName: o.schemaName, system: '…',
 * user: prompt, ctx }).then((r) => r.value)`.
 */
export type AskLlm = (prompt: string, opts: AskOptions) => unknown;

/** The model's answer could not be used (not JSON, wrong shape). Retrying the call may help. */
export class LlmReviewError extends Error {
  override readonly name = 'LlmReviewError';
}

const text = z.string().nullish().transform((s) => (s ?? '').trim());
const strings = z
  .array(z.unknown())
  .nullish()
  .transform((xs) => (xs ?? []).filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim().slice(0, 1000)).slice(0, 10));

export const LlmDraftSchema = z.object({
  summary: text,
  criteria: z.array(
    z.object({
      criterion: z.string(),
      met: z.boolean(),
      evidence: z.union([z.string(), z.array(z.string()), z.null()]).optional(),
      comment: text,
    }),
  ),
  strengths: strings,
  issues: strings,
  suggestions: strings,
  references: z
    .array(z.object({ chunk_id: z.union([z.string(), z.number()]).transform(String) }).loose())
    .nullish()
    .transform((r) => r ?? []),
});

export interface LlmReviewOptions {
  maxPromptChars?: number;
  /** References listed when the model names none. Default 3. */
  fallbackReferences?: number;
}

export async function reviewWithLlm(input: ReviewInput, ask: AskLlm, opts: LlmReviewOptions = {}): Promise<Review> {
  const t = phrasesFor(input.responseLanguage);
  const { basis, specs } = criterionSpecs(input, t);
  const prompt = buildReviewPrompt(input, specs, basis, opts.maxPromptChars ?? DEFAULT_MAX_PROMPT_CHARS);
  const raw = await ask(prompt, {
    schema: LlmReviewAnswerSchema,
    schemaName: LLM_REVIEW_SCHEMA_NAME,
    jsonSchema: z.toJSONSchema(LlmReviewAnswerSchema) as Record<string, unknown>,
  });
  return postProcessLlmReview(raw, input, opts);
}

function parseRaw(raw: unknown): z.infer<typeof LlmDraftSchema> {
  let value = raw;
  if (typeof raw === 'string') {
    const body = raw.trim().replace(/^```(?:json)?\s*|\s*```$/g, '');
    try {
      value = JSON.parse(body);
    } catch {
      throw new LlmReviewError('the LLM reviewer did not answer with JSON');
    }
  }
  const parsed = LlmDraftSchema.safeParse(value);
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new LlmReviewError(`the LLM reviewer's answer does not match the Review schema (${where.join('; ')})`);
  }
  return parsed.data;
}

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').replace(/[.:;!]+$/, '').trim();

/** Keeps the verbatim quotes (split into lines, re-located); counts the ones dropped. */
export function verifyEvidence(evidence: string, files: ReviewInput['files']): { quotes: Quote[]; dropped: number } {
  const quotes: Quote[] = [];
  let dropped = 0;
  const seen = new Set<string>();
  for (const claim of parseEvidence(evidence)) {
    const at = claim.quote.length >= MIN_QUOTE_CHARS ? locateQuote(files, claim.quote, claim.path) : null;
    if (!at) {
      if (claim.quote) dropped++;
      continue;
    }
    at.quote.split('\n').forEach((line, k) => {
      const q = { path: at.path, line: at.line + k, quote: line.trim() };
      const key = `${q.path}:${q.line}:${q.quote}`;
      if (q.quote.length >= MIN_QUOTE_CHARS && !seen.has(key)) {
        seen.add(key);
        quotes.push(q);
      }
    });
  }
  return { quotes, dropped };
}

export function postProcessLlmReview(raw: unknown, input: ReviewInput, opts: LlmReviewOptions = {}): Review {
  const t: Phrases = phrasesFor(input.responseLanguage);
  const draft = parseRaw(raw);
  const { basis, specs } = criterionSpecs(input, t);
  const expected = specs.map((s) => s.display);
  const byText = new Map(draft.criteria.map((c) => [norm(c.criterion), c]));
  const aligned = expected.length
    ? expected.map((criterion, i) => {
        const c = byText.get(norm(criterion)) ?? (draft.criteria.length === expected.length ? draft.criteria[i] : undefined);
        return c ? { ...c, criterion } : { criterion, met: false, evidence: '', comment: t.notAssessed };
      })
    : draft.criteria.slice(0, 20);

  const criteria = aligned.map((c) => {
    const evidence = Array.isArray(c.evidence) ? c.evidence.join('\n') : (c.evidence ?? '');
    const { quotes, dropped } = verifyEvidence(evidence, input.files);
    let comment = c.comment.slice(0, 3000);
    if (dropped > 0 || (c.met && quotes.length === 0)) comment = `${comment} ${t.evidenceNotFound}`.trim();
    return { criterion: c.criterion.slice(0, 2000), met: c.met && quotes.length > 0, evidence: formatEvidence(quotes), comment };
  });
  const { score, verdict, passed } = scoreCriteria(criteria);

  const known = new Map(input.references.map((r) => [r.chunk_id, r]));
  const picked = [...new Set(draft.references.map((r) => r.chunk_id))].filter((id) => known.has(id)).map((id) => known.get(id)!);
  const refs = picked.length
    ? picked
    : [...input.references].sort((a, b) => b.similarity - a.similarity).slice(0, opts.fallbackReferences ?? 3);

  const met = criteria.filter((c) => c.met).length;
  const head = criteria.length ? t.summary(met, criteria.length, score, verdict, basis) : t.nothingToCheck;
  const language = /^[a-z]{2}$/.test(input.responseLanguage.toLowerCase()) ? input.responseLanguage.toLowerCase() : t.lang;

  return ReviewSchema.parse({
    passed,
    score,
    verdict,
    summary: `${head}${draft.summary ? ` ${draft.summary.slice(0, 3000)}` : ''}`,
    criteria,
    strengths: draft.strengths,
    issues: draft.issues,
    suggestions: draft.suggestions,
    references: refs.slice(0, 10).map((r) => ({
      material_id: r.material_id,
      chunk_id: r.chunk_id,
      excerpt: excerptOf(r.text, 300),
      similarity: Math.round(Math.max(-1, Math.min(1, r.similarity)) * 10_000) / 10_000,
    })),
    response_language: language,
  });
}
