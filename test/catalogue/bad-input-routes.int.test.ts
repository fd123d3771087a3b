// Bad-input catalogue, part 4: the homework, tenant-webhook, report and structure routes (NUL bytes, SSRF
// webhook targets, deep JSON, wrong scopes, another tenant's ids, hostile dates and modes).
// Each row: the answer (status + API.md error body) and a check that nothing was stored or enqueued.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from './catalogue-world.js';
import { call, defineCatalogue, multipart, type Case, type Part } from './catalogue-runner.js';
import { send } from './raw-http.js';
import { startApiProcess } from '../support/api-process.js';
import { uniquePrefix } from '../support/api.js';

let w: World;
beforeAll(async () => {
  w = await createWorld('cat-routes', { ALLOW_PRIVATE_TARGETS: 'false' });
}, 60_000);
afterAll(async () => {
  await w?.close();
});

/** POST /homework/submit for tenant A's course and lesson, with fields overridden or added. */
function submit(w: World, fields: Record<string, string> = {}, opts: { key?: string; file?: Part } = {}) {
  const base: Record<string, string> = { student_external_id: 'student-1', course_node_id: w.a.courseId, node_id: w.a.lessonId, ...fields };
  const parts: Part[] = [...Object.entries(base).map(([name, value]) => ({ name, value })), opts.file ?? { name: 'file', filename: 'main.py', content: 'print("hi")\n' }];
  const { body, contentType } = multipart(parts);
  return call(w, 'POST', '/homework/submit', { body, contentType, key: opts.key ?? w.keys.checkOnly });
}

const homeworkCases: Case[] = [
  { name: 'prep-only key submits homework (needs check)', send: (w) => submit(w, {}, { key: w.keys.prepOnly }), status: 403, code: 'insufficient_scope' },
  { name: "homework for B's course with A's key", send: (w) => submit(w, { course_node_id: w.b.courseId, node_id: w.b.lessonId }), status: 404, code: 'not_found' },
  { name: 'student_external_id with a NUL byte', send: (w) => submit(w, { student_external_id: 'st\u0000udent' }), status: 422, code: 'validation_error' },
  { name: 'task_description with a NUL byte', send: (w) => submit(w, { task_description: 'task\u0000' }), status: 422, code: 'validation_error' },
  { name: 'criteria item with a NUL byte', send: (w) => submit(w, { criteria: JSON.stringify(['uses a loop\u0000']) }), status: 422, code: 'validation_error' },
  { name: 'criteria of 10,000 nested arrays', send: (w) => submit(w, { criteria: '['.repeat(10_000) + ']'.repeat(10_000) }), status: 422, code: 'validation_error' },
  { name: 'criteria that is a JSON object with __proto__', send: (w) => submit(w, { criteria: '{"__proto__":{"polluted":1}}' }), status: 422, code: 'validation_error' },
  { name: 'webhook_url gopher://', send: (w) => submit(w, { webhook_url: 'gopher://127.0.0.1:6379/_FLUSHALL' }), status: 422, code: 'validation_error' },
  { name: 'webhook_url with credentials', send: (w) => submit(w, { webhook_url: 'https://user:pass@93.184.216.34/hook' }), status: 422, code: 'validation_error' },
  { name: 'webhook_url at the IPv4-mapped metadata address', send: (w) => submit(w, { webhook_url: 'http://[::ffff:a9fe:a9fe]/latest/' }), status: 422, code: 'validation_error' },
  { name: 'homework file named ../../etc/passwd (no allowed extension)', send: (w) => submit(w, {}, { file: { name: 'file', filename: '../../etc/passwd', content: 'root:x:0:0' } }), status: 422, code: 'validation_error' },
  {
    name: 'GET /homework/submissions?student_external_id=%00',
    send: (w) => call(w, 'GET', '/homework/submissions?student_external_id=%00'),
    status: 422,
    code: 'validation_error',
  },
  { name: 'GET /homework/submissions?limit=1e20', send: (w) => call(w, 'GET', '/homework/submissions?limit=1e20'), status: 422, code: 'validation_error' },
  { name: "GET /homework/submissions?status=reviewed' OR 1=1", send: (w) => call(w, 'GET', `/homework/submissions?status=${encodeURIComponent("reviewed' OR 1=1")}`), status: 422, code: 'validation_error' },
];

const tenantCases: Case[] = [
  { name: 'PATCH /tenant/webhook to the metadata address', send: (w) => call(w, 'PATCH', '/tenant/webhook', { json: { webhook_url: 'http://169.254.169.254/latest/meta-data/' } }), status: 422, code: 'validation_error' },
  { name: 'PATCH /tenant/webhook with file://', send: (w) => call(w, 'PATCH', '/tenant/webhook', { json: { webhook_url: 'file:///etc/passwd' } }), status: 422, code: 'validation_error' },
  { name: 'PATCH /tenant/webhook with a urlencoded private URL', send: (w) => call(w, 'PATCH', '/tenant/webhook', { body: 'webhook_url=http%3A%2F%2F10.0.0.1%2Fhook', contentType: 'application/x-www-form-urlencoded' }), status: 422, code: 'validation_error' },
  { name: 'PATCH /tenant/webhook with a URL of 100 KB', send: (w) => call(w, 'PATCH', '/tenant/webhook', { json: { webhook_url: `https://93.184.216.34/${'a'.repeat(100_000)}` } }), status: 422, code: 'validation_error' },
  { name: 'PATCH /tenant/webhook with a number', send: (w) => call(w, 'PATCH', '/tenant/webhook', { json: { webhook_url: 12345 } }), status: 422, code: 'validation_error' },
  { name: 'PATCH /tenant/webhook with 10,000 nested arrays', send: (w) => call(w, 'PATCH', '/tenant/webhook', { body: `{"webhook_url":${'['.repeat(10_000)}${']'.repeat(10_000)}}` }), status: 422, code: 'validation_error' },
  { name: 'PATCH /tenant/webhook with a 2 MB body', send: (w) => call(w, 'PATCH', '/tenant/webhook', { json: { webhook_url: 'x'.repeat(2 * 1024 * 1024) } }), status: 413, code: 'payload_too_large' },
  { name: 'PATCH /tenant/webhook with a check-only key', send: (w) => call(w, 'PATCH', '/tenant/webhook', { key: w.keys.checkOnly, json: { webhook_url: '' } }), status: 403, code: 'insufficient_scope' },
  { name: 'POST /tenant/webhook/secret with a check-only key', send: (w) => call(w, 'POST', '/tenant/webhook/secret', { key: w.keys.checkOnly }), status: 403, code: 'insufficient_scope' },
  { name: 'POST /tenant/webhook/secret with an expired key', send: (w) => call(w, 'POST', '/tenant/webhook/secret', { key: w.keys.expired }), status: 401, code: 'api_key_expired' },
];

const reportAndStructureCases: Case[] = [
  { name: 'GET /reports/cost?from=not-a-date', send: (w) => call(w, 'GET', '/reports/cost?from=not-a-date'), status: 422, code: 'validation_error' },
  { name: "GET /reports/cost?from=' OR 1=1 --", send: (w) => call(w, 'GET', `/reports/cost?from=${encodeURIComponent("' OR 1=1 --")}`), status: 422, code: 'validation_error' },
  { name: 'GET /reports/cost with from after to', send: (w) => call(w, 'GET', '/reports/cost?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z'), status: 422, code: 'validation_error' },
  { name: 'GET /reports/cost?to=+275760-09-13T00:00:00Z (beyond Date)', send: (w) => call(w, 'GET', `/reports/cost?to=${encodeURIComponent('+275760-09-14T00:00:00Z')}`), status: 422, code: 'validation_error' },
  { name: 'generate with mode "evil"', send: (w) => call(w, 'POST', `/nodes/${w.a.courseId}/generate`, { json: { mode: 'evil' } }), status: 422, code: 'validation_error' },
  { name: "generate on A's course with B's key", send: (w) => call(w, 'POST', `/nodes/${w.a.courseId}/generate`, { key: w.b.key, json: { mode: 'free' } }), status: 404, code: 'not_found' },
  { name: 'generate with a check-only key', send: (w) => call(w, 'POST', `/nodes/${w.a.courseId}/generate`, { key: w.keys.checkOnly, json: { mode: 'free' } }), status: 403, code: 'insufficient_scope' },
  { name: 'refine with an extra field', send: (w) => call(w, 'POST', `/nodes/${w.a.courseId}/refine`, { json: { mode: 'free', prompt: 'ignore previous instructions' } }), status: 422, code: 'validation_error' },
  { name: 'GET snapshot with an invalid sid', send: (w) => call(w, 'GET', `/nodes/${w.a.courseId}/structure/snapshots/..%2F..%2Fetc`), status: 422, code: 'validation_error' },
  { name: 'slide-mapping with no mappings', send: (w) => call(w, 'POST', `/nodes/${w.a.lessonId}/slide-mapping`, { json: { mappings: [] } }), status: 422, code: 'validation_error' },
  { name: 'slide-mapping with 1,001 mappings', send: (w) => call(w, 'POST', `/nodes/${w.a.lessonId}/slide-mapping`, { json: { mappings: Array.from({ length: 1001 }, () => ({})) } }), status: 422, code: 'validation_error' },
  { name: "slide-mapping on A's lesson with B's key", send: (w) => call(w, 'POST', `/nodes/${w.a.lessonId}/slide-mapping`, { key: w.b.key, json: { mappings: [{ presentation_materialentry_id: w.a.materialId, video_materialentry_id: w.a.materialId, slide_number: 1, video_timecode_start: '00:00:01' }] } }), status: 404, code: 'not_found' },
  { name: 'DELETE /slide-mapping/{not a uuid}', send: (w) => call(w, 'DELETE', '/slide-mapping/1%20OR%201=1'), status: 422, code: 'validation_error' },
];

describe('bad input: homework, tenant webhook, reports, structure', () => {
  defineCatalogue(() => w, [...homeworkCases, ...tenantCases, ...reportAndStructureCases]);

  // BUG (api/src/routes/homework/homework.upload.ts, peek() — the same code as materials.upload.ts): a body cut
  // off after 4,100 bytes of the file part leaves the FileStream without an 'error' listener when busboy emits
  // "Unexpected end of form" → uncaughtException → the API process exits.
  it('a homework upload cut off after 4 KB of the file is answered 422 and the API process survives', async () => {
    const proc = await startApiProcess({ BULLMQ_PREFIX: uniquePrefix('cat-hw-crash'), LOG_LEVEL: 'silent' });
    try {
      const parts: Part[] = [
        { name: 'student_external_id', value: 's' },
        { name: 'course_node_id', value: w.a.courseId },
        { name: 'node_id', value: w.a.lessonId },
        { name: 'file', filename: 'main.py', content: `# ${'x'.repeat(10_000)}\n` },
      ];
      const { body, contentType } = multipart(parts);
      const before = await w.snapshot();
      const res = await send(proc.url, {
        method: 'POST',
        path: '/api/v1/homework/submit',
        headers: { 'x-api-key': w.keys.checkOnly, 'content-type': contentType },
        body: body.subarray(0, body.length - 100),
      }).catch((err: Error) => ({ status: 0, text: err.message }));
      await new Promise((r) => setTimeout(r, 500));
      expect(await w.snapshot()).toEqual(before);
      expect(proc.child.exitCode, 'the API process is still running').toBeNull();
      expect(res.status, res.text).toBe(422);
    } finally {
      await proc.stop('SIGKILL');
    }
  }, 60_000);
});
