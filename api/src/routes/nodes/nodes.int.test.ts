// Course tree routes against the real database: behaviour, cross-tenant invisibility, bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../../../test/support/api.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { Client } from '../../../../test/support/flow.js';
import { headObject } from '../../../../shared/src/storage/index.js';

let api: TestApi;
let alice: Client;
let bob: Client;
let aliceTenant: string;

beforeAll(async () => {
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('nodes') });
  const a = await createTestTenant(api.deps.prisma);
  const b = await createTestTenant(api.deps.prisma);
  alice = new Client(api.url, a.key);
  bob = new Client(api.url, b.key);
  aliceTenant = a.tenant.id;
});
afterAll(async () => api?.close());

const countNodes = () => api.deps.prisma.materialNode.count({ where: { tenantId: aliceTenant } });

describe('course tree', () => {
  it('creates a course and children appended last, and shows the tree', async () => {
    const course = await alice.createCourse('Python');
    expect(course).toMatchObject({ tenant_id: aliceTenant, parent_materialnode_id: null, title: 'Python', order: 0 });
    expect(course.created_at).toMatch(/Z$/);
    const l1 = await alice.addChild(course.id, 'Lists');
    const l2 = await alice.addChild(course.id, 'Dicts');
    const sub = await alice.addChild(l1.id, 'Slicing');
    expect([l1.order, l2.order, sub.order]).toEqual([0, 1, 0]);
    const tree = await alice.get(`/nodes/${course.id}/tree`);
    expect(tree.status).toBe(200);
    expect(tree.body).toHaveLength(1);
    expect(tree.body[0].children.map((c: { title: string }) => c.title)).toEqual(['Lists', 'Dicts']);
    expect(tree.body[0].children[0].children[0].title).toBe('Slicing');
    const detail = await alice.get(`/nodes/${course.id}/detail`);
    expect(detail.body[0].materials).toEqual([]);
    expect(detail.body[0].children[0].materials).toEqual([]);
  });

  it('lists courses newest first with limit/offset', async () => {
    const c = await createTestTenant(api.deps.prisma);
    const carol = new Client(api.url, c.key);
    for (const t of ['one', 'two', 'three']) await carol.createCourse(t);
    const page = await carol.get('/nodes?limit=2&offset=0');
    expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(page.body.items.map((n: { title: string }) => n.title)).toEqual(['three', 'two']);
    expect((await carol.get('/nodes?limit=2&offset=2')).body.items.map((n: { title: string }) => n.title)).toEqual(['one']);
    expect((await carol.get('/nodes?limit=0')).status).toBe(422);
    expect((await carol.get('/nodes?limit=101')).status).toBe(422);
    expect((await carol.get('/nodes?offset=-1')).status).toBe(422);
  });

  it('PATCH updates fields and null clears nullable ones', async () => {
    const n = (await alice.post('/nodes', { title: 'T', description: 'd', learning_goal: 'g' })).body;
    const r = await alice.patch(`/nodes/${n.id}`, { title: 'T2', description: null });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ title: 'T2', description: null, learning_goal: 'g' });
    expect((await alice.patch(`/nodes/${n.id}`, { title: null })).status).toBe(422);
  });

  it('move refuses self-parent and cycles (422); moves and renumbers the old siblings', async () => {
    const root = await alice.createCourse('R');
    const a = await alice.addChild(root.id, 'A');
    const b = await alice.addChild(root.id, 'B');
    const a1 = await alice.addChild(a.id, 'A1');
    const self = await alice.post(`/nodes/${a.id}/move`, { parent_materialnode_id: a.id });
    expect(self.status).toBe(422);
    expect(self.body.detail[0].loc).toEqual(['body', 'parent_materialnode_id']);
    expect((await alice.post(`/nodes/${a.id}/move`, { parent_materialnode_id: a1.id })).status).toBe(422);
    const moved = await alice.post(`/nodes/${a.id}/move`, { parent_materialnode_id: b.id });
    expect(moved.body).toMatchObject({ parent_materialnode_id: b.id, order: 0 });
    expect((await alice.get(`/nodes/${b.id}`)).body.order).toBe(0); // renumbered after A left
    const toRoot = await alice.post(`/nodes/${a1.id}/move`, { parent_materialnode_id: null });
    expect(toRoot.body.parent_materialnode_id).toBeNull();
  });

  it('reorder clamps and renumbers siblings 0..n-1', async () => {
    const root = await alice.createCourse('R');
    const kids = [];
    for (const t of ['a', 'b', 'c', 'd']) kids.push(await alice.addChild(root.id, t));
    expect((await alice.post(`/nodes/${kids[0].id}/reorder`, { order: 99 })).body.order).toBe(3);
    expect((await alice.post(`/nodes/${kids[3].id}/reorder`, { order: 0 })).body.order).toBe(0);
    const tree = (await alice.get(`/nodes/${root.id}/tree`)).body[0];
    expect(tree.children.map((c: { title: string; order: number }) => `${c.title}${c.order}`)).toEqual(['d0', 'b1', 'c2', 'a3']);
    expect((await alice.post(`/nodes/${kids[0].id}/reorder`, { order: -1 })).status).toBe(422);
  });

  it('delete removes the subtree and its stored files after the commit', async () => {
    const root = await alice.createCourse('Doomed');
    const child = await alice.addChild(root.id, 'child');
    const up = await alice.upload(child.id, 'notes.md', '# Notes\n\nSome text.');
    expect(up.status).toBe(201);
    const key = (await api.deps.prisma.material.findUniqueOrThrow({ where: { id: up.body.id } })).s3Key as string;
    const ref = { client: api.deps.s3, bucket: api.config.S3_BUCKET, key };
    expect(await headObject(ref)).not.toBeNull();
    expect((await alice.del(`/nodes/${root.id}`)).status).toBe(204);
    expect((await alice.get(`/nodes/${child.id}`)).status).toBe(404);
    expect((await alice.get(`/materials/${up.body.id}`)).status).toBe(404);
    expect(await headObject(ref)).toBeNull();
    expect(await api.deps.prisma.pendingDeletion.count({ where: { key } })).toBe(0);
    // Its ingest job did not stay queued: it was cancelled with the node.
    expect((await alice.get(`/jobs/${up.body.job_id}`)).body.status).toBe('cancelled');
  });
});

describe('another tenant', () => {
  it('sees none of it: every node route answers 404 and nothing changes', async () => {
    const course = await alice.createCourse('Private');
    const child = await alice.addChild(course.id, 'child');
    const own = await bob.createCourse('Bob');
    const before = await countNodes();
    const calls = [
      bob.get(`/nodes/${course.id}`),
      bob.get(`/nodes/${course.id}/tree`),
      bob.get(`/nodes/${course.id}/detail`),
      bob.post(`/nodes/${course.id}/children`, { title: 'x' }),
      bob.patch(`/nodes/${course.id}`, { title: 'hacked' }),
      bob.post(`/nodes/${child.id}/move`, { parent_materialnode_id: null }),
      bob.post(`/nodes/${own.id}/move`, { parent_materialnode_id: course.id }),
      bob.post(`/nodes/${child.id}/reorder`, { order: 0 }),
      bob.del(`/nodes/${course.id}`),
      bob.get(`/nodes/${course.id}/materials`),
    ];
    for (const r of await Promise.all(calls)) {
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({ code: 'not_found', request_id: expect.any(String) });
    }
    expect(await countNodes()).toBe(before);
    expect((await alice.get(`/nodes/${course.id}`)).body.title).toBe('Private');
    expect((await bob.get('/nodes')).body.items.map((n: { id: string }) => n.id)).not.toContain(course.id);
  });
});

describe('bad input', () => {
  it('answers 422 in the API.md shape and stores nothing', async () => {
    const before = await countNodes();
    const cases: [string, unknown, string][] = [
      ['/nodes', {}, 'missing'],
      ['/nodes', { title: '' }, 'string_too_short'],
      ['/nodes', { title: 'x'.repeat(501) }, 'string_too_long'],
      ['/nodes', { title: 5 }, 'string_type'],
      ['/nodes', { title: 'ok', description: 'x'.repeat(5001) }, 'string_too_long'],
      ['/nodes', { title: 'ok', unknown_field: 1 }, 'extra_forbidden'],
      ['/nodes', [1, 2], 'object_type'],
    ];
    for (const [path, body, type] of cases) {
      const r = await alice.post(path, body);
      expect(r.status, JSON.stringify(body).slice(0, 60)).toBe(422);
      expect(r.body.code).toBe('validation_error');
      expect(r.body.detail.map((d: { type: string }) => d.type)).toContain(type);
    }
    const bad = await alice.get('/nodes/not-a-uuid');
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0]).toMatchObject({ loc: ['path', 'id'], type: 'uuid_parsing' });
    const raw = await alice.req('POST', '/nodes', undefined, { 'content-type': 'application/json' });
    expect(raw.status).toBe(422);
    const malformed = await fetch(`${api.url}/api/v1/nodes`, {
      method: 'POST',
      headers: { 'X-API-Key': alice.key, 'content-type': 'application/json' },
      body: '{"title": "x"',
    });
    expect(malformed.status).toBe(422);
    expect(((await malformed.json()) as { detail: { type: string }[] }).detail[0]?.type).toBe('json_invalid');
    expect(await countNodes()).toBe(before);
  });
});

describe('tree integrity under concurrency and bad data (#13.1)', () => {
  const parentOf = async (id: string) =>
    (await api.deps.prisma.materialNode.findUniqueOrThrow({ where: { id }, select: { parentId: true } })).parentId;

  it('two opposite moves at once: one wins, the other is refused as a cycle, the tree stays a tree', async () => {
    for (let i = 0; i < 5; i++) {
      const root = await alice.createCourse(`race ${i}`);
      const x = await alice.addChild(root.id, 'X');
      const y = await alice.addChild(root.id, 'Y');
      const [rx, ry] = await Promise.all([
        alice.post(`/nodes/${x.id}/move`, { parent_materialnode_id: y.id }),
        alice.post(`/nodes/${y.id}/move`, { parent_materialnode_id: x.id }),
      ]);
      expect([rx.status, ry.status].sort()).toEqual([200, 422]);
      // No cycle: walking up from either node reaches the course.
      for (const start of [x.id, y.id]) {
        const seen = new Set<string>();
        let cur: string | null = start;
        while (cur && !seen.has(cur)) {
          seen.add(cur);
          cur = await parentOf(cur);
        }
        expect(cur, 'walking up ends at a root, not in a loop').toBeNull();
        expect(seen.has(root.id)).toBe(true);
      }
      const tree = await alice.get(`/nodes/${root.id}/tree`);
      expect(tree.status).toBe(200);
    }
  });

  it('a cycle already in the data (written around the API) cannot hang /tree, /detail or a move', async () => {
    const x = await alice.createCourse('loop X');
    const y = await alice.addChild(x.id, 'loop Y');
    // Close the loop behind the API's back: X's parent becomes Y.
    await api.deps.prisma.$executeRaw`UPDATE materialnodes SET parent_materialnode_id = ${y.id}::uuid WHERE id = ${x.id}::uuid`;
    const started = Date.now();
    const [tree, detail, move] = await Promise.all([
      alice.get(`/nodes/${x.id}/tree`),
      alice.get(`/nodes/${y.id}/detail`),
      alice.post(`/nodes/${y.id}/move`, { parent_materialnode_id: x.id }),
    ]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(tree.status).toBe(200);
    expect(tree.body[0].id).toBe(x.id);
    expect(tree.body[0].children.map((c: { id: string }) => c.id)).toEqual([y.id]);
    expect(tree.body[0].children[0].children).toEqual([]); // the loop is cut, not followed
    expect(detail.status).toBe(200);
    expect(move.status).toBe(422);
    await api.deps.prisma.$executeRaw`UPDATE materialnodes SET parent_materialnode_id = NULL WHERE id = ${x.id}::uuid`;
  });
  it('a tree may be 32 levels deep below its root: deeper creates and moves are refused with 422', async () => {
    const chain = [await alice.createCourse('deep')];
    for (let level = 1; level <= 32; level++) chain.push(await alice.addChild(chain[level - 1]!.id, `L${level}`));
    const tooDeep = await alice.post(`/nodes/${chain[32]!.id}/children`, { title: 'L33' });
    expect(tooDeep.status).toBe(422);
    expect(tooDeep.body.detail[0].msg).toMatch(/32 levels/);
    const twoLevels = await alice.createCourse('pair');
    await alice.addChild(twoLevels.id, 'pair child');
    const deepMove = await alice.post(`/nodes/${twoLevels.id}/move`, { parent_materialnode_id: chain[31]!.id });
    expect(deepMove.status).toBe(422);
    expect((await alice.post(`/nodes/${twoLevels.id}/move`, { parent_materialnode_id: chain[30]!.id })).status).toBe(200);
    const tree = await alice.get(`/nodes/${chain[0]!.id}/tree`);
    let depth = 0;
    for (let n = tree.body[0]; n.children.length; n = n.children[0]) depth++;
    expect(depth).toBe(32); // the whole chain is walked, nothing cut
  });
});

describe('statement timeout (#13.1)', () => {
  it('a statement that waits past DATABASE_STATEMENT_TIMEOUT_MS is cancelled and answered 503 with the error body', async () => {
    const slow = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('nodes-timeout'), DATABASE_STATEMENT_TIMEOUT_MS: '300' });
    try {
      const t = await createTestTenant(slow.deps.prisma);
      const c = new Client(slow.url, t.key);
      const root = await c.createCourse('held');
      const child = await c.addChild(root.id, 'child');
      const shown = await slow.deps.prisma.$queryRaw<{ statement_timeout: string }[]>`SHOW statement_timeout`;
      expect(shown[0]?.statement_timeout).toBe('300ms');
      // Another session holds the row the move must update; the move's statement waits and is cancelled.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const holder = api.deps.prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM materialnodes WHERE id = ${child.id}::uuid FOR UPDATE`;
        locked();
        await held;
      }, { timeout: 20_000 });
      await isLocked;
      const r = await c.post(`/nodes/${child.id}/move`, { parent_materialnode_id: null });
      release();
      await holder;
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ code: 'service_unavailable' });
      expect(typeof r.body.request_id).toBe('string');
      expect(await slow.deps.prisma.materialNode.findUniqueOrThrow({ where: { id: child.id } })).toMatchObject({ parentId: root.id });
    } finally {
      await slow.close();
    }
  });
});
