// Materials end to end: streamed upload → outbox → BullMQ → worker → chunks; limits; presigned uploads;
// cross-tenant invisibility; bad input leaves nothing behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../../../test/support/api.js';
import { startTestWorker } from '../../../../test/support/worker.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { Client } from '../../../../test/support/flow.js';
import { headObject, listPrefix, listUnfinishedMultipartUploads, tenantPrefix } from '../../../../shared/src/storage/index.js';
import type { WorkerRuntime } from '../../../../worker/src/runtime.js';

let api: TestApi;
let worker: WorkerRuntime;
let alice: Client;
let bob: Client;
let aliceTenant: string;

beforeAll(async () => {
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('materials'), MAX_UPLOAD_BYTES: String(6 * 1024 * 1024) });
  worker = await startTestWorker(api.config);
  const a = await createTestTenant(api.deps.prisma);
  const b = await createTestTenant(api.deps.prisma);
  alice = new Client(api.url, a.key);
  bob = new Client(api.url, b.key);
  aliceTenant = a.tenant.id;
});
afterAll(async () => {
  await worker?.close();
  await api?.close();
});

const ref = () => ({ client: api.deps.s3, bucket: api.config.S3_BUCKET });
async function tenantObjects(tenantId: string) {
  const keys: string[] = [];
  for await (const o of listPrefix({ ...ref(), prefix: tenantPrefix(tenantId) })) keys.push(o.key);
  return keys;
}
async function unfinishedUploads(tenantId: string) {
  const out = [];
  for await (const u of listUnfinishedMultipartUploads({ ...ref(), prefix: tenantPrefix(tenantId) })) out.push(u);
  return out;
}
const snapshot = async () => ({
  materials: await api.deps.prisma.material.count({ where: { tenantId: aliceTenant } }),
  jobs: await api.deps.prisma.job.count({ where: { tenantId: aliceTenant } }),
  objects: (await tenantObjects(aliceTenant)).length,
  multipart: (await unfinishedUploads(aliceTenant)).length,
});

const MARKDOWN = `# Lists in Python

Lists are ordered, mutable sequences.

## Slicing

A slice like items[1:3] returns a new list with the second and third items.

## Comprehensions

A list comprehension builds a list from an iterable in one expression.
`;

describe('upload → ingest → ready', () => {
  it('streams a Markdown file to S3, runs the job to complete and stores its chunks', async () => {
    const course = await alice.createCourse('Python');
    const up = await alice.upload(course.id, 'lists.md', MARKDOWN);
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({
      materialnode_id: course.id,
      source_type: 'text',
      filename: 'lists.md',
      state: 'pending',
      size_bytes: Buffer.byteLength(MARKDOWN),
      warnings: [],
    });
    expect(up.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    const job = await alice.waitForJob(up.body.job_id);
    expect(job).toMatchObject({ status: 'complete', job_type: 'ingest', progress: 100, subject_id: up.body.id });
    expect(job.started_at).not.toBeNull();
    const m = await alice.waitForMaterial(up.body.id);
    expect(m.state).toBe('ready');
    expect(m.job_id).not.toBe(up.body.job_id); // the embed job that finished it
    expect((await alice.get(`/jobs/${m.job_id}`)).body).toMatchObject({ job_type: 'embed', status: 'complete', depends_on: [up.body.job_id] });
    expect(m.chunk_count).toBeGreaterThan(0);
    const [withVectors] = await api.deps.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM material_chunks WHERE material_id = ${m.id}::uuid AND embedding IS NOT NULL`;
    expect(Number(withVectors?.n)).toBe(m.chunk_count);
    const chunks = await api.deps.prisma.chunk.findMany({ where: { materialId: m.id }, orderBy: { ordinal: 'asc' } });
    expect(chunks).toHaveLength(m.chunk_count);
    expect(chunks.map((c) => c.text).join('\n')).toContain('A list comprehension builds a list');
    expect(chunks.some((c) => JSON.stringify(c.metadata).includes('Slicing'))).toBe(true);
    const listed = await alice.get(`/nodes/${course.id}/materials`);
    expect(listed.body.map((x: { id: string }) => x.id)).toEqual([m.id]);
  });

  it('follows the job as server-sent events until a terminal state', async () => {
    const course = await alice.createCourse('SSE');
    const up = await alice.upload(course.id, 'a.txt', 'plain text for the events stream');
    const res = await fetch(`${api.url}/api/v1/jobs/${up.body.job_id}/events`, { headers: { 'X-API-Key': alice.key } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text(); // the stream ends by itself after the terminal event
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((x) => x[1]);
    expect(events.at(-1)).toBe('complete');
    const last = JSON.parse([...text.matchAll(/^data: (.*)$/gm)].at(-1)?.[1] ?? '{}');
    expect(last).toMatchObject({ id: up.body.job_id, status: 'complete', progress: 100 });
  });

  it('a file that cannot be extracted ends in state error with the reason; retry is allowed only then', async () => {
    const course = await alice.createCourse('Broken');
    const up = await alice.upload(course.id, 'bad.txt', Buffer.from([0xc3, 0x28, 0x41, 0x42]));
    expect(up.status).toBe(201);
    const job = await alice.waitForJob(up.body.job_id);
    expect(job.status).toBe('failed');
    expect(job.error_message).toMatch(/UTF-8/i);
    const m = (await alice.get(`/materials/${up.body.id}`)).body;
    expect(m).toMatchObject({ state: 'error' });
    expect(m.error_message).toMatch(/UTF-8/i);
    const retry = await alice.post(`/materials/${m.id}/retry`);
    expect(retry.status).toBe(200);
    expect(retry.body.state).toBe('pending');
    expect(retry.body.job_id).not.toBe(up.body.job_id);
    expect((await alice.post(`/materials/${m.id}/retry`)).status).toBe(409);
    await alice.waitForJob(retry.body.job_id);
  });

  it('deletes a material with its object and chunks', async () => {
    const course = await alice.createCourse('Del');
    const up = await alice.upload(course.id, 'x.md', '# X\n\ntext');
    await alice.waitForJob(up.body.job_id);
    const key = (await api.deps.prisma.material.findUniqueOrThrow({ where: { id: up.body.id } })).s3Key as string;
    expect((await alice.del(`/materials/${up.body.id}`)).status).toBe(204);
    expect(await headObject({ ...ref(), key })).toBeNull();
    expect(await api.deps.prisma.chunk.count({ where: { materialId: up.body.id } })).toBe(0);
    expect((await alice.get(`/materials/${up.body.id}`)).status).toBe(404);
  });
});

describe('limits', () => {
  it('over MAX_UPLOAD_BYTES → 413 and no row, job, object or unfinished multipart upload remains', async () => {
    const course = await alice.createCourse('Big');
    const before = await snapshot();
    const big = Buffer.alloc(8 * 1024 * 1024, 'a'); // 8 MiB > 6 MiB limit; text so the sniffing passes
    const r = await alice.upload(course.id, 'big.txt', big);
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ code: 'payload_too_large', request_id: expect.any(String) });
    expect(await snapshot()).toEqual(before);
  });

  it('a tenant quota is enforced with 413 and a clear detail', async () => {
    const small = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('quota'), TENANT_QUOTA_BYTES: '100' });
    try {
      const t = await createTestTenant(small.deps.prisma);
      const c = new Client(small.url, t.key);
      const course = await c.createCourse('Q');
      expect((await c.upload(course.id, 'a.txt', 'x'.repeat(60))).status).toBe(201);
      const r = await c.upload(course.id, 'b.txt', 'x'.repeat(60));
      expect(r.status).toBe(413);
      expect(r.body.detail).toMatch(/quota/i);
      expect((await c.get('/storage/usage')).body).toMatchObject({ total_bytes: 60, file_count: 1, quota_bytes: 100 });
    } finally {
      await small.close();
    }
  });
});

describe('presigned uploads', () => {
  it('upload-url → PUT → confirm-upload creates the material; a foreign key prefix is 403', async () => {
    const course = await alice.createCourse('Direct');
    const body = '# Direct\n\nUploaded without the API in the path.';
    const u = await alice.post(`/nodes/${course.id}/materials/upload-url`, {
      filename: 'direct.md',
      content_type: 'text/markdown',
      source_type: 'text',
      size_bytes: Buffer.byteLength(body),
    });
    expect(u.status).toBe(200);
    expect(u.body).toMatchObject({ method: 'PUT', expires_in: 900 });
    expect(u.body.key.startsWith(`tenants/${aliceTenant}/nodes/${course.id}/`)).toBe(true);
    // fetch sets Content-Length itself (from the body); the signed value must match it.
    const { 'content-length': length, ...headers } = u.body.headers;
    expect(Number(length)).toBe(Buffer.byteLength(body));
    const put = await fetch(u.body.upload_url, { method: 'PUT', headers, body });
    expect(put.status).toBe(200);
    const other = await bob.createCourse('Bob');
    expect((await bob.post(`/nodes/${other.id}/materials/confirm-upload`, { key: u.body.key, source_type: 'text' })).status).toBe(403);
    const c = await alice.post(`/nodes/${course.id}/materials/confirm-upload`, { key: u.body.key, source_type: 'text' });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ filename: 'direct.md', size_bytes: Buffer.byteLength(body), state: 'pending' });
    expect((await alice.waitForJob(c.body.job_id)).status).toBe('complete');
    expect((await alice.post(`/nodes/${course.id}/materials/confirm-upload`, { key: u.body.key, source_type: 'text' })).status).toBe(409);
    expect(await api.deps.prisma.uploadIntent.count({ where: { key: u.body.key } })).toBe(0);
    // Issue 13 item 3: alice's material id under bob's own prefix answers exactly like a random id (404).
    const bobTenant = (await api.deps.prisma.materialNode.findFirstOrThrow({ where: { id: other.id } })).tenantId;
    const keyFor = (id: string) => `tenants/${bobTenant}/nodes/${other.id}/${id}/direct.md`;
    const foreignId = await bob.post(`/nodes/${other.id}/materials/confirm-upload`, { key: keyFor(c.body.id), source_type: 'text' });
    const randomId = await bob.post(`/nodes/${other.id}/materials/confirm-upload`, { key: keyFor(crypto.randomUUID()), source_type: 'text' });
    expect(foreignId.status).toBe(404);
    expect(randomId.status).toBe(404);
    expect({ ...foreignId.body, request_id: 0 }).toEqual({ ...randomId.body, request_id: 0 });
  });

  it('concurrent confirms of one upload: one 201, the others 409, never 500 (issue 13 item 5, P2002)', async () => {
    const course = await alice.createCourse('Race');
    const body = '# Race\n\nConfirmed several times at once.';
    const u = await alice.post(`/nodes/${course.id}/materials/upload-url`, { filename: 'race.md', content_type: 'text/markdown', source_type: 'text' });
    expect((await fetch(u.body.upload_url, { method: 'PUT', headers: u.body.headers, body })).status).toBe(200);
    const all = await Promise.all([0, 1, 2, 3].map(() => alice.post(`/nodes/${course.id}/materials/confirm-upload`, { key: u.body.key, source_type: 'text' })));
    expect(all.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(await api.deps.prisma.material.count({ where: { s3Key: u.body.key } })).toBe(1);
  });

  it('declared size over the limit → 413; missing object → 404; foreign prefix → 403', async () => {
    const course = await alice.createCourse('Direct2');
    expect(
      (await alice.post(`/nodes/${course.id}/materials/upload-url`, { filename: 'a.md', content_type: 'text/markdown', source_type: 'text', size_bytes: 7 * 1024 * 1024 })).status,
    ).toBe(413);
    const u = await alice.post(`/nodes/${course.id}/materials/upload-url`, { filename: 'a.md', content_type: 'text/markdown', source_type: 'text' });
    expect((await alice.post(`/nodes/${course.id}/materials/confirm-upload`, { key: u.body.key, source_type: 'text' })).status).toBe(404);
    const foreign = `tenants/${aliceTenant}/nodes/00000000-0000-7000-8000-000000000000/x/a.md`;
    expect((await alice.post(`/nodes/${course.id}/materials/confirm-upload`, { key: foreign, source_type: 'text' })).status).toBe(403);
    expect((await alice.post(`/nodes/${course.id}/materials/confirm-upload`, { key: `${u.body.key}/../../x`, source_type: 'text' })).status).toBe(403);
  });
});

describe('storage routes', () => {
  it('lists files and usage under the tenant prefix; deleting a file removes its material; foreign keys are 403', async () => {
    const t = await createTestTenant(api.deps.prisma);
    const c = new Client(api.url, t.key);
    const course = await c.createCourse('S');
    const up = await c.upload(course.id, 'f.txt', 'hello storage');
    const files = (await c.get('/storage/files')).body;
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ size_bytes: 13 });
    expect((await c.get('/storage/usage')).body).toMatchObject({ total_bytes: 13, file_count: 1 });
    expect((await c.del(`/storage/files/tenants/${aliceTenant}/whatever.txt`)).status).toBe(403);
    expect((await c.del(`/storage/files/tenants/${t.tenant.id}/missing.txt`)).status).toBe(404);
    expect((await c.del(`/storage/files/${files[0].key}`)).status).toBe(204);
    expect((await c.get(`/materials/${up.body.id}`)).status).toBe(404);
    expect((await c.get('/storage/files')).body).toEqual([]);
  });
});

describe('another tenant', () => {
  it('gets 404 from every material and job route and changes nothing', async () => {
    const course = await alice.createCourse('Mine');
    const up = await alice.upload(course.id, 'mine.md', '# Mine\n\nsecret');
    await alice.waitForJob(up.body.job_id);
    const before = await snapshot();
    const form = new FormData();
    form.append('source_type', 'text');
    form.append('file', new Blob(['x']), 'x.txt');
    const calls = [
      bob.get(`/materials/${up.body.id}`),
      bob.del(`/materials/${up.body.id}`),
      bob.post(`/materials/${up.body.id}/retry`),
      bob.get(`/nodes/${course.id}/materials`),
      bob.req('POST', `/nodes/${course.id}/materials`, form),
      bob.post(`/nodes/${course.id}/materials/upload-url`, { filename: 'a.md', content_type: 'text/markdown', source_type: 'text' }),
      bob.post(`/nodes/${course.id}/materials/confirm-upload`, { key: 'tenants/x/y', source_type: 'text' }),
      bob.get(`/jobs/${up.body.job_id}`),
      bob.get(`/jobs/${up.body.job_id}/events`),
      bob.post(`/jobs/${up.body.job_id}/cancel`),
    ];
    for (const r of await Promise.all(calls)) expect(r.status).toBe(404);
    expect((await bob.get('/jobs')).body.items.map((j: { id: string }) => j.id)).not.toContain(up.body.job_id);
    expect(await snapshot()).toEqual(before);
  });
});

describe('bad input', () => {
  it('is refused with 4xx and leaves no row, job or object', async () => {
    const course = await alice.createCourse('Bad');
    const before = await snapshot();
    const form = (parts: [string, string | Blob, string?][]) => {
      const f = new FormData();
      for (const [k, v, name] of parts) {
        if (name) f.append(k, v as Blob, name);
        else f.append(k, v as string);
      }
      return f;
    };
    const pdfHeader = '%PDF-1.4\n';
    const cases: [FormData, number, string][] = [
      [form([['source_type', 'text']]), 422, 'no file and no URL'],
      [form([['file', new Blob(['x']), 'a.md']]), 422, 'source_type missing'],
      [form([['source_type', 'audio'], ['file', new Blob(['x']), 'a.md']]), 422, 'unknown type'],
      [form([['source_type', 'web'], ['file', new Blob(['x']), 'a.md']]), 422, 'file with web'],
      [form([['source_type', 'text'], ['file', new Blob(['x']), 'a.exe']]), 422, 'extension'],
      [form([['source_type', 'presentation'], ['file', new Blob(['x']), 'a.md']]), 422, 'extension for type'],
      [form([['source_type', 'text'], ['file', new Blob([]), 'a.md']]), 422, 'empty file'],
      [form([['source_type', 'presentation'], ['file', new Blob(['MZ\x90\x00 not a pdf']), 'a.pdf']]), 422, 'content lies'],
      [form([['source_type', 'text'], ['file', new Blob([pdfHeader + 'x'.repeat(100)]), 'a.txt']]), 422, 'pdf named txt'],
      [form([['source_type', 'web'], ['source_url', 'ftp://example.com/x']]), 422, 'not http'],
      [form([['source_type', 'web'], ['source_url', 'http://169.254.169.254/latest']]), 422, 'link-local'],
      [form([['source_type', 'text'], ['source_url', 'https://example.com/a']]), 422, 'text by URL'],
    ];
    for (const [body, status, what] of cases) {
      const r = await alice.req('POST', `/nodes/${course.id}/materials`, body);
      expect(r.status, what).toBe(status);
      expect(r.body.code, what).toBeDefined();
    }
    const json = await alice.post(`/nodes/${course.id}/materials`, { source_type: 'text' });
    expect(json.status).toBe(422);
    const traversal = await alice.upload(course.id, '../../etc/passwd.md', '# ok');
    expect(traversal.status).toBe(201); // accepted, but the name is neutralised in the key
    const key = (await api.deps.prisma.material.findUniqueOrThrow({ where: { id: traversal.body.id } })).s3Key as string;
    expect(key.startsWith(`tenants/${aliceTenant}/nodes/${course.id}/${traversal.body.id}/`)).toBe(true);
    expect(key.slice(key.lastIndexOf('/') + 1)).not.toContain('..');
    await alice.del(`/materials/${traversal.body.id}`);
    expect((await alice.get('/jobs?status=nope')).status).toBe(422);
    expect((await alice.get('/jobs/not-a-uuid')).status).toBe(422);
    expect(await snapshot()).toMatchObject({ materials: before.materials, objects: before.objects, multipart: 0 });
  });
});
