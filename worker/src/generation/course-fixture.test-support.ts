// Test support: a small, realistic course — three lessons of Markdown (Python lists, dictionaries, functions), a
// slide deck and a lecture transcript with timecodes — turned into chunks by the real ingestion code
// (markdown/subtitles extractors + chunker), then into the generation input the worker builds from DB rows.
import type { GenerationMaterial, GenerationNode } from '../../../shared/src/generation/generation-input.js';
import { chunkDocument } from '../ingestion/chunker.js';
import { DEFAULT_LIMITS, type Block } from '../ingestion/document.js';
import { markdownToDocument } from '../ingestion/markdown.js';
import { subtitlesToDocument } from '../ingestion/subtitles.js';

export const LISTS_MD = `# Python Lists

A list is an ordered, mutable collection of items written between square brackets.
Lists can hold values of any type, and one list may mix integers, strings and even other lists.

## Creating lists

You create a list by writing its items in square brackets, separated by commas: \`numbers = [1, 2, 3]\`.
An empty list is written as \`[]\`, and the built-in \`list()\` turns any iterable into a new list.

## Indexing and slicing

Indexing returns a single item of a list by its position, counting from zero.
Negative indexes count from the end of the list, so \`items[-1]\` is the last item.
Slicing returns a new list with a range of items: \`items[1:3]\` copies the items at positions 1 and 2.
A slice never changes the original list, so slicing is a safe way to copy part of a list.

## List methods

The append method adds one item to the end of a list, while extend adds every item of another iterable.
The pop method removes an item and returns it; without an argument pop removes the last item.
The sort method sorts a list in place, whereas the built-in sorted returns a new sorted list.

\`\`\`python
numbers = [3, 1, 2]
numbers.append(4)
numbers.sort()
\`\`\`
`;

export const DICTS_MD = `# Python Dictionaries

A dictionary maps unique keys to values, and looking up a value by its key is fast.
Dictionaries are written with curly braces and colons: \`ages = {"ana": 31, "kwame": 27}\`.

## Keys and values

Every key in a dictionary must be hashable, which is why strings, numbers and tuples make good keys.
Values can be anything, including lists and other dictionaries.
Assigning to a key that already exists replaces its value; assigning to a new key adds a key-value pair.

## Looking up values

Square brackets look up the value of a key and raise a KeyError when the key is missing.
The get method returns the value of a key, or a default value when the key is missing, without raising an error.
The in operator checks whether a key is present in a dictionary.

## Iterating over a dictionary

The items method returns the key-value pairs of a dictionary, so a for loop can unpack each key and value.
The keys method returns the keys and the values method returns the values, in insertion order.
A dictionary comprehension builds a dictionary from an iterable in a single expression.
`;

export const FUNCTIONS_MD = `# Python Functions

A function is a named block of code that runs only when it is called.
Functions let you reuse code, give a name to an idea, and test each piece of a program on its own.

## Defining functions

The def keyword defines a function, followed by its name, its parameters in parentheses and a colon.
The body of the function is indented below the def line.
A docstring is a string literal on the first line of the body that describes what the function does.

## Parameters and arguments

A parameter is a name in the function definition; an argument is the value passed when the function is called.
Default parameter values make a parameter optional: \`def greet(name, greeting="Hello")\`.
Keyword arguments are passed by parameter name, so their order does not matter.

## Return values

The return statement ends the function and sends a return value back to the caller.
A function without a return statement returns None.
Returning a tuple lets a function give back several values at once.
`;

export const SLIDES: { title: string; text: string; notes?: string }[] = [
  { title: 'Welcome to Python basics', text: 'Three short lessons, one lecture video, exercises after each lesson.' },
  {
    title: 'Lists at a glance',
    text: 'A list keeps items in order\nIndexing starts at zero\nSlicing copies part of a list\nappend, extend, pop, sort',
    notes: 'Remind students that slicing a list never changes the original list.',
  },
  {
    title: 'Dictionaries at a glance',
    text: 'A dictionary maps keys to values\nKeys must be hashable\nget returns a default for a missing key',
    notes: 'Show the KeyError you get when a key is missing from the dictionary.',
  },
  {
    title: 'Functions at a glance',
    text: 'def defines a function\nParameters receive arguments\nreturn sends a value back to the caller',
  },
];

export const LECTURE_VTT = `WEBVTT

00:00:00.000 --> 00:00:20.000
Hello and welcome. Today we look at three building blocks of Python programs.

00:00:20.000 --> 00:00:50.000
First, lists. A list keeps items in order, and indexing a list starts at zero.

00:00:50.000 --> 00:01:20.000
Slicing a list returns a new list, and append adds an item to the end of the list.

00:01:20.000 --> 00:01:55.000
Next, dictionaries. A dictionary maps each key to a value, and the get method avoids a KeyError for a missing key.

00:01:55.000 --> 00:02:30.000
Iterating over a dictionary with items gives you each key and value together.

00:02:30.000 --> 00:03:05.000
Finally, functions. The def keyword defines a function, and parameters receive the arguments of a call.

00:03:05.000 --> 00:03:40.000
The return statement sends a return value back to the caller of the function.
`;

function material(id: string, filename: string, source_type: string, blocks: Block[]): GenerationMaterial {
  // Small chunks so that sections span several chunks, as in a real course.
  const chunks = chunkDocument({ blocks }, { targetTokens: 60, overlapTokens: 0 });
  return { id, filename, source_type, chunks: chunks.map((c) => ({ id: `${id}-c${c.index}`, kind: c.type, text: c.text, metadata: c.metadata })) };
}

export function markdownMaterial(id: string, filename: string, md: string): GenerationMaterial {
  return material(id, filename, 'text', markdownToDocument(md, DEFAULT_LIMITS).blocks);
}

export function slidesMaterial(id: string, filename = 'python-basics.pptx'): GenerationMaterial {
  const blocks: Block[] = SLIDES.flatMap((s, i) => [
    { type: 'slide_text' as const, text: s.text, metadata: { slide: i + 1, heading_path: [s.title] } },
    ...(s.notes ? [{ type: 'slide_notes' as const, text: s.notes, metadata: { slide: i + 1, heading_path: [s.title] } }] : []),
  ]);
  return material(id, filename, 'presentation', blocks);
}

export function transcriptMaterial(id: string, filename = 'lecture.vtt'): GenerationMaterial {
  return material(id, filename, 'video', subtitlesToDocument(LECTURE_VTT, DEFAULT_LIMITS).blocks);
}

/** Root course with three lesson nodes (one Markdown file each) and a deck + lecture at the root. */
export function pythonCourse(): GenerationNode {
  const leaf = (id: string, title: string, m: GenerationMaterial): GenerationNode => ({ id, title, children: [], materials: [m] });
  return {
    id: 'node-root',
    title: 'Python basics',
    description: 'A first course on the core data structures and functions of Python.',
    learning_goal: 'Write small Python programs with lists, dictionaries and functions.',
    children: [
      leaf('node-lists', 'Lists', markdownMaterial('mat-lists', 'lists.md', LISTS_MD)),
      leaf('node-dicts', 'Dictionaries', markdownMaterial('mat-dicts', 'dictionaries.md', DICTS_MD)),
      leaf('node-functions', 'Functions', markdownMaterial('mat-functions', 'functions.md', FUNCTIONS_MD)),
    ],
    materials: [slidesMaterial('mat-slides'), transcriptMaterial('mat-lecture')],
  };
}

/** All chunks of a tree by id, with their material id. */
export function chunkIndex(node: GenerationNode): Map<string, { materialId: string; text: string; metadata: Record<string, unknown> }> {
  const out = new Map<string, { materialId: string; text: string; metadata: Record<string, unknown> }>();
  const visit = (n: GenerationNode) => {
    for (const m of n.materials) for (const c of m.chunks) out.set(c.id, { materialId: m.id, text: c.text, metadata: c.metadata as Record<string, unknown> });
    n.children.forEach(visit);
  };
  visit(node);
  return out;
}
