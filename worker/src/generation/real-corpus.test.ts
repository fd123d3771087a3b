// Issue 11 items 4 and 5 on real documents (test/fixtures/real): a Sphinx manual, DocBook XHTML chapters and npm
// READMEs, extracted and chunked by the real ingestion code, then built into a structure by the local builder
// for a course with one chapter per lesson — in both modes and, as the worker does first, for each lesson alone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CourseStructure } from '../../../shared/src/generation/course-structure.js';
import type { GenerationNode } from '../../../shared/src/generation/generation-input.js';
import {
  chunkTextsOf,
  corpusCourse,
  corpusFile,
  grounding,
  hygieneProblems,
  REAL_CORPUS,
  structureStrings,
} from '../../../test/support/real-corpus.js';
import { buildLocalStructure } from './local-structure-builder.js';
import { isCompleteSentence } from './text-analysis.js';

const TOOLCHAINS = Object.keys(REAL_CORPUS) as (keyof typeof REAL_CORPUS)[];
const courses = new Map<string, GenerationNode>(await Promise.all(TOOLCHAINS.map(async (t) => [t, await corpusCourse(t)] as const)));
const lessonsOf = (s: CourseStructure) => s.course.modules.flatMap((m) => m.lessons);

describe('chunks of real documents read as the documents read', () => {
  it.each(TOOLCHAINS)('%s: no markup, URL, entity or permalink mark in any prose chunk', (t) => {
    const chunks = courses.get(t)!.children.flatMap((l) => l.materials.flatMap((m) => m.chunks));
    expect(chunks.length).toBeGreaterThan(10);
    const dirty = chunks.filter((c) => !c.metadata.code).flatMap((c) => hygieneProblems(c.text).map((p) => `${p}: ${c.text.slice(0, 120)}`));
    expect(dirty).toEqual([]);
    for (const c of chunks) for (const h of c.metadata.heading_path ?? []) expect(hygieneProblems(h), h).toEqual([]);
    expect(chunks.some((c) => c.metadata.code)).toBe(true);
  });

  it('keeps a Python code block byte for byte, marked as code', () => {
    const chunks = courses.get('sphinx')!.children.flatMap((l) => l.materials.flatMap((m) => m.chunks));
    const scope = chunks.find((c) => c.text.startsWith('def scope_test():'));
    expect(scope?.metadata).toMatchObject({ code: true, language: 'python3' });
    expect(scope!.text).toContain('def scope_test():\n    def do_local():\n        spam = "local spam"\n\n    def do_nonlocal():\n        nonlocal spam');
    // Every code line of the page is in a code chunk, whole: the source's <pre> blocks, entities decoded.
    const html = readFileSync(corpusFile(REAL_CORPUS.sphinx[1]!), 'utf8');
    const pre = [...html.matchAll(/<pre>([\s\S]*?)<\/pre>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&'));
    const codeText = chunks.filter((c) => c.metadata.code).map((c) => c.text).join('\n');
    for (const line of pre.flatMap((p) => p.split('\n')).filter((l) => l.trim())) expect(codeText).toContain(line);
  });

  it('drops the README header of badges and pictures and keeps link text without URLs', () => {
    const express = courses.get('markdown')!.children[0]!.materials[0]!.chunks;
    const text = express.filter((c) => !c.metadata.code).map((c) => c.text).join('\n');
    expect(text).toContain('Fast, unopinionated, minimalist web framework for Node.js.');
    expect(text).toContain('This is a Node.js module available through the npm registry.');
    expect(text).not.toMatch(/NPM Version|npm-url|srcset|Express Logo|Table of contents/);
  });
});

describe('the local structure of real documents', () => {
  for (const t of TOOLCHAINS) {
    for (const mode of ['guided', 'free'] as const) {
      const course = courses.get(t)!;
      const { structure } = buildLocalStructure({ node: course, mode });

      it(`${t}, ${mode}: no string with markup, a URL or an entity`, () => {
        const bad = structureStrings(structure).filter((s) => hygieneProblems(s).length > 0);
        expect(bad).toEqual([]);
      });

      it(`${t}, ${mode}: concept names occur in the text (≥ 95 %), definitions are complete sentences of it`, () => {
        const g = grounding(structure, chunkTextsOf(course));
        expect(g.concepts).toBeGreaterThan(5);
        expect(g.namesFound / g.concepts, JSON.stringify(g.missingNames)).toBeGreaterThanOrEqual(0.95);
        expect(g.missingDefinitions).toEqual([]);
        for (const l of lessonsOf(structure)) for (const c of l.concepts) expect(isCompleteSentence(c.definition), c.definition).toBe(true);
      });

      it(`${t}, ${mode}: titles come from headings, without section numbers or file names; exercises name concept and lesson`, () => {
        const titles = [...structure.course.modules.map((m) => m.title), ...lessonsOf(structure).map((l) => l.title)];
        for (const title of titles) {
          expect(title).not.toMatch(/^(?:\d+(?:\.\d+)*\.?|chapter \d+\.)\s/i);
          expect(title).not.toMatch(/^(readme|ch\d\d|ch\d\d en)$/i);
        }
        for (const l of lessonsOf(structure)) {
          const names = new Set(l.concepts.map((c) => c.name));
          for (const e of l.exercises) {
            expect(e.concept_names.length).toBeGreaterThan(0);
            for (const n of e.concept_names) {
              expect(names.has(n)).toBe(true);
              expect(e.prompt).toContain(n);
            }
            expect(e.prompt).toContain(l.title);
          }
        }
      });
    }
  }

  it('follows the sections of each DocBook chapter: one lesson per section, titled as the section', () => {
    const course = courses.get('docbook')!;
    for (const [i, lessonNode] of course.children.entries()) {
      const html = readFileSync(corpusFile(REAL_CORPUS.docbook[i]!), 'utf8');
      const sections = [...html.matchAll(/<h2 class="title"[^>]*>(?:<a id="[^"]*"\/>)?([^<]+)<\/h2>/g)].map((m) => m[1]!.replace(/^\d+\.\d+\.\s+/, '').trim());
      expect(sections.length).toBeGreaterThanOrEqual(4);
      // Generated alone (what the worker does for each lesson node first) and as part of the course.
      const alone = buildLocalStructure({ node: lessonNode }).structure;
      expect(alone.course.modules).toHaveLength(1);
      expect(alone.course.modules[0]!.lessons.map((l) => l.title)).toEqual(sections);
      const inCourse = buildLocalStructure({ node: course, mode: 'free' }).structure.course.modules[i]!;
      expect(inCourse.lessons.map((l) => l.title)).toEqual(sections);
      expect(inCourse.title).toBe(html.match(/<title>Chapter\s\d+\.\s([^<]+)<\/title>/)![1]);
    }
  });

  it('titles a README module from its node, never from the file name', () => {
    const course = courses.get('markdown')!;
    const renamed: GenerationNode = { ...course, children: course.children.map((c, i) => ({ ...c, title: ['Express', 'BullMQ'][i]!, materials: c.materials.map((m) => ({ ...m, filename: 'e.md' })) })) };
    const { structure } = buildLocalStructure({ node: renamed, mode: 'free' });
    expect(structure.course.modules.map((m) => m.title)).toEqual(['Express', 'BullMQ']);
  });
});

describe('concepts of a short prose lesson', () => {
  it('are terms of the text, not its common words', () => {
    const text = [
      '# Debugging',
      '',
      'When a program goes wrong, do not guess. Read the error message and tell yourself what the program was asked to do.',
      'A stack trace lists the lines that were running when the error happened, the most recent call last.',
      'Make the failing case small: a minimal reproduction is a short program that still shows the wrong behaviour.',
      'Print debugging means adding print calls to see the values of variables, line by line.',
      'A debugger lets you pause the program at a breakpoint and inspect every variable.',
      'Set a breakpoint where you think things go wrong, then step through the lines one at a time.',
    ].join('\n');
    const node: GenerationNode = {
      id: 'dbg',
      title: 'Debugging',
      children: [],
      materials: [{ id: 'm', filename: 'debugging.md', source_type: 'text', chunks: [{ id: 'c1', kind: 'paragraph', text, metadata: { heading_path: ['Debugging'] } }] }],
    };
    const names = lessonsOf(buildLocalStructure({ node }).structure).flatMap((l) => l.concepts.map((c) => c.name.toLowerCase()));
    expect(names.length).toBeGreaterThan(0);
    for (const common of ['guess', 'tell', 'small', 'lines', 'line', 'wrong', 'program', 'time']) expect(names).not.toContain(common);
    expect(names).toEqual(expect.arrayContaining(['stack trace', 'breakpoint']));
  });
});
