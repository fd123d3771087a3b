// Homework (check) helpers for integration tests: a prepared course, submitting files, a webhook receiver, and a
// count of everything a submit can leave behind.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Client } from './flow.js';
import type { Json } from './http.js';
import type { TestApi } from './api.js';
import { startLocalServer, type LocalServer } from '../../shared/src/net/local-server.test-support.js';
import { listPrefix, listUnfinishedMultipartUploads, tenantPrefix } from '../../shared/src/storage/index.js';

/** Settings every homework test API/worker pair shares: small chunks, fast webhook retries, an app key. */
export const homeworkEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  APP_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  CHUNK_TARGET_TOKENS: '60',
  CHUNK_OVERLAP_TOKENS: '0',
  WEBHOOK_BACKOFF_BASE_MS: '150',
  WEBHOOK_TIMEOUT_MS: '3000',
  ...extra,
});

export interface SubmitOptions {
  student?: string;
  filename?: string;
  criteria?: string[] | string;
  task?: string;
  webhookUrl?: string;
  language?: string;
  fields?: Record<string, string>;
}

export function submitForm(target: { course: string; node: string }, content: string | Buffer | null, o: SubmitOptions = {}): FormData {
  const form = new FormData();
  const fields: Record<string, string | undefined> = {
    student_external_id: o.student ?? 'student-1',
    course_node_id: target.course,
    node_id: target.node,
    task_description: o.task,
    criteria: o.criteria === undefined ? undefined : typeof o.criteria === 'string' ? o.criteria : JSON.stringify(o.criteria),
    webhook_url: o.webhookUrl,
    response_language: o.language,
    ...o.fields,
  };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.append(k, v);
  if (content !== null) form.append('file', new Blob([content]), o.filename ?? 'main.py');
  return form;
}

export const submit = (client: Client, target: { course: string; node: string }, content: string | Buffer | null, o: SubmitOptions = {}) =>
  client.req('POST', '/homework/submit', submitForm(target, content, o));

export async function waitForSubmission(client: Client, id: string, statuses: string[], timeoutMs = 30_000): Promise<Json> {
  return client.pollUntil(`/homework/submissions/${id}`, (s) => statuses.includes(s?.status), timeoutMs);
}

/** A webhook receiver answering with the given statuses in turn (the last one repeats). */
export async function startReceiver(statuses: number[] = [200]): Promise<LocalServer> {
  let n = 0;
  return startLocalServer((_req, res) => {
    const status = statuses[Math.min(n++, statuses.length - 1)] as number;
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
  });
}

export const LESSON_FUNCTIONS = `# Functions in Python

## Defining functions

In Python a function is defined with the def keyword, followed by the function name and its parameters in
parentheses, for example def greet(name):. The indented block below the def line is the body of the function.

## Return values

A function sends a result back to its caller with the return statement, for example return a + b. A function
without a return statement gives back None. The caller can store the returned value in a variable.

## Default arguments

A parameter can have a default value, as in def greet(name, greeting="Hello"). When the caller leaves that
argument out, the default value is used instead of it. Default arguments make parameters optional.

## Calling functions

A function is called by its name followed by arguments in parentheses, for example greet("Ada"). Positional
arguments are matched to parameters in order; keyword arguments are matched by name.
`;

export const LESSON_LOOPS = `# Loops

## While loops

A while loop repeats its block as long as its condition holds, for example while n > 0: n -= 1.

## For loops

A for loop walks over the items of a sequence such as a list or a range of numbers, for example
for i in range(10): print(i). The break statement leaves the loop early.
`;

// The same submission the reviewer's unit tests use (covers "def" and "return", no default argument).
export { CRITERIA, TWO_OF_THREE } from '../../worker/src/review/review.fixtures.test-support.js';

export interface PreparedCourse {
  course: string;
  functions: string;
  loops: string;
  functionsMaterial: string;
  loopsMaterial: string;
}

/** A course with two lessons whose Markdown materials are ingested and embedded (ready). */
export async function prepareCourse(client: Client): Promise<PreparedCourse> {
  const course = await client.createCourse('Python basics');
  const functions = await client.addChild(course.id, 'Functions');
  const loops = await client.addChild(course.id, 'Loops');
  const a = await client.upload(functions.id, 'functions.md', LESSON_FUNCTIONS);
  const b = await client.upload(loops.id, 'loops.md', LESSON_LOOPS);
  expect(a.status).toBe(201);
  expect(b.status).toBe(201);
  expect((await client.waitForMaterial(a.body.id)).state).toBe('ready');
  expect((await client.waitForMaterial(b.body.id)).state).toBe('ready');
  return { course: course.id, functions: functions.id, loops: loops.id, functionsMaterial: a.body.id, loopsMaterial: b.body.id };
}

/** Everything a submit could leave behind for a tenant: rows, jobs, objects, unfinished multipart uploads. */
export async function tenantFootprint(api: TestApi, tenantId: string) {
  const ref = { client: api.deps.s3, bucket: api.config.S3_BUCKET };
  let objects = 0;
  for await (const _o of listPrefix({ ...ref, prefix: `${tenantPrefix(tenantId)}homework/` })) objects++;
  let multipart = 0;
  for await (const _u of listUnfinishedMultipartUploads({ ...ref, prefix: tenantPrefix(tenantId) })) multipart++;
  const p = api.deps.prisma;
  return {
    submissions: await p.submission.count({ where: { tenantId } }),
    students: await p.student.count({ where: { tenantId } }),
    jobs: await p.job.count({ where: { tenantId } }),
    objects,
    multipart,
  };
}
