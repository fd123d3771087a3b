// Submissions written to game the local reviewer, and correct ones in idioms a line-based matcher misses
// (issue #11 item 7). Gamed ones must fail (criteria unmet, low score); the idiomatic ones must pass.
import { describe, expect, it } from 'vitest';
import { reviewLocally } from './local-reviewer.js';
import { CRITERIA, REFERENCES } from './review.fixtures.test-support.js';

const review = (files: { path: string; text: string }[], criteria = CRITERIA) =>
  reviewLocally({ files, criteria, references: REFERENCES, responseLanguage: 'en' });
const py = (text: string) => [{ path: 'main.py', text }];

describe('the local reviewer cannot be gamed', () => {
  it('criteria pasted as # comments plus print("hello") → nothing met', async () => {
    const r = await review(py([...CRITERIA.map((c) => `# ${c}`), 'print("hello")', ''].join('\n')));
    expect(r.criteria.map((c) => c.met)).toEqual([false, false, false]);
    expect(r).toMatchObject({ score: 0, passed: false, verdict: 'incorrect' });
  });

  it('criteria echoed in a docstring and in string literals → nothing met', async () => {
    const text = [
      `"""${CRITERIA.join('. ')}."""`,
      `summary = "${CRITERIA.join('; ')}"`,
      "notes = ['def', 'return value', 'default argument']",
      'print(summary)',
      '',
    ].join('\n');
    const r = await review(py(text));
    expect(r.criteria.filter((c) => c.met)).toEqual([]);
    expect(r.passed).toBe(false);
  });

  it('JavaScript: criteria in // and /* */ comments and a template string → nothing met', async () => {
    const text = ['// defines a function with def', '/* returns a value,', '   uses a default argument */', 'console.log(`returns a value with a default argument`);', ''].join('\n');
    const r = await review([{ path: 'main.js', text }]);
    expect(r.criteria.filter((c) => c.met)).toEqual([]);
  });

  it('functions with the right names and empty bodies → nothing met', async () => {
    const text = [
      'def defines_function_with_def():',
      '    pass',
      '',
      'def returns_value():',
      '    """returns a value"""',
      '    ...',
      '',
      'def uses_default_argument(argument=None, value=1):',
      '    raise NotImplementedError()',
      '',
    ].join('\n');
    const r = await review(py(text));
    expect(r.criteria.map((c) => c.met)).toEqual([false, false, false]);
    expect(r.score).toBe(0);
  });

  it('a README that restates the criteria next to print("hello") → nothing met', async () => {
    const r = await review(
      [
        { path: 'README.md', text: `# My homework\n\nMy solution ${CRITERIA.join(', ')}.\n- a function with def\n- a default argument\n\n\`\`\`python\ndef uses_default_argument(): return value\n\`\`\`\n` },
        { path: 'main.py', text: 'print("hello")\n' },
      ],
      [...CRITERIA, 'explains the solution in a README'],
    );
    expect(r.criteria.slice(0, 3).map((c) => c.met)).toEqual([false, false, false]);
    expect(r.passed).toBe(false);
  });

  it('comments still count for a criterion about comments, and real code next to gamed comments still counts', async () => {
    const text = ['# defines a function with def', 'def add(a, b=0):  # uses a default argument', '    return a + b', ''].join('\n');
    const r = await review(py(text), [...CRITERIA, 'has comments']);
    expect(r.criteria.map((c) => c.met)).toEqual([true, true, true, true]);
    expect(r.criteria[2]!.evidence).toBe('main.py:2: `def add(a, b=0):  # uses a default argument`');
  });
});

describe('the local reviewer recognises idioms as the code they are', () => {
  const idiomatic = ['defines a function', 'returns a value', 'uses a default argument'];

  it('a one-line Python lambda with a default argument passes', async () => {
    const r = await review(py('greet = lambda name, greeting="Hello": f"{greeting}, {name}!"\nprint(greet("Ada"))\n'), idiomatic);
    expect(r.criteria.map((c) => c.met)).toEqual([true, true, true]);
    expect(r).toMatchObject({ score: 100, passed: true });
    expect(r.criteria[0]!.evidence).toBe('main.py:1: `greet = lambda name, greeting="Hello": f"{greeting}, {name}!"`');
  });

  it('a JavaScript arrow function with a default parameter passes', async () => {
    const r = await review([{ path: 'add.js', text: 'export const add = (a, b = 0) => a + b;\n' }], idiomatic);
    expect(r).toMatchObject({ score: 100, passed: true });
  });

  it('a list comprehension is a loop that builds a list', async () => {
    const r = await review(py('squares = lambda n: [i * i for i in range(n)]\n'), ['defines a function', 'uses a loop', 'returns a list']);
    expect(r.criteria.map((c) => c.met)).toEqual([true, true, true]);
  });

  it('a generator expression is a loop, yield returns values', async () => {
    const text = 'def evens(limit=10):\n    yield from (n for n in range(limit) if n % 2 == 0)\n';
    const r = await review(py(text), ['defines a function', 'uses a loop', 'uses a default argument', 'returns a value']);
    expect(r.criteria.map((c) => c.met)).toEqual([true, true, true, true]);
  });

  it('a match statement is a conditional branch', async () => {
    const text = ['def sign(x):', '    match x:', '        case 0:', '            return "zero"', '        case _:', '            return "positive" if x > 0 else "negative"', ''].join('\n');
    const r = await review(py(text), ['defines a function', 'uses a conditional branch', 'returns a value']);
    expect(r.criteria.map((c) => c.met)).toEqual([true, true, true]);
  });

  it('Kotlin (no grammar here: the small lexer) — comments do not count, code does', async () => {
    const gamed = await review([{ path: 'Main.kt', text: '// defines a function\n/* returns a value */\nval s = "uses a default argument"\n' }], idiomatic);
    expect(gamed.criteria.filter((c) => c.met)).toEqual([]);
    const real = await review([{ path: 'Main.kt', text: 'fun greet(name: String = "Ada"): String {\n    return "Hi " + name\n}\n' }], idiomatic);
    expect(real.criteria.map((c) => c.met)).toEqual([true, true, true]);
  });
});
