// The check worker against hostile and varied submissions: unsafe archives fail with a clear reason (no retry,
// a signed `failed` webhook), the worker keeps serving, and archives, PDFs and notebooks are reviewed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../../../test/support/api.js';
import { startTestWorker } from '../../../../test/support/worker.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { Client } from '../../../../test/support/flow.js';
import { CRITERIA, homeworkEnv, prepareCourse, startReceiver, submit, TWO_OF_THREE, waitForSubmission } from '../../../../test/support/homework.js';
import type { LocalServer } from '../../../../shared/src/net/local-server.test-support.js';
import { verifySignature } from '../../../../shared/src/webhooks/index.js';
import { makePdf, makeZip, rawEntry, rawZip, zerosBomb } from '../../ingestion/fixtures.test-support.js';
import { makeTarGz, makeZipWithModes } from '../../review/unpack.test-support.js';
import type { WorkerRuntime } from '../../runtime.js';

let api: TestApi;
let worker: WorkerRuntime;
let client: Client;
let target: { course: string; node: string };
let hook: LocalServer;
let secret: string;

beforeAll(async () => {
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('hw-archives'), ...homeworkEnv() });
  worker = await startTestWorker(api.config);
  const t = await createTestTenant(api.deps.prisma);
  client = new Client(api.url, t.key);
  const course = await prepareCourse(client);
  target = { course: course.course, node: course.functions };
  hook = await startReceiver([200]);
  secret = (await client.post('/tenant/webhook/secret')).body.secret;
}, 90_000);

afterAll(async () => {
  await hook?.close();
  await worker?.close();
  await api?.close();
});

const MAIN_PY = 'def add(a, b):\n    return a + b\n';

async function hostileArchives(): Promise<{ name: string; file: Buffer; reason: RegExp }[]> {
  const bomb = zerosBomb(1024); // 1 GiB of zeros in about 1 MiB
  return [
    {
      name: 'bomb.zip',
      file: rawZip([rawEntry('readme.txt', 'hi'), { name: 'zeros.txt', deflated: bomb.deflated, crc: bomb.crc, declaredSize: bomb.size }]),
      reason: /unpacks to more than 10 MiB/,
    },
    { name: 'dotdot.zip', file: rawZip([rawEntry('ok.py', 'x = 1'), rawEntry('src/../../etc/cron.d/x', 'boom')]), reason: /points outside the archive/ },
    { name: 'absolute.zip', file: rawZip([rawEntry('/etc/passwd', 'root')]), reason: /"\/etc\/passwd" has an absolute path/ },
    { name: 'absolute.tar.gz', file: await makeTarGz([{ name: '/etc/shadow', data: 'x' }]), reason: /has an absolute path/ },
    { name: 'deep.zip', file: await makeZip({ 'a/b/c/d/main.py': MAIN_PY }), reason: /nested 4 folders deep; at most 3/ },
    { name: 'many.zip', file: rawZip(Array.from({ length: 10_000 }, (_, i) => rawEntry(`f${i}.txt`, 'x'))), reason: /more than 2,000 entries/ },
    {
      name: 'links.zip',
      file: await makeZipWithModes([{ name: 'p/passwd.py', data: '/etc/passwd', mode: 0o120777 }]),
      reason: /no text to review .*symbolic/i,
    },
    { name: 'latin1.py', file: Buffer.from('# caf\xe9\nx = 1\n', 'latin1'), reason: /not valid UTF-8/ },
  ];
}

describe('hostile submissions', () => {
  it('fail with a clear reason, once, with a signed `failed` webhook; the worker keeps serving', async () => {
    const cases = await hostileArchives();
    const submitted = await Promise.all(
      cases.map(async (c) => {
        const r = await submit(client, target, c.file, { filename: c.name, student: `hostile-${c.name}`, webhookUrl: `${hook.origin}/failed` });
        expect(r.status, c.name).toBe(202);
        return { ...c, id: r.body.submission_id as string, jobId: r.body.job_id as string };
      }),
    );
    for (const c of submitted) {
      const s = await waitForSubmission(client, c.id, ['failed', 'reviewed', 'delivered'], 60_000);
      expect(s.status, c.name).toBe('failed');
      expect(s.failure_reason, c.name).toMatch(c.reason);
      expect(s.review).toBeNull();
      const job = (await client.get(`/jobs/${c.jobId}`)).body;
      expect(job, c.name).toMatchObject({ status: 'failed', attempts: 1, job_type: 'check' });
      expect(job.error_message).toBe(s.failure_reason);
    }
    // One `failed` webhook per submission, signed, with the reason; the submission stays failed.
    await expect.poll(() => hook.requests.length, { timeout: 15_000 }).toBe(submitted.length);
    for (const c of submitted) {
      const req = hook.requests.find((q) => JSON.parse(q.body.toString()).submission_id === c.id);
      expect(req, c.name).toBeDefined();
      expect(req!.headers['x-cs-event']).toBe('failed');
      expect(verifySignature(secret, req!.headers['x-cs-signature'] as string, req!.body)).toBe(true);
      const body = JSON.parse(req!.body.toString());
      expect(body).toMatchObject({ event: 'failed', review: null, student_external_id: `hostile-${c.name}` });
      expect(body.reason).toMatch(c.reason);
      const s = (await client.get(`/homework/submissions/${c.id}`)).body;
      expect(s.status).toBe('failed');
      expect(s.deliveries).toEqual([expect.objectContaining({ event: 'failed', outcome: 'delivered' })]);
    }

    // Still serving: the next submission is reviewed.
    const next = await submit(client, target, TWO_OF_THREE, { student: 'after-hostile', criteria: CRITERIA });
    expect((await waitForSubmission(client, next.body.submission_id, ['reviewed', 'failed'])).status).toBe('reviewed');
  }, 120_000);
});

describe('archives and documents that are fine', () => {
  it('reviews a zip project (vendored folders skipped), a tar.gz, a PDF and a notebook', async () => {
    const zip = await makeZip({ 'proj/src/main.py': TWO_OF_THREE, 'proj/node_modules/x/index.js': 'def greet(name, greeting="Hello"): return 1' });
    const tgz = await makeTarGz([{ name: 'proj/main.py', data: TWO_OF_THREE }]);
    const pdf = await makePdf([['def add(a, b):', 'return a + b']]);
    const notebook = JSON.stringify({
      nbformat: 4,
      metadata: { kernelspec: { language: 'python' } },
      cells: [{ cell_type: 'code', source: ['def add(a, b):\n', '    return a + b\n'], outputs: [] }],
    });
    const files: [string, Buffer | string][] = [['project.zip', zip], ['project.tgz', tgz], ['report.pdf', pdf], ['hw.ipynb', notebook]];
    for (const [name, file] of files) {
      const r = await submit(client, target, file, { filename: name, student: `fine-${name}`, criteria: CRITERIA });
      expect(r.status, name).toBe(202);
      const s = await waitForSubmission(client, r.body.submission_id, ['reviewed', 'failed'], 60_000);
      expect(s.status, `${name}: ${s.failure_reason}`).toBe('reviewed');
      const byCriterion = Object.fromEntries(s.review.criteria.map((c: { criterion: string; met: boolean }) => [c.criterion, c.met]));
      expect(byCriterion[CRITERIA[0]!], name).toBe(true);
      // The vendored file's default argument does not count for the student.
      expect(byCriterion[CRITERIA[2]!], name).toBe(false);
    }
  }, 120_000);
});
