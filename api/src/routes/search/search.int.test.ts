// Search: relevance, isolation (subtree and tenant), HNSW recall against an exact scan, and the route's contract.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../../../test/support/api.js';
import { startTestWorker } from '../../../../test/support/worker.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { Client } from '../../../../test/support/flow.js';
import type { WorkerRuntime } from '../../../../worker/src/runtime.js';
import { newId } from '../../../../shared/src/db/ids.js';
import { createEmbeddingProvider } from '../../../../shared/src/providers/embeddings/index.js';
import { EXACT_SCAN_MAX_CHUNKS, exactSemanticSearch, semanticSearch, writeChunkEmbeddings } from '../../../../shared/src/db/vector/vector.repository.js';
import { sqlFile } from '../../../../shared/src/db/vector/sql-files.js';
import { searchNode } from './search.service.js';
import pgvector from 'pgvector';

let api: TestApi;
let worker: WorkerRuntime;
let alice: Client;
let bob: Client;

beforeAll(async () => {
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('search') });
  worker = await startTestWorker(api.config);
  alice = new Client(api.url, (await createTestTenant(api.deps.prisma)).key);
  bob = new Client(api.url, (await createTestTenant(api.deps.prisma)).key);
});
afterAll(async () => {
  await worker?.close();
  await api?.close();
});

const LESSON_A = `# Dictionaries

A dictionary maps hashable keys to values and looks them up in constant time on average.

Use the get method with a default to read a key that may be missing.`;
const LESSON_B = `# Recursion

A recursive function calls itself on a smaller input until it reaches a base case.

Without a base case the recursion never stops and Python raises RecursionError.`;

describe('POST /nodes/{id}/search', () => {
  let course: { id: string };
  let lessonA: { id: string };
  let lessonB: { id: string };

  beforeAll(async () => {
    course = await alice.createCourse('Python');
    lessonA = await alice.addChild(course.id, 'Dictionaries');
    lessonB = await alice.addChild(course.id, 'Recursion');
    const a = await alice.upload(lessonA.id, 'dicts.md', LESSON_A);
    const b = await alice.upload(lessonB.id, 'recursion.md', LESSON_B);
    for (const m of [a, b]) expect((await alice.waitForMaterial(m.body.id)).state).toBe('ready');
    // Bob has a course saying the same things: it must never show up for Alice.
    const other = await bob.createCourse('Copy');
    const c = await bob.upload(other.id, 'dicts.md', LESSON_A);
    await bob.waitForMaterial(c.body.id);
  });

  it.each(['semantic', 'hybrid'])('%s: a sentence of lesson A finds lesson A first', async (mode) => {
    const r = await alice.post(`/nodes/${course.id}/search`, {
      query: 'Use the get method with a default to read a key that may be missing',
      mode,
      k: 5,
    });
    expect(r.status).toBe(200);
    expect(r.body.items.length).toBeGreaterThan(0);
    const top = r.body.items[0];
    expect(top.materialnode_id).toBe(lessonA.id);
    expect(top.text).toContain('get method');
    expect(top).toMatchObject({ chunk_id: expect.any(String), material_id: expect.any(String), score: expect.any(Number) });
    const scores = r.body.items.map((i: { score: number }) => i.score);
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);
  });

  it('searching under a lesson never returns another subtree or another tenant', async () => {
    const r = await alice.post(`/nodes/${lessonB.id}/search`, { query: 'dictionary keys values get method', mode: 'hybrid', k: 50 });
    expect(r.status).toBe(200);
    for (const item of r.body.items) expect(item.materialnode_id).toBe(lessonB.id);
    const own = await alice.post(`/nodes/${course.id}/search`, { query: 'dictionary', mode: 'semantic', k: 50 });
    const allowed = new Set([lessonA.id, lessonB.id]);
    for (const item of own.body.items) expect(allowed.has(item.materialnode_id)).toBe(true);
  });

  it('another tenant gets 404; bad input gets 422', async () => {
    expect((await bob.post(`/nodes/${course.id}/search`, { query: 'x' })).status).toBe(404);
    for (const body of [{}, { query: '' }, { query: 'x'.repeat(2001) }, { query: 'x', k: 0 }, { query: 'x', k: 51 }, { query: 'x', mode: 'fuzzy' }]) {
      expect((await alice.post(`/nodes/${course.id}/search`, body)).status).toBe(422);
    }
  });

  it('re-uploading the same text pays no embedding again (cache by model and text hash)', async () => {
    const tenant = (await api.deps.prisma.materialNode.findUniqueOrThrow({ where: { id: lessonA.id } })).tenantId;
    const embedCalls = () => api.deps.prisma.providerCall.count({ where: { tenantId: tenant, action: 'embed' } });
    const fresh = `${LESSON_A}\n\nNote ${Date.now()}-${Math.random()}.`; // text no earlier run has embedded
    const start = await embedCalls();
    const first = await alice.upload(lessonA.id, 'dicts-new.md', fresh);
    expect((await alice.waitForMaterial(first.body.id)).state).toBe('ready');
    const afterFirst = await embedCalls();
    expect(afterFirst).toBeGreaterThan(start); // the provider was called for the new text
    const again = await alice.upload(lessonA.id, 'dicts-copy.md', fresh);
    expect((await alice.waitForMaterial(again.body.id)).state).toBe('ready');
    expect(await embedCalls()).toBe(afterFirst); // … and not again for the same text
  });
});

describe('HNSW recall', () => {
  it('on ≥ 5,000 chunks, filtered HNSW results have recall@10 ≥ 0.95 against an exact scan with the same filters', async () => {
    const prisma = api.deps.prisma;
    const embedder = createEmbeddingProvider({ kind: 'local', dimensions: api.config.EMBEDDING_DIMENSIONS });
    // Deterministic pseudo-text over a 3,000-word vocabulary (a seeded PRNG), so neighbours are not mostly ties.
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'xe', 'zu', 'pa', 'qi', 'do', 'fe', 'gu'];
    const words = Array.from({ length: 3000 }, () => Array.from({ length: 3 }, () => syllables[Math.floor(rand() * syllables.length)]).join(''));
    const corpus = Array.from({ length: 6000 }, () => Array.from({ length: 20 }, () => words[Math.floor(rand() * words.length)]).join(' '));
    const text = (i: number) => corpus[i % corpus.length] as string;
    const t = await createTestTenant(prisma);
    const c = new Client(api.url, t.key);
    const root = await c.createCourse('Big');
    const left = await c.addChild(root.id, 'left');
    const right = await c.addChild(root.id, 'right');
    const total = 6000;
    for (const [node, from] of [[left, 0], [right, total / 2]] as const) {
      const materialId = newId();
      await prisma.material.create({ data: { id: materialId, tenantId: t.tenant.id, nodeId: node.id, sourceType: 'text', state: 'ready' } });
      const texts = Array.from({ length: total / 2 }, (_, i) => text(from + i));
      const vectors = await embedder.embed(texts, { tenantId: t.tenant.id, action: 'test' });
      const ids = texts.map(() => newId());
      await prisma.chunk.createMany({
        data: texts.map((tx, i) => ({ id: ids[i] as string, tenantId: t.tenant.id, materialId, nodeId: node.id, ordinal: i, kind: 'paragraph', text: tx, tokenCount: 12, contentSha256: 'x'.repeat(64) })),
      });
      await writeChunkEmbeddings(prisma, ids.map((id, i) => ({ id, embedding: vectors[i] as number[] })));
    }
    await prisma.$executeRawUnsafe('ANALYZE material_chunks');

    // The measured path really is the HNSW index under the tenant + subtree filter. (For a subtree this small
    // the planner would rather sort the filtered rows exactly; forceIndex makes it walk the index.)
    const [probe] = await embedder.embed(['graph tree search'], { tenantId: t.tenant.id, action: 'test' });
    const plan = await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SET LOCAL hnsw.iterative_scan = relaxed_order');
      await tx.$executeRawUnsafe('SET LOCAL enable_sort = off');
      return tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${sqlFile('semantic-search.sql')}`, t.tenant.id, left.id, pgvector.toSql(probe), 10, -1);
    });
    expect(plan.map((p) => p['QUERY PLAN']).join('\n')).toMatch(/Index Scan using material_chunks_p\d+_embedding_idx/); // the tenant's partition's HNSW index

    let hits = 0;
    const queries = 40;
    for (let q = 0; q < queries; q++) {
      const [v] = await embedder.embed([text(q * 97 + 5).split(' ').slice(0, 8).join(' ')], { tenantId: t.tenant.id, action: 'test' });
      const approx = await semanticSearch(prisma, t.tenant.id, left.id, v as number[], 10, { efSearch: api.config.SEARCH_EF_SEARCH, forceIndex: true });
      const exact = await exactSemanticSearch(prisma, t.tenant.id, left.id, v as number[], 10);
      expect(approx.every((h) => h.materialnode_id === left.id)).toBe(true);
      const truth = new Set(exact.map((h) => h.chunk_id));
      hits += approx.filter((h) => truth.has(h.chunk_id)).length;
    }
    expect(hits / (queries * 10)).toBeGreaterThanOrEqual(0.95);
  }, 120_000);
});

describe('tenant-partitioned chunks', () => {
  it('another tenant with the same texts is never returned, and filtered results are never short, on either plan (exact sort of a small subtree, HNSW walk of a large one)', async () => {
    const prisma = api.deps.prisma;
    const embedder = createEmbeddingProvider({ kind: 'local', dimensions: api.config.EMBEDDING_DIMENSIONS });
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const words = Array.from({ length: 800 }, (_, i) => `w${i.toString(36)}x${Math.floor(rand() * 1000)}`);
    const big = 3 * EXACT_SCAN_MAX_CHUNKS;
    const small = 15;
    const texts = Array.from({ length: big + small }, () => Array.from({ length: 16 }, () => words[Math.floor(rand() * words.length)]).join(' '));
    const vectors = await embedder.embed(texts, { tenantId: newId(), action: 'test' });
    // Two tenants, the same chunks (texts and vectors) in the same shape: root → bigNode (big), smallNode (small).
    const tenants = [];
    for (let n = 0; n < 2; n++) {
      const t = await createTestTenant(prisma);
      const c = new Client(api.url, t.key);
      const root = await c.createCourse('Partitioned');
      const bigNode = await c.addChild(root.id, 'big');
      const smallNode = await c.addChild(root.id, 'small');
      const ids: string[] = [];
      for (const [node, from, count] of [[bigNode, 0, big], [smallNode, big, small]] as const) {
        const materialId = newId();
        await prisma.material.create({ data: { id: materialId, tenantId: t.tenant.id, nodeId: node.id, sourceType: 'text', state: 'ready', chunkCount: count } });
        const part = Array.from({ length: count }, (_, i) => ({ id: newId(), text: texts[from + i] as string, v: vectors[from + i] as number[] }));
        await prisma.chunk.createMany({
          data: part.map((p, i) => ({ id: p.id, tenantId: t.tenant.id, materialId, nodeId: node.id, ordinal: i, kind: 'paragraph', text: p.text, tokenCount: 16, contentSha256: 'x'.repeat(64) })),
        });
        await writeChunkEmbeddings(prisma, part.map((p) => ({ id: p.id, embedding: p.v })));
        ids.push(...part.map((p) => p.id));
      }
      tenants.push({ id: t.tenant.id, root, bigNode, smallNode, ids: new Set(ids) });
    }
    await prisma.$executeRawUnsafe('ANALYZE material_chunks');
    const [a, b] = tenants as [(typeof tenants)[number], (typeof tenants)[number]];
    for (let q = 0; q < 10; q++) {
      const v = vectors[(q * 131) % texts.length] as number[];
      for (const opts of [{}, { forceIndex: true }]) {
        const inSmall = await semanticSearch(prisma, a.id, a.smallNode.id, v, 40, opts);
        expect(inSmall).toHaveLength(small); // all of them, though they are 0.5 % of the tenant's chunks
        expect(inSmall.every((h) => h.materialnode_id === a.smallNode.id && a.ids.has(h.chunk_id))).toBe(true);
        const inRoot = await semanticSearch(prisma, a.id, a.root.id, v, 40, opts);
        expect(inRoot).toHaveLength(40);
        expect(inRoot.every((h) => a.ids.has(h.chunk_id))).toBe(true);
        // b's copy of the same chunk is at distance 0 too: it must not appear.
        expect(inRoot.some((h) => b.ids.has(h.chunk_id))).toBe(false);
      }
      const hybrid = await searchNode({ prisma, embedder: { ...embedder, embed: async () => [v] }, efSearch: 100 }, b.id, b.root.id, { query: texts[(q * 131) % texts.length] as string, k: 20, mode: 'hybrid' });
      expect(hybrid).toHaveLength(20);
      expect(hybrid.every((h) => b.ids.has(h.chunk_id))).toBe(true);
    }
  }, 120_000);
});
