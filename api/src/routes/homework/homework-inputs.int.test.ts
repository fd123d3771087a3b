// Bad inputs and tenant isolation for every route of the homework issue; each refusal leaves nothing behind
// (no submission, student, job, object or unfinished multipart upload). Refused webhook targets at submit and at
// PATCH /tenant/webhook, with the loopback allowance of tests and without it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../../../test/support/api.js';
import { addKey, createTestTenant } from '../../../../test/support/tenants.js';
import { Client } from '../../../../test/support/flow.js';
import { homeworkEnv, submit, tenantFootprint } from '../../../../test/support/homework.js';
import type { Json } from '../../../../test/support/http.js';

let api: TestApi;
let strict: TestApi; // ALLOW_PRIVATE_TARGETS=false and no APP_ENCRYPTION_KEY
let alice: Client;
let aliceCheck: Client;
let alicePrep: Client;
let bob: Client;
let aliceId: string;
let bobId: string;
let target: { course: string; node: string };
let bobTarget: { course: string; node: string };

beforeAll(async () => {
  // No worker: nothing accepted here is processed, so footprints only change by what a request itself stores.
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('hw-inputs'), ...homeworkEnv() });
  strict = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('hw-strict'), ALLOW_PRIVATE_TARGETS: 'false' });
  const a = await createTestTenant(api.deps.prisma);
  const b = await createTestTenant(api.deps.prisma);
  aliceId = a.tenant.id;
  bobId = b.tenant.id;
  alice = new Client(api.url, a.key);
  aliceCheck = new Client(api.url, (await addKey(api.deps.prisma, aliceId, { scopes: ['check'] })).key);
  alicePrep = new Client(api.url, (await addKey(api.deps.prisma, aliceId, { scopes: ['prep'] })).key);
  bob = new Client(api.url, b.key);
  const course = await alice.createCourse('Alice course');
  const lesson = await alice.addChild(course.id, 'Lesson');
  target = { course: course.id, node: lesson.id };
  const bc = await bob.createCourse('Bob course');
  bobTarget = { course: bc.id, node: (await bob.addChild(bc.id, 'Bob lesson')).id };
}, 60_000);

afterAll(async () => {
  await strict?.close();
  await api?.close();
});

const footprint = () => tenantFootprint(api, aliceId);
const FILE = 'def f():\n    return 1\n';

/** The request is refused with `status` (API.md error body) and nothing is stored. */
async function refused(status: number, send: () => Promise<{ status: number; body: { code?: string; detail?: unknown } }>) {
  const before = await footprint();
  const r = await send();
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body).toMatchObject({ code: expect.any(String), request_id: expect.any(String), detail: expect.anything() });
  expect(await footprint()).toEqual(before);
  return r.body;
}

/** A request with a raw body (Client.req JSON-encodes strings). */
async function raw(client: Client, method: string, path: string, body: string, contentType: string) {
  const res = await fetch(`${client.baseUrl}/api/v1${path}`, {
    method,
    headers: { 'X-API-Key': client.key, 'content-type': contentType },
    body,
  });
  return { status: res.status, body: (await res.json()) as Json };
}

const locs = (body: { detail?: unknown }) => (body.detail as { loc: (string | number)[] }[]).map((d) => d.loc.join('.'));

describe('POST /homework/submit: bad inputs leave nothing behind', () => {
  it('missing fields, wrong types and invalid UUIDs → 422 listing every problem', async () => {
    const body = await refused(422, () => submit(alice, { course: 'not-a-uuid', node: '123' }, null, { fields: { student_external_id: '' } }));
    expect(locs(body).sort()).toEqual(['body.course_node_id', 'body.file', 'body.node_id', 'body.student_external_id']);
    const form = new FormData();
    form.append('file', new Blob([FILE]), 'main.py');
    const missing = await refused(422, () => alice.req('POST', '/homework/submit', form));
    expect(locs(missing).sort()).toEqual(['body.course_node_id', 'body.node_id', 'body.student_external_id']);
    expect(JSON.stringify(missing.detail)).toContain('Field required');
    await refused(422, () => alice.post('/homework/submit', { student_external_id: 's', course_node_id: target.course }));
  });

  it('criteria must be a JSON array of at most 100 strings of at most 2000 characters', async () => {
    const notJson = await refused(422, () => submit(alice, target, FILE, { criteria: 'uses a loop' }));
    expect(JSON.stringify(notJson.detail)).toContain('JSON array of strings');
    await refused(422, () => submit(alice, target, FILE, { criteria: '[1, 2]' }));
    await refused(422, () => submit(alice, target, FILE, { criteria: '{"a": "b"}' }));
    await refused(422, () => submit(alice, target, FILE, { criteria: Array.from({ length: 101 }, (_, i) => `criterion ${i}`) }));
    await refused(422, () => submit(alice, target, FILE, { criteria: ['x'.repeat(2001)] }));
  });

  it('response_language must be ISO 639-1', async () => {
    for (const language of ['english', 'zz', 'e', 'en-US']) {
      const body = await refused(422, () => submit(alice, target, FILE, { language }));
      expect(locs(body)).toEqual(['body.response_language']);
    }
  });

  it('11 MiB → 413; .exe, no extension, content not matching the extension, empty file → 422', async () => {
    const big = await refused(413, () => submit(alice, target, Buffer.alloc(11 * 1024 * 1024, 'a'), { filename: 'big.txt' }));
    expect(big.code).toBe('payload_too_large');
    const exe = await refused(422, () => submit(alice, target, Buffer.from('MZ\x90\x00'), { filename: 'setup.exe' }));
    expect(JSON.stringify(exe.detail)).toContain('extension_not_allowed');
    await refused(422, () => submit(alice, target, FILE, { filename: 'Makefile' }));
    const fake = await refused(422, () => submit(alice, target, 'just text', { filename: 'project.zip' }));
    expect(JSON.stringify(fake.detail)).toContain('content_mismatch');
    await refused(422, () => submit(alice, target, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]), { filename: 'main.py' }));
    await refused(422, () => submit(alice, target, '', { filename: 'empty.py' }));
  });

  it('course must be a root (422), node inside it (422); missing or foreign ids → 404', async () => {
    const other = await alice.createCourse('Other course');
    expect(locs(await refused(422, () => submit(alice, { course: target.node, node: target.node }, FILE)))).toEqual(['body.course_node_id']);
    expect(locs(await refused(422, () => submit(alice, { course: other.id, node: target.node }, FILE)))).toEqual(['body.node_id']);
    const nobody = '01900000-0000-7000-8000-000000000000';
    expect((await refused(404, () => submit(alice, { course: nobody, node: target.node }, FILE))).detail).toBe('Course not found');
    expect((await refused(404, () => submit(alice, { course: target.course, node: nobody }, FILE))).detail).toBe('Node not found');
    // Bob's course or lesson is answered exactly like a missing one.
    expect((await refused(404, () => submit(alice, bobTarget, FILE))).detail).toBe('Course not found');
    expect((await refused(404, () => submit(alice, { course: target.course, node: bobTarget.node }, FILE))).detail).toBe('Node not found');
  });

  it('refused webhook targets → 422 naming webhook_url', async () => {
    for (const url of ['http://10.1.2.3/hook', 'http://169.254.169.254/latest/meta-data/', 'http://100.64.0.1/hook', 'http://0.0.0.0/hook',
      'http://[fd00::1]/hook', 'ftp://example.com/hook', 'http://user:pass@127.0.0.1/hook', 'not a url']) {
      const body = await refused(422, () => submit(alice, target, FILE, { webhookUrl: url }));
      expect(locs(body), url).toEqual(['body.webhook_url']);
    }
  });

  it('without the loopback allowance, 127.0.0.1 and [::1] are refused too', async () => {
    const t = await createTestTenant(strict.deps.prisma);
    const c = new Client(strict.url, t.key);
    const course = await c.createCourse('Strict');
    for (const url of ['http://127.0.0.1:9/hook', 'http://[::1]:9/hook', 'http://[::ffff:127.0.0.1]/hook', 'http://localhost:9/hook']) {
      const r = await submit(c, { course: course.id, node: course.id }, FILE, { webhookUrl: url });
      expect(r.status, url).toBe(422);
      expect(r.body.detail[0].loc).toEqual(['body', 'webhook_url']);
      expect((await c.patch('/tenant/webhook', { webhook_url: url })).status, url).toBe(422);
    }
    expect(await strict.deps.prisma.submission.count({ where: { tenantId: t.tenant.id } })).toBe(0);
  });

  it('a body that is not multipart → 422', async () => {
    await refused(422, () => raw(alice, 'POST', '/homework/submit', 'student_external_id=x', 'application/x-www-form-urlencoded'));
    await refused(422, () => raw(alice, 'POST', '/homework/submit', '--x\r\nbroken', 'multipart/form-data; boundary=x'));
  });
});

describe('scopes and tenant isolation', () => {
  it('submit needs check; tenant settings need prep; reads take either', async () => {
    expect((await refused(403, () => submit(alicePrep, target, FILE))).detail).toBe('Requires scope: check');
    expect((await aliceCheck.patch('/tenant/webhook', { webhook_url: '' })).body.detail).toBe('Requires scope: prep');
    expect((await aliceCheck.post('/tenant/webhook/secret')).status).toBe(403);
    expect((await alicePrep.get('/homework/submissions')).status).toBe(200);
    expect((await aliceCheck.get('/homework/submissions')).status).toBe(200);
  });

  it('another tenant’s submission is not found; lists never show it', async () => {
    const mine = await submit(aliceCheck, target, FILE, { student: 'iso-student' });
    expect(mine.status).toBe(202);
    const id = mine.body.submission_id;
    expect((await alice.get(`/homework/submissions/${id}`)).body).toMatchObject({ id, status: 'received', review: null, deliveries: [] });
    const theirs = await bob.get(`/homework/submissions/${id}`);
    expect(theirs.status).toBe(404);
    expect(theirs.body).toMatchObject({ detail: 'Submission not found', code: 'not_found' });
    expect((await bob.get('/homework/submissions?student_external_id=iso-student')).body).toMatchObject({ items: [], total: 0 });
    expect((await bob.get(`/homework/submissions?node_id=${target.node}`)).body.total).toBe(0);
    expect((await bob.get(`/jobs/${mine.body.job_id}`)).status).toBe(404);
    const listed = (await alice.get('/homework/submissions?student_external_id=iso-student')).body;
    expect(listed).toMatchObject({ total: 1, limit: 20, offset: 0 });
    expect(listed.items[0]).toMatchObject({ id, student_external_id: 'iso-student', materialnode_id: target.node });
    expect(listed.items[0].deliveries).toBeUndefined();
    expect((await alice.get(`/homework/submissions?node_id=${target.node}&status=received`)).body.total).toBeGreaterThanOrEqual(1);
    expect((await alice.get(`/homework/submissions?node_id=${target.node}&status=delivered`)).body.total).toBe(0);
  });

  it('bad ids and filters → 422; a missing id → 404', async () => {
    expect((await alice.get('/homework/submissions/not-a-uuid')).status).toBe(422);
    expect((await alice.get('/homework/submissions/01900000-0000-7000-8000-000000000000')).status).toBe(404);
    for (const q of ['status=bogus', 'node_id=abc', 'limit=0', 'limit=101', 'offset=-1', 'limit=x', 'student_external_id=']) {
      const r = await alice.get(`/homework/submissions?${q}`);
      expect(r.status, q).toBe(422);
      expect(r.body.detail[0].loc[0]).toBe('query');
    }
  });

  it('webhook settings are per tenant: set, clear, refuse, rotate secrets', async () => {
    const set = await alice.patch('/tenant/webhook', { webhook_url: 'http://127.0.0.1:9/alice' });
    expect(set.body).toEqual({ webhook_url: 'http://127.0.0.1:9/alice', has_secret: false });
    expect((await api.deps.prisma.tenant.findUniqueOrThrow({ where: { id: bobId } })).webhookUrl).toBeNull();
    const form = new FormData();
    form.append('webhook_url', 'http://127.0.0.1:9/form');
    expect((await alice.req('PATCH', '/tenant/webhook', form)).body.webhook_url).toBe('http://127.0.0.1:9/form');
    const urlencoded = await raw(alice, 'PATCH', '/tenant/webhook', 'webhook_url=http%3A%2F%2F127.0.0.1%3A9%2Fenc', 'application/x-www-form-urlencoded');
    expect(urlencoded.body.webhook_url).toBe('http://127.0.0.1:9/enc');
    const bad = await alice.patch('/tenant/webhook', { webhook_url: 'http://10.0.0.1/x' });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(['body', 'webhook_url']);
    expect((await alice.patch('/tenant/webhook', {})).status).toBe(422);
    expect((await alice.patch('/tenant/webhook', { webhook_url: 42 })).status).toBe(422);
    expect((await raw(alice, 'PATCH', '/tenant/webhook', '{not json', 'application/json')).body.detail[0].type).toBe('json_invalid');
    expect((await api.deps.prisma.tenant.findUniqueOrThrow({ where: { id: aliceId } })).webhookUrl).toBe('http://127.0.0.1:9/enc');
    expect((await alice.patch('/tenant/webhook', { webhook_url: null })).body).toEqual({ webhook_url: null, has_secret: false });

    const s1 = await alice.post('/tenant/webhook/secret');
    expect(s1.status).toBe(200);
    expect(s1.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const stored = (await api.deps.prisma.tenant.findUniqueOrThrow({ where: { id: aliceId } })).webhookSecretEnc as string;
    expect(stored).not.toContain(s1.body.secret.slice(6)); // encrypted at rest
    const s2 = await alice.post('/tenant/webhook/secret');
    expect(s2.body.secret).not.toBe(s1.body.secret);
    expect((await alice.patch('/tenant/webhook', { webhook_url: '' })).body.has_secret).toBe(true);
    expect((await api.deps.prisma.tenant.findUniqueOrThrow({ where: { id: bobId } })).webhookSecretEnc).toBeNull();
  });

  it('no APP_ENCRYPTION_KEY → 503 service_unavailable for a new secret', async () => {
    const t = await createTestTenant(strict.deps.prisma);
    const r = await new Client(strict.url, t.key).post('/tenant/webhook/secret');
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ code: 'service_unavailable', detail: expect.stringContaining('APP_ENCRYPTION_KEY') });
  });
});
