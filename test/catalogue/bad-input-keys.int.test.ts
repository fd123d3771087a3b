// Bad-input catalogue, part 1: API keys in every wrong state, wrong scopes, another tenant's ids, and object
// keys that try to leave the tenant's prefix (path traversal, encodings, another tenant's real keys).
// Each row: the answer (status + API.md error body) and a check that nothing was stored or enqueued.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { headObject } from '../../shared/src/storage/index.js';
import { createWorld, type World } from './catalogue-world.js';
import { call, defineCatalogue, upload, type Case } from './catalogue-runner.js';

let w: World;
beforeAll(async () => {
  w = await createWorld('cat-keys');
}, 60_000);
afterAll(async () => {
  await w?.close();
});

const mdFile = [
  { name: 'source_type', value: 'text' },
  { name: 'file', filename: 'x.md', content: '# x\n\nhello' },
];
const newNode = { title: 'Should not exist' };
const objectStays = (which: 'a' | 'b') => async (_r: unknown, world: World) => {
  const t = world[which];
  expect(await headObject({ client: world.api.deps.s3, bucket: world.api.config.S3_BUCKET, key: t.objectKey })).not.toBeNull();
};

const keyCases: Case[] = [
  { name: 'no X-API-Key on POST /nodes', send: (w) => call(w, 'POST', '/nodes', { key: null, json: newNode }), status: 401, code: 'not_authenticated' },
  { name: 'empty X-API-Key on a multipart upload', send: (w) => upload(w, mdFile, { key: '' }), status: 401, code: 'not_authenticated' },
  { name: 'malformed key (short)', send: (w) => call(w, 'POST', '/nodes', { key: 'cs_live_XYZ', json: newNode }), status: 401, code: 'invalid_api_key' },
  { name: 'SQL in the key', send: (w) => call(w, 'POST', '/nodes', { key: "cs_live_' OR '1'='1' --", json: newNode }), status: 401, code: 'invalid_api_key' },
  { name: '10 KB key', send: (w) => call(w, 'GET', '/nodes', { key: `cs_live_${'a'.repeat(10_000)}` }), status: 401, code: 'invalid_api_key' },
  { name: 'upper-case hex key (format is lower-case)', send: (w) => call(w, 'POST', '/nodes', { key: w.a.key.toUpperCase().replace('CS_LIVE_', 'cs_live_'), json: newNode }), status: 401, code: 'invalid_api_key' },
  { name: 'unknown well-formed cs_test_ key', send: (w) => call(w, 'POST', '/nodes', { key: `cs_test_${'0'.repeat(32)}`, json: newNode }), status: 401, code: 'invalid_api_key' },
  { name: 'revoked key on POST /nodes', send: (w) => call(w, 'POST', '/nodes', { key: w.keys.revoked, json: newNode }), status: 401, code: 'invalid_api_key' },
  { name: 'revoked key on a missing node: 401 before 404', send: (w) => call(w, 'GET', `/nodes/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}`, { key: w.keys.revoked }), status: 401, code: 'invalid_api_key' },
  { name: 'expired key on a multipart upload', send: (w) => upload(w, mdFile, { key: w.keys.expired }), status: 401, code: 'api_key_expired' },
  { name: 'key of a deactivated tenant on DELETE /materials/{id}', send: (w) => call(w, 'DELETE', `/materials/${w.a.materialId}`, { key: w.keys.inactiveTenant }), status: 401, code: 'invalid_api_key', check: objectStays('a') },
  { name: 'check-only key on POST /nodes (prep)', send: (w) => call(w, 'POST', '/nodes', { key: w.keys.checkOnly, json: newNode }), status: 403, code: 'insufficient_scope', check: (r) => expect(r.json.detail).toBe('Requires scope: prep') },
  { name: 'check-only key uploading a file (the body is not stored)', send: (w) => upload(w, mdFile, { key: w.keys.checkOnly }), status: 403, code: 'insufficient_scope' },
  { name: 'check-only key on DELETE /storage/files/{own key}', send: (w) => call(w, 'DELETE', `/storage/files/${w.a.objectKey}`, { key: w.keys.checkOnly }), status: 403, code: 'insufficient_scope', check: objectStays('a') },
  { name: 'check-only key on POST /jobs/{id}/cancel', send: (w) => call(w, 'POST', `/jobs/${w.a.jobId}/cancel`, { key: w.keys.checkOnly }), status: 403, code: 'insufficient_scope' },
  { name: 'check-only key with an invalid body: 403 before 422', send: (w) => call(w, 'PATCH', '/nodes/not-a-uuid', { key: w.keys.checkOnly, json: { title: 5 } }), status: 403, code: 'insufficient_scope' },
];

const foreignCases: Case[] = [
  { name: "B patches A's course", send: (w) => call(w, 'PATCH', `/nodes/${w.a.courseId}`, { key: w.b.key, json: { title: 'pwned' } }), status: 404, code: 'not_found' },
  { name: "B adds a child under A's lesson", send: (w) => call(w, 'POST', `/nodes/${w.a.lessonId}/children`, { key: w.b.key, json: newNode }), status: 404, code: 'not_found' },
  { name: "B moves its own course under A's lesson", send: (w) => call(w, 'POST', `/nodes/${w.b.courseId}/move`, { key: w.b.key, json: { parent_materialnode_id: w.a.lessonId } }), status: 404, code: 'not_found' },
  { name: "B reorders A's lesson", send: (w) => call(w, 'POST', `/nodes/${w.a.lessonId}/reorder`, { key: w.b.key, json: { order: 0 } }), status: 404, code: 'not_found' },
  { name: "B searches A's course", send: (w) => call(w, 'POST', `/nodes/${w.a.courseId}/search`, { key: w.b.key, json: { query: 'notes' } }), status: 404, code: 'not_found' },
  { name: "B uploads a file into A's lesson", send: (w) => upload(w, mdFile, { key: w.b.key }), status: 404, code: 'not_found' },
  { name: "B deletes A's course", send: (w) => call(w, 'DELETE', `/nodes/${w.a.courseId}`, { key: w.b.key }), status: 404, code: 'not_found', check: objectStays('a') },
  { name: "B cancels A's job", send: (w) => call(w, 'POST', `/jobs/${w.a.jobId}/cancel`, { key: w.b.key }), status: 404, code: 'not_found' },
];

// Object keys that try to leave the tenant's prefix. The path is sent verbatim (no client-side normalisation).
const bRest = (w: World) => w.b.objectKey.slice(`tenants/${w.b.id}/`.length);
const storageCases: Case[] = [
  { name: 'DELETE /storage/files/..%2F..%2Fetc%2Fpasswd', send: (w) => call(w, 'DELETE', '/storage/files/..%2F..%2Fetc%2Fpasswd'), status: 403, code: 'key_outside_prefix' },
  { name: 'DELETE /storage/files/../../etc/passwd (dots sent raw)', send: (w) => call(w, 'DELETE', '/storage/files/../../etc/passwd'), status: 403, code: 'key_outside_prefix' },
  { name: "DELETE B's real key with A's key", send: (w) => call(w, 'DELETE', `/storage/files/${w.b.objectKey}`), status: 403, code: 'key_outside_prefix', check: objectStays('b') },
  { name: "DELETE tenants/A/../B/… (traversal into B's prefix)", send: (w) => call(w, 'DELETE', `/storage/files/tenants/${w.a.id}/../${w.b.id}/${bRest(w)}`), status: 403, code: 'key_outside_prefix', check: objectStays('b') },
  { name: "DELETE tenants/A/%2e%2e/B/… (encoded dots)", send: (w) => call(w, 'DELETE', `/storage/files/tenants/${w.a.id}/%2e%2e/${w.b.id}/${bRest(w)}`), status: 403, code: 'key_outside_prefix', check: objectStays('b') },
  { name: "DELETE tenants%2FB%2F… (B's key with encoded slashes)", send: (w) => call(w, 'DELETE', `/storage/files/${encodeURIComponent(w.b.objectKey)}`), status: 403, code: 'key_outside_prefix', check: objectStays('b') },
  { name: 'DELETE tenants/A/..%5C..%5CB (backslashes)', send: (w) => call(w, 'DELETE', `/storage/files/tenants/${w.a.id}/..%5C..%5C${w.b.id}%5C${bRest(w)}`), status: 403, code: 'key_outside_prefix' },
  { name: 'DELETE tenants/A/%00 (NUL)', send: (w) => call(w, 'DELETE', `/storage/files/tenants/${w.a.id}/%00`), status: 422, code: 'validation_error' },
  { name: "DELETE A's key with a doubled slash", send: (w) => call(w, 'DELETE', `/storage/files/${w.a.objectKey.replace('/nodes/', '//nodes/')}`), status: 403, code: 'key_outside_prefix', check: objectStays('a') },
  { name: 'DELETE /storage/files/%25252e%25252e (double-encoded dots)', send: (w) => call(w, 'DELETE', `/storage/files/tenants/${w.a.id}/%25252e%25252e/x`), status: 403, code: 'key_outside_prefix' },
  { name: "B confirms A's real object key into B's lesson", send: (w) => call(w, 'POST', `/nodes/${w.b.lessonId}/materials/confirm-upload`, { key: w.b.key, json: { key: w.a.objectKey, source_type: 'text' } }), status: 403, code: 'key_outside_prefix', check: objectStays('a') },
  { name: 'confirm-upload with a backslash key', send: (w) => call(w, 'POST', `/nodes/${w.a.lessonId}/materials/confirm-upload`, { json: { key: `tenants\\${w.a.id}\\nodes\\${w.a.lessonId}\\x\\a.md`, source_type: 'text' } }), status: 403, code: 'key_outside_prefix' },
  { name: 'confirm-upload with %2e%2e in the key', send: (w) => call(w, 'POST', `/nodes/${w.a.lessonId}/materials/confirm-upload`, { json: { key: `tenants/${w.a.id}/nodes/${w.a.lessonId}/%2e%2e/%2e%2e/%2e%2e/${w.b.id}/${bRest(w)}`, source_type: 'text' } }), status: 403, code: 'key_outside_prefix' },
  { name: 'confirm-upload with a NUL in the key', send: (w) => call(w, 'POST', `/nodes/${w.a.lessonId}/materials/confirm-upload`, { json: { key: `tenants/${w.a.id}/nodes/${w.a.lessonId}/x\u0000/a.md`, source_type: 'text' } }), status: 422, code: 'validation_error' },
];

describe('bad input: keys, scopes, other tenants, object keys', () => {
  defineCatalogue(() => w, [...keyCases, ...foreignCases, ...storageCases]);
});
