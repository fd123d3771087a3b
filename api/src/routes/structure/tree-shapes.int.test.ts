// Issue 11: course-level generation completes for every tree shape, in both modes (local provider, item 1);
// generating right after uploading waits for the materials to be embedded, however long that takes, using up no
// attempt (slow embedder: a local server speaking the OpenAI embeddings protocol, item 2); switching the LLM
// provider or model makes a new snapshot from the model instead of reusing the old one (item 3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../../../shared/src/net/local-server.test-support.js';
import { createEmbeddingProvider } from '../../../../shared/src/providers/embeddings/index.js';
import { findReusable } from '../../../../shared/src/db/structure.repository.js';
import { startTestApi, uniquePrefix, type TestApi } from '../../../../test/support/api.js';
import { recordEmbeddingModel } from '../../../../shared/src/db/vector/embedding-space.js';
import { embeddingModelKey } from '../../../../shared/src/providers/from-config.js';
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
async function tree(on: Set<'course' | 'modules' | 'lessons'>, withModules: boolean, opts: { client?: Client; waitReady?: boolean } = {}) {
  const alice = opts.client ?? defaultClient();
  const root = await alice.createCourse('Python');
  const mats: string[] = [];
  const uploadJobs: string[] = [];
  const put = async (nodeId: string, name: string) => {
    const up = await alice.upload(nodeId, `${name.toLowerCase()}.md`, DOC(name));
    expect(up.status).toBe(201);
    mats.push(up.body.id);
    uploadJobs.push(up.body.job_id);
  };
  if (on.has('course')) await put(root.id, 'Overview');
  for (const name of ['Variables', 'Loops']) {
    const parent = withModules ? await alice.addChild(root.id, `${name} module`) : root;
    if (withModules && on.has('modules')) await put(parent.id, `${name} intro`);
    const lesson = await alice.addChild(parent.id, name);
    if (on.has('lessons')) await put(lesson.id, name);
  }
  if (opts.waitReady !== false) for (const id of mats) expect((await alice.waitForMaterial(id)).state).toBe('ready');
  return { root, mats, uploadJobs };
}
const defaultClient = () => alice;

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
        const { root } = await tree(new Set(on), withModules);
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

/**
 * An OpenAI-protocol embeddings server that answers each request after `delayMs` and, while `hold()` is in force,
 * not before `release()`: embedding takes as long as the test says, however fast or loaded the machine is.
 */
async function slowEmbedder(delayMs: number, dimensions: number): Promise<LocalServer & { hold(): void; release(): void }> {
  const local = createEmbeddingProvider({ kind: 'local', dimensions });
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  const server = await startLocalServer(async (_req, res, body) => {
    const { input } = JSON.parse(body.toString('utf8')) as { input: string[] };
    const vectors = await local.embed(input, { tenantId: 'stub', jobId: null, action: 'embed' });
    await new Promise((r) => setTimeout(r, delayMs));
    await gate;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', model: 'slow-embed', data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })), usage: { prompt_tokens: 10, total_tokens: 10 } }));
  });
  return Object.assign(server, {
    hold() {
      gate = new Promise<void>((r) => (open = r));
    },
    release() {
      open();
    },
  });
}

describe('generate immediately after upload, with a slow embedder (item 2)', () => {
  const EMBED_DELAY_MS = 4000;
  let slowApi: TestApi;
  let slowWorker: WorkerRuntime;
  let embedder: Awaited<ReturnType<typeof slowEmbedder>>;
  let bob: Client;
  beforeAll(async () => {
    embedder = await slowEmbedder(EMBED_DELAY_MS, 384);
    slowApi = await startTestApi({
      BULLMQ_PREFIX: uniquePrefix('slow-embed'),
      EMBEDDING_PROVIDER: 'openai',
      EMBEDDING_BASE_URL: embedder.origin,
      EMBEDDING_API_KEY: 'test-key',
      EMBEDDING_MODEL: 'slow-embed',
      EMBEDDING_DIMENSIONS: '384',
      WORKER_CONCURRENCY_EMBED: '1',
    });
    // This file's database already holds the default local model's vectors (the describes above). A deployment
    // switches models with `embeddings reembed`; these tests never search the older materials, so record the switch
    // the way reembed does without re-embedding them (the boot check would otherwise refuse the worker).
    await recordEmbeddingModel(slowApi.deps.prisma, embeddingModelKey(slowApi.config));
    slowWorker = await startTestWorker(slowApi.config);
    bob = new Client(slowApi.url, (await createTestTenant(slowApi.deps.prisma)).key);
  }, 60_000);
  afterAll(async () => {
    await slowWorker?.close();
    await recordEmbeddingModel(slowApi.deps.prisma, embeddingModelKey(api.config)); // back to this file's default
    await slowApi?.close();
    await embedder?.close();
  });

  const modes = ['free', 'guided', 'free', 'guided', 'free'] as const;
  for (const [i, [label, on, withModules]] of SHAPES.entries()) {
    const mode = modes[i]!;
    it(`${label}, ${mode}: generation waits for embedding, uses up no attempt, completes`, async () => {
      // A tenant of its own: the embedding cache is per tenant, and the shapes share their texts.
      const c = new Client(slowApi.url, (await createTestTenant(slowApi.deps.prisma)).key);
      embedder.hold(); // embedding does not finish until the checks below have seen generation waiting
      let released = false;
      try {
        const { root, mats, uploadJobs } = await tree(new Set(on), withModules, { client: c, waitReady: false });
        const r = await c.post(`/nodes/${root.id}/generate`, { mode });
        expect(r.status, JSON.stringify(r.body)).toBe(202);
        // The upload's job (ingestion) completes while the material is still being embedded: `state` is what says
        // "ready" (searchable), not the upload's job_id.
        for (const job of uploadJobs) expect((await c.waitForJob(job, 30_000)).status).toBe('complete');
        for (const id of mats) expect((await c.get(`/materials/${id}`)).body.state).toBe('pending');
        const generation = r.body.generation_jobs as string[];
        const waitingRow = await c.pollUntil(`/jobs/${generation[0]}`, (j) => (j?.status === 'queued' && /Waiting for/.test(j?.error_message ?? '')) || ['complete', 'failed'].includes(j?.status), 30_000);
        expect(waitingRow.status).toBe('queued');
        embedder.release();
        released = true;
        const jobs = (await Promise.all([...generation, ...r.body.reconciliation_jobs].map((id: string) => c.waitForJob(id, 120_000)))) as Json[];
        for (const j of jobs) expect(j.status, JSON.stringify(j)).toBe('complete');
        for (const j of jobs.slice(0, generation.length)) {
          expect(j.attempts, JSON.stringify(j)).toBe(1); // the waits used up no attempt
          expect(j.error_message).toBeNull();
        }
        for (const id of mats) expect((await c.get(`/materials/${id}`)).body.state).toBe('ready');
        const s = await c.get(`/nodes/${root.id}/structure`);
        expect(s.status).toBe(200);
        expect(s.body.structure.course.modules.flatMap((m: Json) => m.lessons).length).toBeGreaterThan(0);
      } finally {
        if (!released) embedder.release();
      }
    }, 180_000);
  }

  it('a material that fails while generation waits fails the generation with its reason', async () => {
    const root = await bob.createCourse('Broken');
    const lesson = await bob.addChild(root.id, 'Lesson');
    expect((await bob.upload(lesson.id, 'good.md', DOC('Function'))).status).toBe(201);
    const bad = await bob.upload(lesson.id, 'blank.txt', ' \n\t\n ');
    expect(bad.status).toBe(201);
    const r = await bob.post(`/nodes/${root.id}/generate`, { mode: 'free' });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const leaf = await bob.waitForJob(r.body.generation_jobs[0], 60_000);
    expect(leaf.status).toBe('failed');
    expect(leaf.error_message).toBe(`Material ${bad.body.id} (blank.txt) failed: no text could be extracted from the file`);
    const course = await bob.waitForJob(r.body.generation_jobs.at(-1), 30_000);
    expect(course.status).toBe('failed');
  }, 90_000);
});

describe('switching the LLM provider or model makes a new snapshot (item 3)', () => {
  let switchApi: TestApi;
  let switchWorker: WorkerRuntime | undefined;
  let model: LocalServer;
  let carol: Client;
  const calls: string[] = [];
  // A minimal valid CourseStructure; the stub gives it for every step (generate and reconcile share the schema).
  const answer = {
    course: {
      title: 'Python from the model',
      summary: 'Variables and loops.',
      modules: [
        {
          title: 'Basics',
          summary: 'The basics.',
          lessons: [
            {
              title: 'Variables',
              summary: 'Names for values.',
              concepts: [{ name: 'variable', definition: 'A variable is a building block of Python programs.', source_refs: [] }],
              exercises: [],
              timecodes: null,
              slide_refs: [],
            },
          ],
        },
      ],
    },
  };
  beforeAll(async () => {
    model = await startLocalServer((_req, res, body) => {
      const request = JSON.parse(body.toString('utf8')) as { model: string };
      calls.push(request.model);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          model: request.model,
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: JSON.stringify(answer) } }],
          usage: { prompt_tokens: 300, completion_tokens: 60, total_tokens: 360 },
        }),
      );
    });
    switchApi = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('llm-switch') });
    carol = new Client(switchApi.url, (await createTestTenant(switchApi.deps.prisma)).key);
  }, 60_000);
  afterAll(async () => {
    await switchWorker?.close();
    await switchApi?.close();
    await model?.close();
  });

  async function generateWith(config: Partial<TestApi['config']>, root: string) {
    await switchWorker?.close();
    switchWorker = await startTestWorker({ ...switchApi.config, ...config });
    const r = await carol.post(`/nodes/${root}/generate`, { mode: 'guided' });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    for (const id of [...r.body.generation_jobs, ...r.body.reconciliation_jobs]) expect((await carol.waitForJob(id, 60_000)).status).toBe('complete');
    return (await carol.get(`/nodes/${root}/structure/history?limit=100`)).body.items as Json[];
  }

  it('local → same config reuses → hosted model → another model: a new snapshot each switch, from the model', async () => {
    switchWorker = await startTestWorker(switchApi.config);
    const { root } = await tree(new Set(['lessons']), false, { client: carol });
    const local = await generateWith({}, root.id);
    const first = local.length;
    expect(local[0].service_call).toMatchObject({ provider: 'local', model_id: 'heuristic-v1', prompt_ref: 'reconcile.v1' });
    expect((await generateWith({}, root.id)).length).toBe(first); // nothing changed: reused, no new snapshot

    const hosted = { LLM_PROVIDER: 'openai' as const, LLM_BASE_URL: model.origin, LLM_API_KEY: 'test-key', LLM_MODELS: ['stub-model'] };
    const afterSwitch = await generateWith(hosted, root.id);
    expect(afterSwitch.length).toBeGreaterThan(first);
    expect(afterSwitch[0].service_call).toMatchObject({ provider: 'openai', model_id: 'stub-model', prompt_ref: 'reconcile.v1' });
    expect(calls.filter((m) => m === 'stub-model').length).toBeGreaterThanOrEqual(2); // generate and reconcile called the model
    const s = await carol.get(`/nodes/${root.id}/structure`);
    expect(s.body.structure.course.title).toBe('Python from the model');

    const callsBefore = calls.length;
    expect((await generateWith(hosted, root.id)).length).toBe(afterSwitch.length); // same model again: reused
    expect(calls.length).toBe(callsBefore);

    const other = await generateWith({ ...hosted, LLM_MODELS: ['other-model'] }, root.id);
    expect(other.length).toBeGreaterThan(afterSwitch.length);
    expect(other[0].service_call).toMatchObject({ provider: 'openai', model_id: 'other-model' });
  }, 180_000);

  it('a snapshot of another prompt version is not reused', async () => {
    const snap = await switchApi.deps.prisma.structureSnapshot.findFirstOrThrow({ where: { stepType: 'generate' }, orderBy: { createdAt: 'desc' } });
    const call = snap.serviceCall as { provider: string; model_id: string; prompt_ref: string };
    const key = [snap.tenantId, snap.nodeId, snap.nodeFingerprint, snap.mode as 'free' | 'guided', 'generate'] as const;
    expect((await findReusable(switchApi.deps.prisma, ...key, call))?.id).toBe(snap.id);
    expect(await findReusable(switchApi.deps.prisma, ...key, { ...call, prompt_ref: 'structure.v2' })).toBeNull();
    expect(await findReusable(switchApi.deps.prisma, ...key, { ...call, provider: 'local' === call.provider ? 'openai' : 'local' })).toBeNull();
  });
});
