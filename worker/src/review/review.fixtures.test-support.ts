// A realistic review case shared by the reviewer tests: lesson material about Python functions (def, return,
// default arguments) plus an unrelated chunk, three criteria, and submissions covering some of them.
import type { ReviewInput, ReviewReferenceInput } from './review-inputs.js';

export const REFERENCES: ReviewReferenceInput[] = [
  {
    material_id: 'mat-functions',
    chunk_id: 'chunk-def',
    similarity: 0.71,
    text: 'Defining functions. In Python a function is defined with the def keyword, followed by the function name and its parameters in parentheses, e.g. def greet(name):. The indented block below is the body of the function.',
  },
  {
    material_id: 'mat-functions',
    chunk_id: 'chunk-return',
    similarity: 0.64,
    text: 'Return values. A function sends a result back to its caller with the return statement, for example return a + b. A function without return gives back None.',
  },
  {
    material_id: 'mat-functions',
    chunk_id: 'chunk-defaults',
    similarity: 0.52,
    text: 'Default arguments. A parameter can have a default value: def greet(name, greeting="Hello"). When the caller leaves that argument out, the default value is used instead.',
  },
  {
    material_id: 'mat-loops',
    chunk_id: 'chunk-while',
    similarity: 0.31,
    text: 'While loops repeat a block as long as a condition holds: while n > 0: n -= 1.',
  },
];

export const CRITERIA = ['defines a function with def', 'returns a value', 'uses a default argument'];

/** Covers "def" and "return" but has no default argument. */
export const TWO_OF_THREE = [
  '# Homework 3: functions',
  '',
  '',
  'def add(a, b):',
  '    """Add two numbers and give back the sum."""',
  '    total = a + b',
  '    return total',
  '',
  '',
  'def describe(x):',
  '    print("value:", x)',
  '',
  '',
  'print(add(2, 3))',
  '',
].join('\n');

export const ALL_THREE = [
  'def greet(name, greeting="Hello"):',
  '    message = f"{greeting}, {name}!"',
  '    return message',
  '',
  'print(greet("Ada"))',
  '',
].join('\n');

export const NONE = ['x = 2', 'y = 3', 'print(x * y)', ''].join('\n');

export function reviewInput(text: string, extra: Partial<ReviewInput> = {}): ReviewInput {
  return { files: [{ path: 'main.py', text }], criteria: CRITERIA, references: REFERENCES, responseLanguage: 'en', ...extra };
}
