import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { extractInSubprocess, spareExtractor, stopSpareExtractor } from './extract-subprocess.js';
import { extractFile } from './extract.js';
import { InputError } from '../input-error.js';
import { makePdf, makeTmpDir, makeVideo, write } from './fixtures.test-support.js';

const MISBEHAVING = fileURLToPath(new URL('./misbehaving-child.test-support.ts', import.meta.url));
let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
beforeAll(async () => {
  tmp = await makeTmpDir();
});
afterAll(async () => {
  stopSpareExtractor();
  await tmp.cleanup();
});

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function misbehave(kind: 'hang' | 'crash' | 'oom', extra: { timeoutMs?: number; maxOldSpaceMb?: number; signal?: AbortSignal } = {}) {
  const path = tmp.file(`${kind}-input`);
  await write(path, 'x');
  const started = performance.now();
  // The parent's event loop must stay free while the child spins: count timer ticks meanwhile.
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 20);
  const err = await extractInSubprocess(path, { filename: `${kind}.txt`, childEntry: MISBEHAVING, timeoutMs: 20_000, ...extra }).then(
    () => null,
    (e: unknown) => e,
  );
  clearInterval(ticker);
  const pid = Number(await readFile(`${path}.pid`, 'utf8'));
  return { err, ms: performance.now() - started, ticks, pid };
}

describe('extractInSubprocess', () => {
  it('returns the same document as in-process extraction', async () => {
    const path = tmp.file('upload-1');
    await write(path, await makePdf([['First page words.'], ['Second page words.']], 'Doc'));
    const viaChild = await extractInSubprocess(path, { filename: 'lecture.PDF' });
    expect(viaChild).toEqual(await extractFile(path, { filename: 'lecture.pdf' }));
    expect(viaChild.blocks.map((b) => b.metadata.page)).toEqual([1, 2]);
  });

  it('keeps one loaded child waiting for the next file, and serves each file from a child of its own', async () => {
    const path = tmp.file('spare.md');
    await write(path, '# Spare\n\nThe next child is loaded before the next file arrives.');
    await extractInSubprocess(path, { filename: 'spare.md' });
    const waiting = spareExtractor();
    expect(waiting?.pid).toBeGreaterThan(0);
    await expect.poll(() => spareExtractor()?.ready, { timeout: 20_000, interval: 50 }).toBe(true);
    const doc = await extractInSubprocess(path, { filename: 'spare.md' });
    expect(doc.title).toBe('Spare');
    // the waiting child served that file and exited; a new one waits behind it
    await expect.poll(() => isAlive(waiting!.pid!), { timeout: 5_000, interval: 50 }).toBe(false);
    expect(spareExtractor()?.pid).not.toBe(waiting!.pid);
    // a spare that died while waiting is replaced, not used
    const next = spareExtractor()!;
    process.kill(next.pid!, 'SIGKILL');
    await expect.poll(() => isAlive(next.pid!), { timeout: 5_000, interval: 50 }).toBe(false);
    expect((await extractInSubprocess(path, { filename: 'spare.md' })).title).toBe('Spare');
    stopSpareExtractor();
    expect(spareExtractor()).toBeNull();
  });

  it('carries a multi-megabyte document back over IPC', async () => {
    const path = tmp.file('big-text');
    const paragraphs = Array.from({ length: 20_000 }, (_, i) => `Paragraph ${i} of a long handbook, with enough words to matter.`);
    await write(path, paragraphs.join('\n\n'));
    const doc = await extractInSubprocess(path, { filename: 'handbook.txt' });
    expect(doc.blocks).toHaveLength(20_000);
    expect(doc.blocks[19_999]!.text).toBe(paragraphs[19_999]);
    expect(doc.stats.characters).toBe(paragraphs.join('').length);
  });

  it('brings an InputError back with its code and message', async () => {
    const path = tmp.file('upload-2');
    await write(path, '');
    const err = await extractInSubprocess(path, { filename: 'notes.md' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('empty_file');
    expect((err as InputError).message).toBe('file is empty');
  });

  it('passes limits to the child', async () => {
    const path = tmp.file('upload-3');
    await write(path, 'one two three four five six');
    await expect(extractInSubprocess(path, { filename: 'a.txt', limits: { maxChars: 10 } })).rejects.toThrow(/more than 10 characters/);
  });

  it('kills a child stuck in a CPU loop at the wall-clock timeout, without blocking the parent', async () => {
    const { err, ms, ticks, pid } = await misbehave('hang', { timeoutMs: 3000 });
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('timeout');
    expect((err as Error).message).toBe('extraction took longer than 3 s and was stopped');
    expect(ms).toBeGreaterThanOrEqual(2950);
    expect(ms).toBeLessThan(8000);
    expect(ticks).toBeGreaterThan(60); // ~150 expected at 20 ms over 3 s
    await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(pid)).toBe(false);
  });

  it('reports a child that dies, and one that runs out of heap', async () => {
    const crash = await misbehave('crash');
    expect((crash.err as InputError).code).toBe('crashed');
    expect((crash.err as Error).message).toBe('extraction stopped unexpectedly (exit code 7)');

    const oom = await misbehave('oom', { maxOldSpaceMb: 48 });
    expect(oom.err).toBeInstanceOf(InputError);
    expect((oom.err as Error).message).toBe('extraction ran out of memory (limit 48 MiB); the file is too complex');
    expect(isAlive(oom.pid)).toBe(false);
  });

  it('kills the child when the job is aborted', async () => {
    const controller = new AbortController();
    // Abort once the child is inside its loop (it writes its pid first).
    const pidFile = tmp.file('hang-input.pid');
    await rm(pidFile, { force: true });
    const poll = setInterval(() => {
      if (existsSync(pidFile)) {
        clearInterval(poll);
        controller.abort(new Error('worker shutting down'));
      }
    }, 25);
    const { err, ms, pid } = await misbehave('hang', { signal: controller.signal });
    clearInterval(poll);
    expect(err).not.toBeInstanceOf(InputError);
    expect((err as Error).message).toBe('worker shutting down');
    expect(ms).toBeLessThan(10_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(pid)).toBe(false);
  });

  it('runs video in the calling process (the transcriber cannot cross a process boundary)', async () => {
    const video = tmp.file('clip.mp4');
    makeVideo(video, 1);
    const transcriber = { transcribe: async () => ({ segments: [{ start: 0, end: 1, text: 'hello' }], language: 'en', durationSeconds: 1 }) };
    const doc = await extractInSubprocess(video, { filename: 'clip.mp4', video: { transcriber } });
    expect(doc.blocks).toEqual([{ type: 'transcript', text: 'hello', metadata: { start_seconds: 0, end_seconds: 1 } }]);
  });
});
