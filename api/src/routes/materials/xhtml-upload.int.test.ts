// Issue 11 item 6: a DocBook chapter as published (XML prolog + XHTML 1.1 doctype) is accepted as .html and as
// .xhtml, by multipart upload and by presigned upload, and is ingested to clean chunks; other XML named .html is
// still refused, with nothing stored.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../../../test/support/api.js';
import { startTestWorker } from '../../../../test/support/worker.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { Client } from '../../../../test/support/flow.js';
import { corpusFile, hygieneProblems, REAL_CORPUS } from '../../../../test/support/real-corpus.js';
import type { WorkerRuntime } from '../../../../worker/src/runtime.js';

let api: TestApi;
let worker: WorkerRuntime;
let alice: Client;
let tenantId: string;
let chapter: Buffer;

beforeAll(async () => {
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('xhtml') });
  worker = await startTestWorker(api.config);
  const t = await createTestTenant(api.deps.prisma);
  alice = new Client(api.url, t.key);
  tenantId = t.tenant.id;
  chapter = await readFile(corpusFile(REAL_CORPUS.docbook[0]!)); // ch03.en.html, unmodified
}, 60_000);
afterAll(async () => {
  await worker?.close();
  await api?.close();
});

async function expectIngested(materialId: string) {
  const m = await alice.waitForMaterial(materialId, 60_000);
  expect(m.state, m.error_message).toBe('ready');
  const chunks = await api.deps.prisma.chunk.findMany({ where: { materialId }, orderBy: { ordinal: 'asc' } });
  expect(chunks.length).toBeGreaterThan(3);
  const text = chunks.map((c) => c.text).join('\n');
  expect(text).toContain('The system initialization');
  expect(text).not.toContain('<?xml');
  expect(text).not.toContain('DOCTYPE');
  const prose = chunks.filter((c) => !(c.metadata as { code?: boolean }).code);
  expect(prose.flatMap((c) => hygieneProblems(c.text))).toEqual([]);
}

describe('XHTML uploads', () => {
  it('the fixture starts with an XML declaration and the XHTML 1.1 doctype', () => {
    expect(chapter.toString('utf8')).toMatch(/^<\?xml version="1.0" encoding="UTF-8" standalone="no"\?>\n<!DOCTYPE html PUBLIC "-\/\/W3C\/\/DTD XHTML 1.1\/\/EN"/);
  });

  for (const [filename, contentType] of [
    ['ch03.en.html', 'text/html'],
    ['ch03.en.xhtml', 'application/xhtml+xml'],
  ] as const) {
    it(`multipart upload as ${filename} → 201 and clean chunks`, async () => {
      const course = await alice.createCourse(`Debian ${filename}`);
      const up = await alice.upload(course.id, filename, chapter);
      expect(up.status, JSON.stringify(up.body)).toBe(201);
      expect(up.body.content_type).toBe(contentType);
      await expectIngested(up.body.id);
    }, 90_000);
  }

  it('presigned upload as .xhtml → confirm-upload 201', async () => {
    const course = await alice.createCourse('Debian direct');
    const u = await alice.post(`/nodes/${course.id}/materials/upload-url`, {
      filename: 'ch03.en.xhtml',
      content_type: 'application/xhtml+xml',
      source_type: 'text',
      size_bytes: chapter.length,
    });
    expect(u.status, JSON.stringify(u.body)).toBe(200);
    const { 'content-length': _length, ...headers } = u.body.headers;
    expect((await fetch(u.body.upload_url, { method: 'PUT', headers, body: new Uint8Array(chapter) })).status).toBe(200);
    const c = await alice.post(`/nodes/${course.id}/materials/confirm-upload`, { key: u.body.key, source_type: 'text' });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    await expectIngested(c.body.id);
  }, 90_000);

  it('other XML named .html or .xhtml is still refused (422 content_mismatch), nothing stored', async () => {
    const course = await alice.createCourse('Not XHTML');
    const before = await api.deps.prisma.material.count({ where: { tenantId } });
    const svg = '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"><text>hi</text></svg>';
    const rss = '<?xml version="1.0"?><!DOCTYPE rss><rss version="2.0"><channel><title>x</title></channel></rss>';
    for (const [name, body] of [['a.html', svg], ['a.xhtml', rss], ['a.md', chapter.toString('utf8')]] as const) {
      const r = await alice.upload(course.id, name, body);
      expect(r.status, name).toBe(422);
      expect(JSON.stringify(r.body), name).toContain('content_mismatch');
    }
    expect(await api.deps.prisma.material.count({ where: { tenantId } })).toBe(before);
  });
});
