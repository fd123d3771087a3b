// A new user's path through ingestion: a PDF, a PPTX with notes, a DOCX with headings, subtitles and a web page
// served locally become ready and searchable in both modes; a zip bomb dressed as DOCX ends in error with a clear
// reason while the worker carries on.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../support/api.js';
import { startTestWorker } from '../support/worker.js';
import { createTestTenant } from '../support/tenants.js';
import { Client } from '../support/flow.js';
import type { Json } from '../support/http.js';
import type { WorkerRuntime } from '../../worker/src/runtime.js';
import { makeDocx, makePdf, makePptx, rawEntry, rawZip, zerosBomb } from '../../worker/src/ingestion/fixtures.test-support.js';

let api: TestApi;
let worker: WorkerRuntime;
let client: Client;
let web: Server;
let webUrl: string;

beforeAll(async () => {
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('formats') });
  worker = await startTestWorker(api.config);
  client = new Client(api.url, (await createTestTenant(api.deps.prisma)).key);
  web = createServer((req, res) => {
    if (req.url === '/redirect-to-metadata') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><title>Generators</title><script>var tracking = 1;</script><style>p{}</style></head>
      <body><nav>Home | About</nav><article><h1>Generators in Python</h1>
      <p>A generator function uses yield to produce a sequence of values lazily, one at a time.</p>
      <h2>Generator expressions</h2><p>A generator expression looks like a list comprehension in parentheses.</p></article>
      <footer>© site</footer></body></html>`);
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  web?.close();
  await worker?.close();
  await api?.close();
});

describe('every format to ready, then search', () => {
  let course: Json;
  const materials: Record<string, Json> = {};

  beforeAll(async () => {
    course = await client.createCourse('Formats');
    const lesson = async (t: string) => client.addChild(course.id, t);
    const pdf = await makePdf([['Page one talks about tuples being immutable sequences.'], ['Page two explains tuple unpacking into variables.']]);
    const pptx = await makePptx([
      { file: 'slide2.xml', title: 'Sets', body: ['A set stores unique elements.'], notes: ['Mention that sets are unordered.'] },
      { file: 'slide1.xml', title: 'Set operations', body: ['Union and intersection combine sets.'] },
    ]);
    const docx = await makeDocx([
      { text: 'Exceptions', heading: 1 },
      { text: 'An exception interrupts the normal flow of a program.' },
      { text: 'Handling', heading: 2 },
      { text: 'A try statement with except catches an exception and handles it.' },
    ]);
    const uploads: [string, string, string | Buffer, string][] = [
      ['pdf', 'tuples.pdf', pdf, 'presentation'],
      ['pptx', 'sets.pptx', pptx, 'presentation'],
      ['docx', 'exceptions.docx', docx, 'text'],
      ['vtt', 'lecture.vtt', 'WEBVTT\n\n00:00:01.000 --> 00:00:05.000\nToday we look at closures.\n\n00:00:06.000 --> 00:00:10.000\nA closure remembers variables of its enclosing scope.\n', 'video'],
    ];
    for (const [k, name, body, type] of uploads) {
      const r = await client.upload((await lesson(k)).id, name, body, type);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      materials[k] = r.body;
    }
    const form = new FormData();
    form.append('source_type', 'web');
    form.append('source_url', `${webUrl}/generators`);
    const w = await client.req('POST', `/nodes/${(await lesson('web')).id}/materials`, form);
    expect(w.status, JSON.stringify(w.body)).toBe(201);
    expect(w.body.warnings[0]).toMatch(/not in the verified list/);
    materials.web = w.body;
    for (const k of Object.keys(materials)) {
      const m = await client.waitForMaterial(materials[k].id, 60_000);
      expect(m.state, `${k}: ${m.error_message}`).toBe('ready');
      materials[k] = m;
    }
  }, 120_000);

  it('keeps page, slide, heading and timecode metadata', async () => {
    const chunks = async (k: string) =>
      api.deps.prisma.chunk.findMany({ where: { materialId: materials[k].id }, orderBy: { ordinal: 'asc' } });
    const pdf = await chunks('pdf');
    expect(pdf.map((c) => (c.metadata as Json).page)).toEqual([1, 2]);
    const pptx = await chunks('pptx');
    expect(pptx[0]?.text).toContain('Sets'); // slide2.xml is first in the deck's order
    expect(pptx.some((c) => c.kind === 'slide_notes' && c.text.includes('unordered'))).toBe(true);
    const docx = await chunks('docx');
    expect(docx.some((c) => JSON.stringify((c.metadata as Json).heading_path) === '["Exceptions","Handling"]')).toBe(true);
    const vtt = await chunks('vtt');
    expect(vtt[0]?.kind).toBe('transcript');
    expect((vtt[0]?.metadata as Json).start_seconds).toBe(1);
    const web = await chunks('web');
    const text = web.map((c) => c.text).join(' ');
    expect(text).toContain('yield');
    expect(text).not.toContain('tracking');
    expect(text).not.toContain('Home | About');
  });

  it.each(['semantic', 'hybrid'])('%s search finds each material by its own words', async (mode) => {
    const cases: [string, string][] = [
      ['pdf', 'tuple unpacking into variables'],
      ['pptx', 'set stores unique elements'],
      ['docx', 'try statement with except catches an exception'],
      ['vtt', 'closure remembers variables of its enclosing scope'],
      ['web', 'generator function uses yield'],
    ];
    for (const [k, query] of cases) {
      const r = await client.post(`/nodes/${course.id}/search`, { query, mode, k: 3 });
      expect(r.status).toBe(200);
      expect(r.body.items[0]?.material_id, `${mode} ${k}`).toBe(materials[k].id);
    }
  });
});

describe('hostile inputs', () => {
  it('a zip bomb disguised as DOCX ends in error with a clear reason; the next material is processed', async () => {
    const course = await client.createCourse('Hostile');
    const bomb = zerosBomb(1024);
    const zip = rawZip([
      rawEntry('[Content_Types].xml', '<Types/>'),
      { name: 'word/document.xml', deflated: bomb.deflated, crc: bomb.crc, declaredSize: bomb.size },
    ]);
    const bad = await client.upload(course.id, 'bomb.docx', zip, 'text');
    expect(bad.status).toBe(201);
    const m = await client.waitForMaterial(bad.body.id, 60_000);
    expect(m.state).toBe('error');
    expect(m.error_message).toMatch(/unsafe/);
    const next = await client.upload(course.id, 'ok.md', '# Fine\n\nStill working.');
    expect((await client.waitForMaterial(next.body.id)).state).toBe('ready');
  }, 90_000);

  it('a web page redirecting to 169.254.169.254 is refused at fetch time', async () => {
    const course = await client.createCourse('SSRF');
    const form = new FormData();
    form.append('source_type', 'web');
    form.append('source_url', `${webUrl}/redirect-to-metadata`);
    const r = await client.req('POST', `/nodes/${course.id}/materials`, form);
    expect(r.status).toBe(201); // the URL itself is allowed (loopback in tests); its redirect is not
    const m = await client.waitForMaterial(r.body.id, 60_000);
    expect(m.state).toBe('error');
    expect(m.error_message).toMatch(/refused|private|link-local/i);
  }, 90_000);
});
