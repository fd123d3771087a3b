// The prompt for an LLM reviewer: the criteria to decide (the same list the local reviewer would use), the task,
// the lesson's course chunks (by id) and the submission with line numbers, plus the exact JSON to answer with.
import { z } from 'zod';
import { ReviewSchema } from '../../../shared/src/review/review.schema.js';
import { InputError } from '../input-error.js';
import type { Basis } from './review-i18n.js';
import type { CriterionSpec, ReviewInput } from './review-inputs.js';

export const DEFAULT_MAX_PROMPT_CHARS = 200_000;

/** JSON Schema of the full Review object (what clients receive). */
export function reviewJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ReviewSchema) as Record<string, unknown>;
}

/**
 * What the model is asked to return (no score / verdict / passed: those are computed by code). Plain objects with
 * every field required, so it also works as an OpenAI strict-mode schema (LlmProvider.complete({schema})).
 */
export const LlmReviewAnswerSchema = z.object({
  summary: z.string(),
  criteria: z.array(z.object({ criterion: z.string(), met: z.boolean(), evidence: z.string(), comment: z.string() })),
  strengths: z.array(z.string()),
  issues: z.array(z.string()),
  suggestions: z.array(z.string()),
  references: z.array(z.object({ material_id: z.string(), chunk_id: z.string() })),
});
export type LlmReviewAnswer = z.infer<typeof LlmReviewAnswerSchema>;
export const LLM_REVIEW_SCHEMA_NAME = 'homework_review';

const numbered = (text: string) =>
  text
    .split('\n')
    .map((line, i) => `${String(i + 1).padStart(4)}| ${line}`)
    .join('\n');

export function buildReviewPrompt(
  input: ReviewInput,
  specs: CriterionSpec[],
  basis: Basis,
  maxChars = DEFAULT_MAX_PROMPT_CHARS,
): string {
  const parts: string[] = [
    'You review a student\'s homework against the criteria below and the course material. Answer with ONE JSON object',
    'only (no prose, no code fence) with the fields: summary (string), criteria (array of {criterion, met, evidence,',
    'comment}), strengths, issues, suggestions (arrays of strings), references (array of {material_id, chunk_id}).',
    'Rules:',
    '- Decide every criterion listed, in the same order, copying its text exactly into "criterion".',
    '- "met" is true only if the submission itself shows it. "evidence" lists verbatim quotes from the submission,',
    '  one per line, as  path:line: `exact text`  — copy the text exactly as it appears after "| " in the listing',
    '  (never the line-number prefix). Quotes that do not occur in the submission are discarded and the criterion',
    '  then counts as not met. Empty evidence when nothing supports the criterion.',
    '- The score is computed from "met" by the system; do not give one.',
    `- Write summary, comments, strengths, issues and suggestions in the language with ISO 639-1 code "${input.responseLanguage}".`,
    '- references: only chunk ids from the course material below that support your suggestions.',
    '',
    `## ${basis === 'concepts' ? 'Key concepts of the lesson (criteria)' : 'Criteria'}`,
    ...specs.map((s, i) => `${i + 1}. ${s.display}`),
  ];
  if (input.taskDescription?.trim()) parts.push('', '## Task', input.taskDescription.trim());
  if (input.references.length) {
    parts.push('', '## Course material');
    for (const r of input.references) parts.push(`[material_id=${r.material_id} chunk_id=${r.chunk_id}]`, r.text.trim(), '');
  }
  parts.push('', '## Submission');
  for (const f of input.files) parts.push(`### ${f.path}`, numbered(f.text), '');
  const prompt = parts.join('\n');
  if (prompt.length > maxChars) {
    throw new InputError(
      'too_much_text',
      `the submission is too long for the LLM reviewer (${prompt.length.toLocaleString('en-US')} characters with the course material; the limit is ${maxChars.toLocaleString('en-US')})`,
    );
  }
  return prompt;
}
