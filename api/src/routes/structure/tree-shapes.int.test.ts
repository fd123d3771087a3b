// Issue 11 item 1: course-level generation completes for every tree shape, in both modes (local provider).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../../../test/support/api.js';
import { startTestWorker } from '../../../../test/support/worker.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { Client } from '../../../../test/support/flow.js';
import type { Json } from '../../../../test/support/http.js';
import type { WorkerRuntime } from '../../../../worker/src/runtime.js';

let api: TestApi;
let worker: WorkerRuntime;
let alice: Client;

const DOC = (topic: string) => `# ${topic}\n\nA ${topic.toLowerCase()} is a building block of Python programs. Each ${topic.toLowerCase()} has a clear purpose.\n\n## Using ${topic.toLowerCase()}\n\nThe interpreter evaluates every ${topic.toLowerCase()} when the program runs, in order.`;

beforeAll(async () => {
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('shapes') });
  worker = await startTestWorker(api.config);
  alice = new Client(api.url, (await createTestTenant(api.deps.prisma)).key);
}, 60_000);
afterAll(async () => {
  await worker?.close();
  await api?.close();
});

/** Materials on: 'course', 'modules', 'lessons' (each module has one lesson when modules are used). */
async function tree(on: Set<'course' | 'modules' | 'lessons'>, withModules: boolean) {
  const root = await alice.createCourse('Python');
  const mats: string[] = [];
  const put = async (nodeId: string, name: string) => {
    const up = await alice.upload(nodeId, `${name.toLowerCase()}.md`, DOC(name));
    expect(up.status).toBe(201);
    mats.push(up.body.id);
  };
  if (on.has('course')) await put(root.id, 'Overview');
  for (const name of ['Variables', 'Loops']) {
    const parent = withModules ? await alice.addChild(root.id, `${name} module`) : root;
    if (withModules && on.has('modules')) await put(parent.id, `${name} intro`);
    const lesson = await alice.addChild(parent.id, name);
    if (on.has('lessons')) await put(lesson.id, name);
  }
  for (const id of mats) expect((await alice.waitForMaterial(id)).state).toBe('ready');
  return root;
}

const SHAPES: [string, ('course' | 'modules' | 'lessons')[], boolean][] = [
  ['materials only in lessons', ['lessons'], false],
  ['materials only in lessons under modules', ['lessons'], true],
  ['materials in modules and lessons', ['modules', 'lessons'], true],
  ['materials on the course itself', ['course'], false],
  ['mixed: course and lessons', ['course', 'lessons'], true],
];

describe('course-level generation for every tree shape', () => {
  for (const [label, on, withModules] of SHAPES) {
    for (const mode of ['free', 'guided'] as const) {
      it(`${label}, ${mode}`, async () => {
        const root = await tree(new Set(on), withModules);
        const r = await alice.post(`/nodes/${root.id}/generate`, { mode });
        expect(r.status).toBe(202);
        const jobs = await Promise.all([...r.body.generation_jobs, ...r.body.reconciliation_jobs].map((id: string) => alice.waitForJob(id, 60_000)));
        for (const j of jobs as Json[]) expect(j.status, JSON.stringify(j)).toBe('complete');
        const s = await alice.get(`/nodes/${root.id}/structure`);
        expect(s.status).toBe(200);
        const lessons = s.body.structure.course.modules.flatMap((m: Json) => m.lessons);
        expect(lessons.length).toBeGreaterThan(0);
      }, 90_000);
    }
  }
});
