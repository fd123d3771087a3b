// Structure generation end to end with the local (heuristic) provider: dependency order, snapshots, reuse
// without model calls, refine/reconcile, 409/422, cascading failure, cancel, cost report, slide mappings,
// another tenant's ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../../../test/support/api.js';
import { startTestWorker } from '../../../../test/support/worker.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { Client } from '../../../../test/support/flow.js';
import type { Json } from '../../../../test/support/http.js';
import type { WorkerRuntime } from '../../../../worker/src/runtime.js';
import { makePptx } from '../../../../worker/src/ingestion/fixtures.test-support.js';

let api: TestApi;
let worker: WorkerRuntime;
let alice: Client;
let bob: Client;

const LESSONS: [string, string][] = [
  ['Lists', '# Python lists\n\nA list is an ordered, mutable sequence. Lists support indexing and slicing.\n\n## Appending\n\nThe append method adds an element to the end of a list.\n\n## Slicing\n\nSlicing returns a new list from a start index to a stop index.'],
  ['Dictionaries', '# Dictionaries\n\nA dictionary maps hashable keys to values.\n\n## Lookup\n\nThe get method returns a default value when a key is missing.\n\n## Iteration\n\nThe items method yields key and value pairs of a dictionary.'],
  ['Functions', '# Functions\n\nA function is defined with def and returns a value with return.\n\n## Default arguments\n\nA default argument gives a parameter a value when the caller omits it.\n\n## Recursion\n\nA recursive function calls itself until it reaches a base case.'],
];

beforeAll(async () => {
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('structure') });
  worker = await startTestWorker(api.config);
  alice = new Client(api.url, (await createTestTenant(api.deps.prisma)).key);
  bob = new Client(api.url, (await createTestTenant(api.deps.prisma)).key);
}, 60_000);
afterAll(async () => {
  await worker?.close();
  await api?.close();
});

async function course(client: Client, title = 'Python basics') {
  const root = await client.createCourse(title);
  const lessons: Json[] = [];
  for (const [name, text] of LESSONS) {
    const lesson = await client.addChild(root.id, name);
    const up = await client.upload(lesson.id, `${name.toLowerCase()}.md`, text);
    expect(up.status).toBe(201);
    lessons.push({ ...lesson, material: up.body });
  }
  for (const l of lessons) expect((await client.waitForMaterial(l.material.id)).state).toBe('ready');
  return { root, lessons };
}

const waitAll = async (client: Client, ids: string[]) => Promise.all(ids.map((id) => client.waitForJob(id, 60_000)));
const t = (iso: string | null) => new Date(iso as string).getTime();

describe('generate', () => {
  let c: Awaited<ReturnType<typeof course>>;
  let plan: Json;

  beforeAll(async () => {
    c = await course(alice);
    const r = await alice.post(`/nodes/${c.root.id}/generate`, { mode: 'guided' });
    expect(r.status).toBe(202);
    plan = r.body;
  }, 90_000);

  it('answers with the job lists and runs the jobs in dependency order', async () => {
    expect(plan.generation_jobs).toHaveLength(4); // three lessons, then the course
    expect(plan.reconciliation_jobs).toHaveLength(4); // the course, then each lesson
    expect(plan.estimated_llm_calls).toBe(8);
    expect(plan.mapping_warnings).toEqual([]);
    const gen = await waitAll(alice, plan.generation_jobs);
    const rec = await waitAll(alice, plan.reconciliation_jobs);
    for (const j of [...gen, ...rec]) expect(j.status, JSON.stringify(j)).toBe('complete');
    const rootGen = gen.find((j: Json) => j.materialnode_id === c.root.id);
    for (const g of gen.filter((j: Json) => j !== rootGen)) expect(t(g.completed_at)).toBeLessThanOrEqual(t(rootGen.started_at));
    const rootRec = rec.find((j: Json) => j.materialnode_id === c.root.id);
    expect(t(rootGen.completed_at)).toBeLessThanOrEqual(t(rootRec.started_at));
    for (const r of rec.filter((j: Json) => j !== rootRec)) expect(t(rootRec.completed_at)).toBeLessThanOrEqual(t(r.started_at));
  }, 90_000);

  it('stores a structure that mentions the materials\' own topics, labelled heuristic', async () => {
    const s = await alice.get(`/nodes/${c.root.id}/structure`);
    expect(s.status).toBe(200);
    expect(s.body.service_call).toMatchObject({ provider: 'local', cost_usd: 0 });
    expect(s.body.mode).toBe('guided');
    const text = JSON.stringify(s.body.structure).toLowerCase();
    for (const topic of ['list', 'dictionar', 'function']) expect(text).toContain(topic);
    const modules = s.body.structure.course.modules;
    expect(modules.length).toBeGreaterThanOrEqual(3);
    const lessons = modules.flatMap((m: Json) => m.lessons);
    expect(lessons.flatMap((l: Json) => l.concepts).length).toBeGreaterThan(0);
    expect(lessons.flatMap((l: Json) => l.exercises).length).toBeGreaterThan(0);
    expect(s.body.structure_tree[0]).toMatchObject({ type: 'module' });
    const history = await alice.get(`/nodes/${c.root.id}/structure/history`);
    expect(history.body.total).toBeGreaterThanOrEqual(2); // generate + reconcile
    const one = await alice.get(`/nodes/${c.root.id}/structure/snapshots/${history.body.items[0].id}`);
    expect(one.status).toBe(200);
    expect(one.body.structure).toBeDefined();
    // Another node's snapshot id under this node is 404.
    expect((await alice.get(`/nodes/${c.lessons[0].id}/structure/snapshots/${history.body.items[0].id}`)).status).toBe(404);
  });

  it('generating again with nothing changed makes no new model call', async () => {
    const calls = () => api.deps.prisma.providerCall.count({ where: { action: 'structuring', tenant: { nodes: { some: { id: c.root.id } } } } });
    const snaps = () => api.deps.prisma.structureSnapshot.count({ where: { nodeId: { in: [c.root.id, ...c.lessons.map((l) => l.id)] }, stepType: 'generate' } });
    const [beforeCalls, beforeSnaps] = [await calls(), await snaps()];
    expect(beforeCalls).toBeGreaterThan(0);
    const again = await alice.post(`/nodes/${c.root.id}/generate`, { mode: 'guided' });
    expect(again.status).toBe(202);
    for (const j of await waitAll(alice, [...again.body.generation_jobs, ...again.body.reconciliation_jobs])) expect(j.status).toBe('complete');
    expect(await calls()).toBe(beforeCalls);
    expect(await snaps()).toBe(beforeSnaps);
  }, 90_000);

  it('refine makes a new snapshot and reconciles up to the course', async () => {
    const lesson = c.lessons[1];
    const r = await alice.post(`/nodes/${lesson.id}/refine`, { mode: 'guided' });
    expect(r.status).toBe(202);
    expect(r.body.generation_jobs).toHaveLength(1);
    expect(r.body.reconciliation_jobs).toHaveLength(1); // the course
    for (const j of await waitAll(alice, [...r.body.generation_jobs, ...r.body.reconciliation_jobs])) expect(j.status).toBe('complete');
    const latest = await alice.get(`/nodes/${lesson.id}/structure/history?limit=1`);
    expect(latest.body.items[0].step_type).toBe('refine');
  }, 90_000);

  it('deleting the course takes its snapshots along', async () => {
    const doomed = await course(alice, 'Doomed');
    const plan = await alice.post(`/nodes/${doomed.root.id}/generate`, { mode: 'free' });
    await waitAll(alice, [...plan.body.generation_jobs, ...plan.body.reconciliation_jobs]);
    const ids = [doomed.root.id, ...doomed.lessons.map((l) => l.id)];
    expect(await api.deps.prisma.structureSnapshot.count({ where: { nodeId: { in: ids } } })).toBeGreaterThan(0);
    expect((await alice.del(`/nodes/${doomed.root.id}`)).status).toBe(204);
    expect(await api.deps.prisma.structureSnapshot.count({ where: { nodeId: { in: ids } } })).toBe(0);
  }, 120_000);

  it('the cost report sums this tenant\'s calls only', async () => {
    const r = await alice.get('/reports/cost');
    expect(r.status).toBe(200);
    expect(r.body.summary.calls).toBeGreaterThan(0);
    expect(r.body.summary.cost_usd).toBe(0);
    expect(r.body.by_action.map((g: Json) => g.group)).toEqual(expect.arrayContaining(['structuring', 'embed']));
    expect(r.body.by_provider.map((g: Json) => g.group)).toContain('local');
    const bobs = await bob.get('/reports/cost');
    expect(bobs.body.summary.calls).toBe(0);
    expect((await alice.get('/reports/cost?from=not-a-date')).status).toBe(422);
    expect((await alice.get('/reports/cost?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z')).status).toBe(422);
  });
});

describe('refusals and failures', () => {
  it('409 while an overlapping generation is queued; 422 without materials', async () => {
    const c = await course(alice, 'Overlap');
    const first = await alice.post(`/nodes/${c.root.id}/generate`, { mode: 'free' });
    expect(first.status).toBe(202);
    expect((await alice.post(`/nodes/${c.root.id}/generate`, { mode: 'free' })).status).toBe(409);
    expect((await alice.post(`/nodes/${c.lessons[0].id}/generate`, { mode: 'free' })).status).toBe(409);
    await waitAll(alice, [...first.body.generation_jobs, ...first.body.reconciliation_jobs]);
    const empty = await alice.createCourse('Empty');
    const r = await alice.post(`/nodes/${empty.id}/generate`, { mode: 'free' });
    expect(r.status).toBe(422);
    expect((await alice.post(`/nodes/${empty.id}/generate`, { mode: 'nope' })).status).toBe(422);
  }, 120_000);

  it('a failed ingestion fails the generation that waits for it, with the material and its reason', async () => {
    const root = await alice.createCourse('Broken');
    const up = await alice.upload(root.id, 'bad.txt', Buffer.from([0xc3, 0x28, 0x41]));
    const plan = await alice.post(`/nodes/${root.id}/generate`, { mode: 'free' });
    expect(plan.status).toBe(202);
    expect(plan.body.ingestion_jobs).toContain(up.body.job_id);
    const gen = await alice.waitForJob(plan.body.generation_jobs[0], 60_000);
    expect(gen.status).toBe('failed');
    expect(gen.error_message).toMatch(new RegExp(`^Material ${up.body.id} \\(bad\\.txt\\) failed: the text file is not valid UTF-8`));
    expect((await alice.waitForJob(plan.body.reconciliation_jobs[0])).status).toBe('failed');
  }, 90_000);

  it('cancelling a queued generation fails its dependents', async () => {
    const c = await course(alice, 'Cancel');
    const plan = await alice.post(`/nodes/${c.root.id}/generate`, { mode: 'free' });
    const rootGen = plan.body.generation_jobs.at(-1);
    const cancel = await alice.post(`/jobs/${rootGen}/cancel`);
    expect([200, 409]).toContain(cancel.status); // 409 only if it already finished
    if (cancel.status === 200) {
      expect(cancel.body.status).toBe('cancelled');
      const rec = await alice.waitForJob(plan.body.reconciliation_jobs[0]);
      expect(rec).toMatchObject({ status: 'failed', error_message: `Dependency ${rootGen} cancelled` });
    }
    await waitAll(alice, plan.body.generation_jobs);
  }, 90_000);
});

describe('slide mappings', () => {
  it('validates shape and material types at once, per item; lists; 404 for unknown ids', async () => {
    const root = await alice.createCourse('Slides');
    const video = await alice.upload(root.id, 'talk.vtt', 'WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHello and welcome\n\n00:00:05.000 --> 00:00:09.000\nLists hold items\n', 'video');
    const deck = await alice.upload(root.id, 'notes.md', '# not a deck');
    expect(video.status, JSON.stringify(video.body)).toBe(201);
    const r = await alice.post(`/nodes/${root.id}/slide-mapping`, {
      mappings: [
        { presentation_materialentry_id: deck.body.id, video_materialentry_id: video.body.id, slide_number: 1, video_timecode_start: '00:00:01' },
        { presentation_materialentry_id: 'nope', video_materialentry_id: video.body.id, slide_number: 0, video_timecode_start: 'later' },
      ],
    });
    expect(r.status).toBe(422); // the first names a text material as the deck, the second is malformed
    expect(r.body.rejected.map((x: Json) => x.index)).toEqual([0, 1]);
    expect(r.body.rejected[1].errors.map((e: Json) => e.field)).toEqual(expect.arrayContaining(['slide_number', 'video_timecode_start', 'presentation_materialentry_id']));
    expect((await alice.get(`/nodes/${root.id}/slide-mapping`)).body).toEqual({ items: [], total: 0 });
    expect((await bob.get(`/nodes/${root.id}/slide-mapping`)).status).toBe(404);
    expect((await alice.del('/slide-mapping/00000000-0000-7000-8000-000000000000')).status).toBe(404);
  });
});

describe('slide mappings in the generation context', () => {
  it('a validated mapping puts the video timecode on the slide in the generated structure', async () => {
    const root = await alice.createCourse('Mapped');
    const deck = await makePptx([
      { file: 'slide1.xml', title: 'Tuples', body: ['A tuple is an immutable sequence of values.'] },
      { file: 'slide2.xml', title: 'Unpacking', body: ['Tuple unpacking assigns each item to a variable.'] },
    ]);
    const d = await alice.upload(root.id, 'tuples.pptx', deck, 'presentation');
    const v = await alice.upload(root.id, 'lecture.vtt', 'WEBVTT\n\n00:00:01.000 --> 00:00:20.000\nToday: tuples and unpacking.\n\n00:00:21.000 --> 00:00:40.000\nUnpacking assigns items to variables.\n', 'video');
    for (const m of [d, v]) expect((await alice.waitForMaterial(m.body.id)).state).toBe('ready');
    const r = await alice.post(`/nodes/${root.id}/slide-mapping`, {
      mappings: [{ presentation_materialentry_id: d.body.id, video_materialentry_id: v.body.id, slide_number: 2, video_timecode_start: '00:00:21', video_timecode_end: '00:00:40' }],
    });
    expect(r.status).toBe(201);
    expect(r.body.mappings[0]).toMatchObject({ status: 'validated', video_timecode_start: '00:00:21' });
    const plan = await alice.post(`/nodes/${root.id}/generate`, { mode: 'guided' });
    for (const j of await waitAll(alice, [...plan.body.generation_jobs, ...plan.body.reconciliation_jobs])) expect(j.status).toBe('complete');
    const s = await alice.get(`/nodes/${root.id}/structure`);
    const refs: Json[] = JSON.stringify(s.body.structure).match(/\{[^{}]*"slide":2[^{}]*\}/g)?.map((x) => JSON.parse(x)) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.some((ref) => ref.start_seconds === 21)).toBe(true);
  }, 120_000);
});

describe('another tenant', () => {
  it('gets 404 from every structure route', async () => {
    const root = await alice.createCourse('Private');
    const calls = [
      bob.post(`/nodes/${root.id}/generate`, { mode: 'free' }),
      bob.post(`/nodes/${root.id}/refine`, { mode: 'free' }),
      bob.get(`/nodes/${root.id}/structure`),
      bob.get(`/nodes/${root.id}/structure/history`),
      bob.get(`/nodes/${root.id}/structure/snapshots/00000000-0000-7000-8000-000000000000`),
      bob.post(`/nodes/${root.id}/slide-mapping`, {
        mappings: [{ presentation_materialentry_id: root.id, video_materialentry_id: root.id, slide_number: 1, video_timecode_start: 0 }],
      }),
    ];
    for (const res of await Promise.all(calls)) expect(res.status, JSON.stringify(res.body)).toBe(404);
    expect(await api.deps.prisma.job.count({ where: { nodeId: root.id } })).toBe(0);
  });
});
