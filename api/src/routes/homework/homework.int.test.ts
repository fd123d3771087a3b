// Homework checking end to end: submit → outbox → check worker (unpack, vector search, local reviewer) → signed
// webhook → delivered; webhook retries and permanent failures; duplicates, also under concurrent submits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../../../test/support/api.js';
import { startTestWorker } from '../../../../test/support/worker.js';
import { addKey, createTestTenant } from '../../../../test/support/tenants.js';
import { Client } from '../../../../test/support/flow.js';
import {
  CRITERIA,
  homeworkEnv,
  prepareCourse,
  startReceiver,
  submit,
  tenantFootprint,
  TWO_OF_THREE,
  waitForSubmission,
  type PreparedCourse,
} from '../../../../test/support/homework.js';
import type { LocalServer } from '../../../../shared/src/net/local-server.test-support.js';
import { verifySignature } from '../../../../shared/src/webhooks/index.js';
import { listPrefix, tenantPrefix } from '../../../../shared/src/storage/index.js';
import { parseEvidence } from '../../../../worker/src/review/evidence.js';
import type { WorkerRuntime } from '../../../../worker/src/runtime.js';

let api: TestApi;
let worker: WorkerRuntime;
let prep: Client; // prep + check (course authoring, tenant settings)
let checker: Client; // check only (the LMS)
let tenantId: string;
let course: PreparedCourse;
let secret: string;
const receivers: LocalServer[] = [];

beforeAll(async () => {
  // Five attempts (API.md's minimum) 100, 200, 400, 800 ms apart: the whole schedule runs in a test.
  api = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('homework'), ...homeworkEnv({ WEBHOOK_MAX_ATTEMPTS: '5', WEBHOOK_BACKOFF_BASE_MS: '100' }) });
  worker = await startTestWorker(api.config);
  const t = await createTestTenant(api.deps.prisma);
  tenantId = t.tenant.id;
  prep = new Client(api.url, t.key);
  checker = new Client(api.url, (await addKey(api.deps.prisma, tenantId, { scopes: ['check'] })).key);
  course = await prepareCourse(prep);
  const s = await prep.post('/tenant/webhook/secret');
  expect(s.status).toBe(200);
  secret = s.body.secret;
}, 90_000);

afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await worker?.close();
  await api?.close();
});

async function receiver(statuses?: number[]) {
  const r = await startReceiver(statuses);
  receivers.push(r);
  return r;
}

const lesson = () => ({ course: course.course, node: course.functions });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('submit → review → signed webhook', () => {
  it('reviews two of three criteria as partial, with verbatim evidence and the lesson’s chunks, and delivers once', async () => {
    const hook = await receiver([200]);
    const r = await submit(checker, lesson(), TWO_OF_THREE, {
      student: 'flow-student',
      filename: 'main.py',
      criteria: CRITERIA,
      task: 'Write functions that add numbers.',
      webhookUrl: `${hook.origin}/hooks/cs`,
    });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ status: 'received', duplicate: false, submission_id: expect.any(String), job_id: expect.any(String) });

    const s = await waitForSubmission(checker, r.body.submission_id, ['delivered', 'failed']);
    expect(s.status).toBe('delivered');
    expect(s).toMatchObject({
      id: r.body.submission_id,
      student_id: r.body.student_id,
      student_external_id: 'flow-student',
      materialnode_id: course.functions,
      course_node_id: course.course,
      original_filename: 'main.py',
      response_language: 'en',
      job_id: r.body.job_id,
      failure_reason: null,
    });
    expect(s.file_sha256).toMatch(/^[0-9a-f]{64}$/);
    const review = s.review;
    expect(review.verdict).toBe('partial');
    expect(s.score).toBe(review.score);
    expect(review.score).toBeGreaterThanOrEqual(50);
    expect(review.score).toBeLessThan(85);
    expect(review.criteria.map((c: { criterion: string; met: boolean }) => [c.criterion, c.met])).toEqual([
      [CRITERIA[0], true],
      [CRITERIA[1], true],
      [CRITERIA[2], false],
    ]);
    expect(review.issues.join(' ')).toContain('uses a default argument');
    expect(review.summary).toContain('uses a default argument');
    // Evidence quotes occur verbatim in the submitted file.
    const quotes = review.criteria.flatMap((c: { evidence: string }) => parseEvidence(c.evidence).map((q) => q.quote));
    expect(quotes.length).toBeGreaterThanOrEqual(2);
    for (const q of quotes) expect(TWO_OF_THREE).toContain(q);
    // References: chunks of the Functions lesson's material only (not the Loops lesson, also in the course).
    expect((await prep.get(`/materials/${course.functionsMaterial}`)).body.chunk_count).toBeGreaterThanOrEqual(3);
    expect((await prep.get(`/materials/${course.loopsMaterial}`)).body.chunk_count).toBeGreaterThan(0);
    expect(review.references.length).toBeGreaterThan(0);
    const chunks = await api.deps.prisma.chunk.findMany({ where: { id: { in: review.references.map((x: { chunk_id: string }) => x.chunk_id) } } });
    expect(chunks).toHaveLength(review.references.length);
    for (const c of chunks) expect(c.materialId).toBe(course.functionsMaterial);
    expect(review.suggestions.join(' ')).toContain(course.functionsMaterial);
    expect(s.review_markdown).toContain(`${review.score}/100`);

    // The job is a check job, complete.
    expect((await checker.get(`/jobs/${r.body.job_id}`)).body).toMatchObject({ job_type: 'check', status: 'complete', subject_id: s.id });

    // Exactly one `reviewed` delivery whose signature verifies with the tenant secret.
    await sleep(500);
    expect(hook.requests).toHaveLength(1);
    const req = hook.requests[0]!;
    expect(req.url).toBe('/hooks/cs');
    expect(req.headers['x-cs-event']).toBe('reviewed');
    expect(verifySignature(secret, req.headers['x-cs-signature'] as string, req.body)).toBe(true);
    expect(verifySignature('whsec_wrong', req.headers['x-cs-signature'] as string, req.body)).toBe(false);
    const body = JSON.parse(req.body.toString());
    expect(body).toEqual({
      event: 'reviewed',
      submission_id: s.id,
      student_external_id: 'flow-student',
      review: { passed: review.passed, score: review.score, verdict: 'partial', review_text: s.review_markdown, response_language: 'en' },
      reason: null,
      timestamp: expect.stringMatching(/Z$/),
    });
    expect(s.deliveries).toEqual([
      expect.objectContaining({ delivery_id: req.headers['x-cs-delivery'], event: 'reviewed', attempt: 1, outcome: 'delivered', http_status: 200 }),
    ]);
  });

  it('500, 500, 200 → delivered on the third attempt with one delivery id (tenant default URL)', async () => {
    const hook = await receiver([500, 500, 200]);
    expect((await prep.patch('/tenant/webhook', { webhook_url: `${hook.origin}/tenant-hook` })).status).toBe(200);
    try {
      const r = await submit(checker, lesson(), TWO_OF_THREE, { student: 'retry-student', criteria: CRITERIA });
      expect(r.status).toBe(202);
      const s = await waitForSubmission(checker, r.body.submission_id, ['delivered', 'failed']);
      expect(s.status).toBe('delivered');
      expect(hook.requests).toHaveLength(3);
      const ids = new Set(hook.requests.map((q) => q.headers['x-cs-delivery']));
      expect(ids.size).toBe(1);
      for (const q of hook.requests) expect(verifySignature(secret, q.headers['x-cs-signature'] as string, q.body)).toBe(true);
      expect(new Set(hook.requests.map((q) => q.body.toString())).size).toBe(1); // the same bytes every attempt
      expect(s.deliveries.map((d: { attempt: number; outcome: string; http_status: number }) => [d.attempt, d.outcome, d.http_status])).toEqual([
        [1, 'retry', 500],
        [2, 'retry', 500],
        [3, 'delivered', 200],
      ]);
      expect(new Set(s.deliveries.map((d: { delivery_id: string }) => d.delivery_id))).toEqual(ids);
    } finally {
      expect((await prep.patch('/tenant/webhook', { webhook_url: '' })).body).toMatchObject({ webhook_url: null });
    }
  });

  it('410 → the delivery fails at once without a retry; the submission stays reviewed', async () => {
    const hook = await receiver([410]);
    const r = await submit(checker, lesson(), TWO_OF_THREE, { student: 'gone-student', criteria: CRITERIA, webhookUrl: hook.origin });
    const hookJob = await waitForWebhookJob(r.body.submission_id);
    expect((await checker.waitForJob(hookJob)).status).toBe('failed');
    await sleep(1000); // several backoff periods: a retry would have come by now
    expect(hook.requests).toHaveLength(1);
    const s = (await checker.get(`/homework/submissions/${r.body.submission_id}`)).body;
    expect(s.status).toBe('reviewed');
    expect(s.deliveries).toEqual([expect.objectContaining({ attempt: 1, outcome: 'failed', http_status: 410, error: 'receiver answered HTTP 410' })]);
  });

  it('a receiver that keeps answering 503 gets WEBHOOK_MAX_ATTEMPTS attempts, then the delivery fails', async () => {
    const hook = await receiver([503]);
    const r = await submit(checker, lesson(), TWO_OF_THREE, { student: 'down-student', criteria: CRITERIA, webhookUrl: hook.origin });
    const hookJob = await waitForWebhookJob(r.body.submission_id);
    const job = await checker.waitForJob(hookJob);
    expect(job).toMatchObject({ status: 'failed', attempts: 5, job_type: 'webhook' });
    expect(job.error_message).toMatch(/after 5 attempts/);
    expect(hook.requests).toHaveLength(5);
    expect(new Set(hook.requests.map((q) => q.headers['x-cs-delivery'])).size).toBe(1);
    const s = (await checker.get(`/homework/submissions/${r.body.submission_id}`)).body;
    expect(s.status).toBe('reviewed');
    expect(s.deliveries.map((d: { outcome: string }) => d.outcome)).toEqual(['retry', 'retry', 'retry', 'retry', 'failed']);
    expect(s.deliveries[4].error).toMatch(/HTTP 503 \(gave up after 5 attempts\)/);
    // Exponential: each gap at least the scheduled delay (100, 200, 400, 800 ms).
    const times = s.deliveries.map((d: { created_at: string }) => Date.parse(d.created_at));
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(100 * 2 ** (i - 1) - 20);
  });

  it('a tenant without a webhook secret gets no unsigned delivery: the attempt fails with the reason', async () => {
    const other = await createTestTenant(api.deps.prisma);
    const client = new Client(api.url, other.key);
    const c = await client.createCourse('No secret');
    const hook = await receiver([200]);
    const r = await submit(client, { course: c.id, node: c.id }, 'def f():\n    return 1\n', { webhookUrl: hook.origin });
    expect(r.status).toBe(202);
    const hookJob = await waitForWebhookJob(r.body.submission_id, client);
    expect((await client.waitForJob(hookJob)).status).toBe('failed');
    const s = (await client.get(`/homework/submissions/${r.body.submission_id}`)).body;
    expect(s.status).toBe('reviewed');
    expect(s.deliveries).toEqual([expect.objectContaining({ outcome: 'failed', http_status: null })]);
    expect(s.deliveries[0].error).toMatch(/no webhook secret/);
    expect(hook.requests).toHaveLength(0);
  });

  it('answers in the requested language and remembers it as the student’s language', async () => {
    const r1 = await submit(checker, lesson(), TWO_OF_THREE, { student: 'lang-student', criteria: CRITERIA, language: 'UK' });
    expect((await waitForSubmission(checker, r1.body.submission_id, ['reviewed', 'failed'])).response_language).toBe('uk');
    const r2 = await submit(checker, lesson(), `${TWO_OF_THREE}\n# v2\n`, { student: 'lang-student', criteria: CRITERIA });
    const s2 = await waitForSubmission(checker, r2.body.submission_id, ['reviewed', 'failed']);
    expect(s2.review.response_language).toBe('uk');
    expect(s2.response_language).toBe('uk');
  });
});

async function waitForWebhookJob(submissionId: string, client = checker): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const jobs = (await client.get('/jobs?job_type=webhook&limit=100')).body.items as { id: string; subject_id: string }[];
    const job = jobs.find((j) => j.subject_id === submissionId);
    if (job) return job.id;
    await sleep(150);
  }
  throw new Error('no webhook job');
}

describe('duplicates', () => {
  it('the same student + node + file again → the existing submission with duplicate: true, new object deleted', async () => {
    const file = `${TWO_OF_THREE}\n# duplicate check\n`;
    const first = await submit(checker, lesson(), file, { student: 'dup-student', criteria: CRITERIA });
    expect(first.status).toBe(202);
    const again = await submit(checker, lesson(), file, { student: 'dup-student', criteria: ['something else'], filename: 'other.py' });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ submission_id: first.body.submission_id, student_id: first.body.student_id, job_id: first.body.job_id, duplicate: true });
    const dupRows = await api.deps.prisma.submission.findMany({ where: { tenantId, student: { externalId: 'dup-student' } } });
    expect(dupRows).toHaveLength(1);
    // Another student, or another lesson, with the same file is a new submission.
    const otherStudent = await submit(checker, lesson(), file, { student: 'dup-student-2' });
    expect(otherStudent.body.duplicate).toBe(false);
    const otherNode = await submit(checker, { course: course.course, node: course.loops }, file, { student: 'dup-student' });
    expect(otherNode.body.duplicate).toBe(false);
    expect(otherNode.body.student_id).toBe(first.body.student_id);
    // Every stored object belongs to a submission: the duplicate's object is gone.
    const keys: string[] = [];
    for await (const o of listPrefix({ client: api.deps.s3, bucket: api.config.S3_BUCKET, prefix: `${tenantPrefix(tenantId)}homework/` })) keys.push(o.key);
    const rows = await api.deps.prisma.submission.findMany({ where: { tenantId }, select: { s3Key: true } });
    expect(keys.sort()).toEqual(rows.map((r) => r.s3Key).sort());
  });

  it('fields may follow the file part', async () => {
    const form = new FormData();
    form.append('file', new Blob(['print("fields last")\n']), 'late.py');
    form.append('student_external_id', 'late-fields');
    form.append('course_node_id', course.course);
    form.append('node_id', course.functions);
    const r = await checker.req('POST', '/homework/submit', form);
    expect(r.status).toBe(202);
    expect((await waitForSubmission(checker, r.body.submission_id, ['reviewed', 'failed'])).original_filename).toBe('late.py');
  });

  it('20 concurrent identical submissions → one submission, 19 duplicates, one object in S3', async () => {
    const fresh = await createTestTenant(api.deps.prisma, { scopes: ['prep', 'check'] });
    const client = new Client(api.url, fresh.key);
    const c = await client.createCourse('Concurrency');
    const target = { course: c.id, node: c.id };
    const results = await Promise.all(Array.from({ length: 20 }, () => submit(client, target, 'print("same file")\n', { student: 'racer' })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(202));
    expect(new Set(results.map((r) => r.body.submission_id)).size).toBe(1);
    expect(results.filter((r) => r.body.duplicate === true)).toHaveLength(19);
    const footprint = await tenantFootprint(api, fresh.tenant.id);
    expect(footprint).toMatchObject({ submissions: 1, students: 1, objects: 1, multipart: 0 });
    expect(await api.deps.prisma.job.count({ where: { tenantId: fresh.tenant.id, jobType: 'check' } })).toBe(1);
  });
});
