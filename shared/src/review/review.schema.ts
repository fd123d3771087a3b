// The Review object of API.md ("Homework checking"): what every reviewer (local or LLM) produces, what the
// submission row stores in `review`, and what GET /homework/submissions/{id} returns. One zod schema for all.
//
// Score formula (reviewers compute it in code, never taken from a model):
//   score = round(100 × met / total) over `criteria` (0 when there are none);
//   verdict = "correct" when score ≥ 85, "partial" when score ≥ 50, else "incorrect";
//   passed = score ≥ 60.
// A client can recompute all three from `criteria` alone.
import { z } from 'zod';

export const VERDICTS = ['correct', 'partial', 'incorrect'] as const;
export const VERDICT_CORRECT_MIN = 85;
export const VERDICT_PARTIAL_MIN = 50;
export const PASS_MIN = 60;

export const ReviewCriterionSchema = z.object({
  criterion: z.string().min(1).max(2000),
  met: z.boolean(),
  /**
   * Verbatim quotes from the submission with their location, one per line: "main.py:12: `def add(a, b):`".
   * Empty when nothing in the submission supports the criterion.
   */
  evidence: z.string().max(8000),
  comment: z.string().max(4000),
});

export const ReviewReferenceSchema = z.object({
  material_id: z.string().min(1),
  chunk_id: z.string().min(1),
  excerpt: z.string().max(2000),
  similarity: z.number().min(-1).max(1),
});

export const ReviewSchema = z.object({
  passed: z.boolean(),
  score: z.number().int().min(0).max(100),
  verdict: z.enum(VERDICTS),
  summary: z.string().max(8000),
  criteria: z.array(ReviewCriterionSchema).max(100),
  strengths: z.array(z.string().max(2500)).max(100),
  issues: z.array(z.string().max(2500)).max(100),
  suggestions: z.array(z.string().max(2500)).max(100),
  references: z.array(ReviewReferenceSchema).max(50),
  /** ISO 639-1, lower case. */
  response_language: z.string().regex(/^[a-z]{2}$/),
});

export type Review = z.infer<typeof ReviewSchema>;
export type ReviewCriterion = z.infer<typeof ReviewCriterionSchema>;
export type ReviewReference = z.infer<typeof ReviewReferenceSchema>;
export type Verdict = (typeof VERDICTS)[number];

export function verdictFor(score: number): Verdict {
  return score >= VERDICT_CORRECT_MIN ? 'correct' : score >= VERDICT_PARTIAL_MIN ? 'partial' : 'incorrect';
}

/** The documented formula above: score, verdict and passed from the criteria. */
export function scoreCriteria(criteria: readonly { met: boolean }[]): { score: number; verdict: Verdict; passed: boolean } {
  const met = criteria.filter((c) => c.met).length;
  const score = criteria.length === 0 ? 0 : Math.round((100 * met) / criteria.length);
  return { score, verdict: verdictFor(score), passed: score >= PASS_MIN };
}
