// Issue 11 items 4 and 5 end to end on real documents (test/fixtures/real): a course with one module per
// toolchain (Sphinx HTML, DocBook XHTML, npm READMEs) and one lesson per chapter, uploaded through the API,
// ingested and embedded by the worker, then generated at the course node with the local provider in both modes.
// Every document is uploaded exactly as published (the DocBook chapters with their XML prolog, issue 11 item 6).
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../support/api.js';
import { startTestWorker } from '../support/worker.js';
import { createTestTenant } from '../support/tenants.js';
import { Client } from '../support/flow.js';
import type { Json } from '../support/http.js';
import { corpusFile, grounding, hygieneProblems, REAL_CORPUS, structureStrings } from '../support/real-corpus.js';
import type { WorkerRuntime } from '../../worker/src/runtime.js';

let api: TestApi;
let worker: WorkerRuntime;
let client: Client;
let course: Json;
const materialIds: string[] = [];

beforeAll(async () => {
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('corpus') });
  worker = await startTestWorker(api.config);
  client = new Client(api.url, (await createTestTenant(api.deps.prisma)).key);
  course = await client.createCourse('Real documentation');
  for (const [toolchain, docs] of Object.entries(REAL_CORPUS)) {
    const module = await client.addChild(course.id, toolchain);
    for (const [i, doc] of docs.entries()) {
      const lesson = await client.addChild(module.id, `${toolchain} chapter ${i + 1}`);
      const body = await readFile(corpusFile(doc));
      const up = await client.upload(lesson.id, basename(doc.path), body);
      expect(up.status, JSON.stringify(up.body)).toBe(201);
      materialIds.push(up.body.id);
    }
  }
  for (const id of materialIds) {
    const m = await client.waitForMaterial(id, 120_000);
    expect(m.state, m.error_message).toBe('ready');
  }
}, 240_000);
afterAll(async () => {
  await worker?.close();
  await api?.close();
});

const chunks = () => api.deps.prisma.chunk.findMany({ where: { materialId: { in: materialIds } }, orderBy: [{ materialId: 'asc' }, { ordinal: 'asc' }] });

describe('real documents through the pipeline', () => {
  it('stores chunks without markup, URLs or entities, and code blocks verbatim, marked as code', async () => {
    const rows = await chunks();
    const prose = rows.filter((c) => !(c.metadata as Json).code);
    expect(prose.flatMap((c) => hygieneProblems(c.text).map((p) => `${p}: ${c.text.slice(0, 100)}`))).toEqual([]);
    const scope = rows.find((c) => c.text.startsWith('def scope_test():'));
    expect(scope?.metadata).toMatchObject({ code: true, language: 'python3' });
    expect(scope!.text).toContain('def scope_test():\n    def do_local():\n        spam = "local spam"');
    expect(rows.filter((c) => (c.metadata as Json).code).every((c) => !/^\n|\n$/.test(c.text))).toBe(true);
  });

  for (const mode of ['free', 'guided'] as const) {
    it(`generates the course in ${mode} mode: every job complete, a clean and grounded structure that follows the sections`, async () => {
      const r = await client.post(`/nodes/${course.id}/generate`, { mode });
      expect(r.status).toBe(202);
      const jobs = await Promise.all([...r.body.generation_jobs, ...r.body.reconciliation_jobs].map((id: string) => client.waitForJob(id, 120_000)));
      for (const j of jobs as Json[]) expect(j.status, JSON.stringify(j)).toBe('complete');
      const s = await client.get(`/nodes/${course.id}/structure`);
      expect(s.status).toBe(200);
      const structure = s.body.structure;
      expect(structureStrings(structure).filter((x) => hygieneProblems(x).length > 0)).toEqual([]);
      const g = grounding(structure, (await chunks()).map((c) => c.text));
      expect(g.concepts).toBeGreaterThan(20);
      expect(g.namesFound / g.concepts, JSON.stringify(g.missingNames)).toBeGreaterThanOrEqual(0.95);
      expect(g.missingDefinitions).toEqual([]);
      const lessons = structure.course.modules.flatMap((m: Json) => m.lessons);
      // 8 chapters of 4–10 top-level sections each: lessons follow the sections, not the chapters.
      expect(lessons.length).toBeGreaterThanOrEqual(30);
      for (const l of lessons) expect(l.title).not.toMatch(/^\d+(\.\d+)*\.?\s|^(readme|ch\d\d)/i);
    }, 300_000);
  }
});
