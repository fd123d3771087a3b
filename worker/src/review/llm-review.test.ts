import { describe, expect, it } from 'vitest';
import { ReviewSchema } from '../../../shared/src/review/review.schema.js';
import { LlmReviewError, postProcessLlmReview, reviewWithLlm, verifyEvidence } from './llm-review.js';
import { CRITERIA, reviewInput, TWO_OF_THREE } from './review.fixtures.test-support.js';

/** What a confident, partly hallucinating model might answer. */
const modelAnswer = () => ({
  passed: true,
  score: 100,
  verdict: 'correct',
  summary: 'Great job, everything is there.',
  criteria: [
    { criterion: 'defines a function with def', met: true, evidence: 'main.py:4: `def add(a, b):`', comment: 'Uses def.' },
    // right quote, wrong line number: kept, re-located to line 7
    { criterion: 'Returns a value.', met: true, evidence: 'main.py:2: `return total`', comment: 'Returns the sum.' },
    // fabricated: this line is not in the submission
    { criterion: 'uses a default argument', met: true, evidence: 'main.py:4: `def add(a, b=0):`', comment: 'b has a default.' },
  ],
  strengths: ['Clear names'],
  issues: [],
  suggestions: ['Add type hints'],
  references: [{ material_id: 'x', chunk_id: 'chunk-defaults' }, { chunk_id: 'made-up-chunk' }],
  response_language: 'en',
});

describe('postProcessLlmReview', () => {
  it('drops a fabricated quote, flags it, un-meets the criterion and recomputes the score', () => {
    const review = postProcessLlmReview(modelAnswer(), reviewInput(TWO_OF_THREE));
    expect(ReviewSchema.parse(review)).toEqual(review);
    expect(review.criteria).toEqual([
      { criterion: CRITERIA[0], met: true, evidence: 'main.py:4: `def add(a, b):`', comment: 'Uses def.' },
      { criterion: CRITERIA[1], met: true, evidence: 'main.py:7: `return total`', comment: 'Returns the sum.' },
      { criterion: CRITERIA[2], met: false, evidence: '', comment: 'b has a default. (evidence not found in submission)' },
    ]);
    expect(review).toMatchObject({ score: 67, verdict: 'partial', passed: true, response_language: 'en' });
    expect(review.summary).toBe('2 of 3 criteria met; score 67/100 — partially correct. Great job, everything is there.');
    // only references that were retrieved, with our excerpt and similarity
    expect(review.references.map((r) => [r.material_id, r.chunk_id, r.similarity])).toEqual([['mat-functions', 'chunk-defaults', 0.52]]);
  });

  it('never trusts the model score: all criteria unsupported → 0 / incorrect', () => {
    const answer = modelAnswer();
    answer.criteria = answer.criteria.map((c) => ({ ...c, evidence: 'it is clearly there' }));
    const review = postProcessLlmReview(answer, reviewInput(TWO_OF_THREE));
    expect(review).toMatchObject({ score: 0, verdict: 'incorrect', passed: false });
    expect(review.criteria.every((c) => !c.met && c.comment.endsWith('(evidence not found in submission)'))).toBe(true);
  });

  it('keeps real quotes in any evidence format and drops trivial ones', () => {
    const { quotes, dropped } = verifyEvidence(
      ['- `total = a + b` and ``return total``', '"def add(a, b):"', 'main.py:1: `a`', 'other.py:3: `print(add(2, 3))`'].join('\n'),
      [{ path: 'main.py', text: TWO_OF_THREE }],
    );
    expect(quotes).toEqual([
      { path: 'main.py', line: 6, quote: 'total = a + b' },
      { path: 'main.py', line: 7, quote: 'return total' },
      { path: 'main.py', line: 4, quote: 'def add(a, b):' },
      { path: 'main.py', line: 14, quote: 'print(add(2, 3))' },
    ]);
    expect(dropped).toBe(1);
    const multi = verifyEvidence('`def add(a, b):\n    """Add two numbers and give back the sum."""`', [{ path: 'main.py', text: TWO_OF_THREE }]);
    expect(multi.quotes.map((q) => q.line)).toEqual([4, 5]);
  });

  it('marks criteria the model skipped as not assessed and ignores invented ones', () => {
    const answer = modelAnswer();
    answer.criteria = [answer.criteria[0]!, { criterion: 'writes tests', met: true, evidence: '`def add(a, b):`', comment: '' }];
    const review = postProcessLlmReview(answer, reviewInput(TWO_OF_THREE));
    expect(review.criteria.map((c) => [c.criterion, c.met, c.comment])).toEqual([
      [CRITERIA[0], true, 'Uses def.'],
      [CRITERIA[1], false, 'Not assessed by the reviewer.'],
      [CRITERIA[2], false, 'Not assessed by the reviewer.'],
    ]);
    expect(review.score).toBe(33);
  });

  it('accepts a JSON string in a code fence and refuses answers that are not a review', () => {
    const review = postProcessLlmReview('```json\n' + JSON.stringify(modelAnswer()) + '\n```', reviewInput(TWO_OF_THREE));
    expect(review.score).toBe(67);
    expect(() => postProcessLlmReview('I think it is fine', reviewInput(TWO_OF_THREE))).toThrow(LlmReviewError);
    expect(() => postProcessLlmReview({ criteria: [{ criterion: 'x' }] }, reviewInput(TWO_OF_THREE))).toThrow(/criteria\.0\.met/);
  });
});

describe('reviewWithLlm', () => {
  it('asks with the criteria, the numbered submission, the course chunks and the JSON schema', async () => {
    let seen: { prompt: string; schema: Record<string, unknown> } | null = null;
    const review = await reviewWithLlm(reviewInput(TWO_OF_THREE, { responseLanguage: 'uk' }), async (prompt, opts) => {
      seen = { prompt, schema: opts.jsonSchema };
      return modelAnswer();
    });
    expect(seen!.prompt).toContain('1. defines a function with def\n2. returns a value\n3. uses a default argument');
    expect(seen!.prompt).toContain('   4| def add(a, b):');
    expect(seen!.prompt).toContain('[material_id=mat-functions chunk_id=chunk-defaults]');
    expect(seen!.prompt).toContain('ISO 639-1 code "uk"');
    expect(Object.keys((seen!.schema as { properties: object }).properties)).toContain('criteria');
    expect(review).toMatchObject({ score: 67, response_language: 'uk' });
    expect(review.criteria[2]!.comment).toContain('(доказ не знайдено в роботі)');
  });
});
