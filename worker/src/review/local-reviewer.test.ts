import { describe, expect, it } from 'vitest';
import { LocalEmbeddingProvider } from '../../../shared/src/providers/embeddings/local-embedding.provider.js';
import { ReviewSchema, scoreCriteria, type Review } from '../../../shared/src/review/review.schema.js';
import { parseEvidence } from './evidence.js';
import { reviewLocally } from './local-reviewer.js';
import { renderReviewMarkdown } from './review-markdown.js';
import { ALL_THREE, NONE, REFERENCES, reviewInput, TWO_OF_THREE } from './review.fixtures.test-support.js';

/** Every quote occurs verbatim in the named file, on the line given. */
function expectQuotesVerbatim(review: Review, files: { path: string; text: string }[]): number {
  let count = 0;
  for (const c of review.criteria) {
    for (const line of c.evidence.split('\n').filter(Boolean)) {
      const m = /^(.+?):(\d+): /.exec(line);
      expect(m, `evidence line "${line}" has path:line`).not.toBeNull();
      const file = files.find((f) => f.path === m![1]);
      expect(file).toBeDefined();
      const [claim] = parseEvidence(line);
      expect(file!.text).toContain(claim!.quote);
      expect(file!.text.split('\n')[Number(m![2]) - 1]).toContain(claim!.quote);
      count++;
    }
  }
  return count;
}

describe('reviewLocally', () => {
  it('scores a submission covering two of three criteria in the partial range, naming the unmet one', async () => {
    const input = reviewInput(TWO_OF_THREE);
    const review = await reviewLocally(input);
    expect(ReviewSchema.parse(review)).toEqual(review);
    expect(review.criteria.map((c) => [c.criterion, c.met])).toEqual([
      ['defines a function with def', true],
      ['returns a value', true],
      ['uses a default argument', false],
    ]);
    expect(review.score).toBe(67);
    expect(review.score).toBeGreaterThanOrEqual(50);
    expect(review.score).toBeLessThan(85);
    expect(review.verdict).toBe('partial');
    expect(review.passed).toBe(true);
    expect(review.summary).toContain('2 of 3 criteria met');
    expect(review.summary).toContain('uses a default argument');
    expect(review.issues).toEqual(['Not met: uses a default argument']);
    expect(review.strengths).toHaveLength(2);

    // Evidence: verbatim, with the right line numbers.
    expect(expectQuotesVerbatim(review, input.files)).toBeGreaterThanOrEqual(2);
    expect(review.criteria[0]!.evidence).toBe('main.py:4: `def add(a, b):`');
    expect(review.criteria[1]!.evidence).toBe('main.py:7: `return total`');
    expect(review.criteria[2]!.evidence).toBe('');
    expect(review.criteria[2]!.comment).toMatch(/default.*argument/);

    // Suggestion points at the material chunk about default arguments; references come from the input.
    expect(review.suggestions).toEqual([
      'Revisit “uses a default argument” in the course material (material mat-functions, chunk chunk-defaults).',
    ]);
    const ids = review.references.map((r) => r.chunk_id);
    expect(ids.slice(0, 3)).toEqual(['chunk-def', 'chunk-return', 'chunk-defaults']);
    for (const r of review.references) {
      const src = REFERENCES.find((x) => x.chunk_id === r.chunk_id)!;
      expect(r.similarity).toBe(src.similarity);
      expect(src.text.replace(/\s+/g, ' ')).toContain(r.excerpt.replace(/…$/, ''));
    }
  });

  it('is deterministic (same input, fresh embedder → identical review)', async () => {
    const a = await reviewLocally(reviewInput(TWO_OF_THREE));
    const b = await reviewLocally(reviewInput(TWO_OF_THREE), { embedder: new LocalEmbeddingProvider({ dimensions: 384 }) });
    expect(b).toEqual(a);
    expect(JSON.stringify(await reviewLocally(reviewInput(TWO_OF_THREE)))).toBe(JSON.stringify(a));
  });

  it('recognises a default argument from the code itself and gives full marks', async () => {
    const input = reviewInput(ALL_THREE);
    const review = await reviewLocally(input);
    expect(review.criteria.every((c) => c.met)).toBe(true);
    expect(review).toMatchObject({ score: 100, verdict: 'correct', passed: true });
    expect(review.criteria[2]!.evidence).toBe('main.py:1: `def greet(name, greeting="Hello"):`');
    expect(review.issues).toEqual([]);
    expect(review.suggestions[0]).toMatch(/^Compare your solution/);
    expectQuotesVerbatim(review, input.files);
  });

  it('fails a submission that shows none of the criteria', async () => {
    const review = await reviewLocally(reviewInput(NONE));
    expect(review).toMatchObject({ score: 0, verdict: 'incorrect', passed: false });
    expect(review.issues).toHaveLength(3);
    expect(review.suggestions).toHaveLength(3);
  });

  it('uses the lesson key concepts when no criteria are given', async () => {
    const review = await reviewLocally(
      reviewInput(TWO_OF_THREE, {
        criteria: [],
        concepts: [
          { name: 'Functions', definition: 'reusable blocks of code defined with def' },
          { name: 'Default arguments', definition: 'parameters that have a default value' },
        ],
      }),
    );
    expect(review.criteria.map((c) => [c.criterion, c.met])).toEqual([
      ['Functions', true],
      ['Default arguments', false],
    ]);
    expect(review.criteria[0]!.evidence).toBe('main.py:4: `def add(a, b):`'); // code before the comment line
    expect(review.summary).toContain('key concepts');
    expect(review.score).toBe(scoreCriteria(review.criteria).score);
  });

  it('falls back to the task description, then to the course chunks', async () => {
    const task = await reviewLocally(reviewInput(TWO_OF_THREE, { criteria: null, taskDescription: 'Write a function that adds two numbers. Print the sum.' }));
    expect(task.criteria.map((c) => c.criterion)).toEqual(['Write a function that adds two numbers.', 'Print the sum.']);
    expect(task.criteria.every((c) => c.met)).toBe(true);
    const mats = await reviewLocally(reviewInput(TWO_OF_THREE, { criteria: null }));
    expect(mats.criteria).toHaveLength(3);
    expect(mats.criteria[0]!.criterion).toMatch(/^Applies the lesson material: Defining functions/);
    const nothing = await reviewLocally(reviewInput(TWO_OF_THREE, { criteria: null, references: [] }));
    expect(nothing).toMatchObject({ criteria: [], score: 0, verdict: 'incorrect', passed: false });
  });

  it('writes fixed phrases in Ukrainian, and falls back to English for other languages', async () => {
    const uk = await reviewLocally(reviewInput(TWO_OF_THREE, { responseLanguage: 'uk' }));
    expect(uk.response_language).toBe('uk');
    expect(uk.summary).toMatch(/^Виконано 2 з 3 критеріїв; оцінка 67\/100 — частково правильно\./);
    expect(uk.suggestions[0]).toContain('Повторіть «uses a default argument»');
    const de = await reviewLocally(reviewInput(TWO_OF_THREE, { responseLanguage: 'de' }));
    expect(de.response_language).toBe('en');
    expect(de.summary).toMatch(/^2 of 3 criteria met/);
  });

  it('quotes files in archives and notebook cells with their own paths', async () => {
    const files = [
      { path: 'src/util.py', text: 'import math\n\n\ndef area(r, pi=math.pi):\n    return pi * r * r\n' },
      { path: 'hw.ipynb#cell-2', text: 'print(area(2))', language: 'python' }, // as notebookToFiles gives it
    ];
    const review = await reviewLocally({ files, criteria: ['uses a default argument', 'prints the result'], references: [], responseLanguage: 'en' });
    expect(review.criteria.map((c) => c.evidence)).toEqual(['src/util.py:4: `def area(r, pi=math.pi):`', 'hw.ipynb#cell-2:1: `print(area(2))`']);
    expect(review.suggestions).toEqual([]); // all met and no course chunks to point at
    expectQuotesVerbatim(review, files);
  });
});

describe('renderReviewMarkdown', () => {
  it('renders the review with headings, marks, evidence as code and escaped client text', async () => {
    const review = await reviewLocally(reviewInput(TWO_OF_THREE, { criteria: ['defines a function with def', '# <b>uses</b> a default argument'] }));
    const md = renderReviewMarkdown(review);
    expect(md).toMatch(/^## Score: 50\/100 — partially correct \(not passed\)\n/);
    expect(md).toContain('- ✅ **defines a function with def**');
    expect(md).toContain('  - Evidence: main.py:4: `def add(a, b):`');
    expect(md).toContain('- ❌ **\\# \\<b\\>uses\\</b\\> a default argument**');
    expect(md).not.toContain('<b>');
    expect(md).toContain('### Suggestions');
    expect(md).toContain('### Course material');
    const uk = renderReviewMarkdown(await reviewLocally(reviewInput(TWO_OF_THREE, { responseLanguage: 'uk' })));
    expect(uk).toContain('### Критерії');
    expect(uk).toContain('## Оцінка: 67/100 — частково правильно (зараховано)');
  });
});
