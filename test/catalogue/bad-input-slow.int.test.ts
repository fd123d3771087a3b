// Bad-input catalogue: slow bodies (issue 13, item 8). Request bodies that trickle in (one byte every 2 s, or
// nothing after the head) are cut by the app's body-progress timeout with 408 in the error shape, and leave no
// row, S3 object, multipart upload or job; a large upload that keeps moving is not affected. The API here runs
// with REQUEST_BODY_TIMEOUT_MS=1500 (default REQUEST_BODY_MIN_BYTES 1024) so the cases take seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, expectErrorShape, type World } from './catalogue-world.js';
import { multipart } from './catalogue-runner.js';
import { trickle } from './raw-http.js';

let w: World;
beforeAll(async () => {
  w = await createWorld('cat-slow', { REQUEST_BODY_TIMEOUT_MS: '1500' });
}, 60_000);
afterAll(async () => {
  await w?.close();
});

const MB = 1024 * 1024;
const requestHead = (w: World, method: string, path: string, headers: Record<string, string | number>) =>
  Buffer.from(
    `${method} /api/v1${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: ${w.a.key}\r\nConnection: close\r\n` +
      `${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`,
  );

/** A Markdown upload whose first `fast` bytes arrive at once and the rest one byte every 2 s. */
function slowUpload(w: World, fileBytes: number, fast: number) {
  const { body, contentType } = multipart([{ name: 'source_type', value: 'text' }, { name: 'file', filename: 'slow.md', content: `# slow\n\n${'text '.repeat(fileBytes / 5)}` }]);
  const head = Buffer.concat([requestHead(w, 'POST', `/nodes/${w.a.lessonId}/materials`, { 'Content-Type': contentType, 'Content-Length': body.length }), body.subarray(0, fast)]);
  return trickle(w.api.url, { head, rest: body.subarray(fast), everyMs: 2000, timeoutMs: 15_000 });
}

function expect408(r: { status: number; afterMs: number } & Parameters<typeof expectErrorShape>[0], what: string) {
  expect(r.status, `${what}: ${r.text.slice(0, 200)}`).toBe(408);
  expectErrorShape(r, what);
  expect(r.json.code).toBe('request_timeout');
  expect(r.afterMs, `${what}: cut within two windows`).toBeLessThan(2 * 1500 + 1500);
}

describe('slow request bodies (issue 13, item 8)', () => {
  it('three uploads trickling one byte every 2 s are each answered 408 and store nothing', async () => {
    const before = await w.snapshot();
    // One is cut in the multipart preamble, one inside a small file, one after 6 MB of the file have streamed
    // into S3 (a multipart upload is open there when the body stalls).
    const answers = await Promise.all([slowUpload(w, 1000, 40), slowUpload(w, 1000, 600), slowUpload(w, 7 * MB, 6 * MB)]);
    answers.forEach((r, i) => expect408(r, `upload ${i}`));
    // The aborted S3 multipart upload is cleaned up just after the answer.
    await expect.poll(() => w.snapshot(), { timeout: 10_000, interval: 500 }).toEqual(before);
  }, 30_000);

  it('a JSON body trickling one byte every 2 s is answered 408 and creates no node', async () => {
    const before = await w.snapshot();
    const body = Buffer.from(JSON.stringify({ title: 'slowly', description: 'x'.repeat(200) }));
    const r = await trickle(w.api.url, {
      head: Buffer.concat([requestHead(w, 'POST', '/nodes', { 'Content-Type': 'application/json', 'Content-Length': body.length }), body.subarray(0, 10)]),
      rest: body.subarray(10),
      everyMs: 2000,
      timeoutMs: 15_000,
    });
    expect408(r, 'json');
    expect(await w.snapshot()).toEqual(before);
  }, 30_000);

  it('a declared body that never starts (head only) is answered 408', async () => {
    const before = await w.snapshot();
    const r = await trickle(w.api.url, {
      head: requestHead(w, 'PATCH', `/nodes/${w.a.courseId}`, { 'Content-Type': 'application/json', 'Content-Length': 100 }),
      rest: Buffer.alloc(0),
      everyMs: 2000,
      timeoutMs: 15_000,
    });
    expect408(r, 'head only');
    expect(await w.snapshot()).toEqual(before);
  }, 30_000);

  it('a chunked body that stalls is answered 408', async () => {
    const before = await w.snapshot();
    const r = await trickle(w.api.url, {
      head: Buffer.concat([requestHead(w, 'POST', '/nodes', { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }), Buffer.from('5\r\n{"tit\r\n')]),
      rest: Buffer.from('1\r\na\r\n'.repeat(20)),
      everyMs: 2000,
      timeoutMs: 15_000,
    });
    expect408(r, 'chunked');
    expect(await w.snapshot()).toEqual(before);
  }, 30_000);

  it('a large upload that keeps moving (4 MB over ~5 s, several windows) is stored', async () => {
    const { body, contentType } = multipart([{ name: 'source_type', value: 'text' }, { name: 'file', filename: 'steady.md', content: `# steady\n\n${'word '.repeat((4 * MB) / 5)}` }]);
    const head = requestHead(w, 'POST', `/nodes/${w.a.lessonId}/materials`, { 'Content-Type': contentType, 'Content-Length': body.length });
    const { connect } = await import('node:net');
    const url = new URL(w.api.url);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(head);
        let sent = 0;
        const step = 48 * 1024; // ~0.8 MB/s: every window sees far more than REQUEST_BODY_MIN_BYTES
        const tick = setInterval(() => {
          socket.write(body.subarray(sent, (sent += step)));
          if (sent >= body.length) clearInterval(tick);
        }, 60);
      });
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('error', reject);
    });
    const elapsed = Date.now() - started;
    expect(answer.split('\r\n')[0], answer.slice(0, 300)).toContain('201');
    expect(elapsed, 'the upload spanned several body-timeout windows').toBeGreaterThan(3 * 1500);
    const id = JSON.parse(answer.split('\r\n\r\n')[1] ?? '{}').id as string;
    await w.a.client.waitForMaterial(id);
    expect((await w.a.client.del(`/materials/${id}`)).status).toBe(204);
  }, 60_000);
});
