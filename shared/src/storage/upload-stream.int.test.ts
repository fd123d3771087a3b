// uploadStream against a real s3rver of this file's own (free port, temp dir). "Nothing remains" is checked three
// ways: HeadObject, ListMultipartUploads, and s3rver's on-disk upload directories.
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { startTempLocalS3, S3RVER_CREDENTIALS, type LocalS3 } from '../../../scripts/lib/s3rver-server.js';
import { AppError } from '../errors/index.js';
import { createS3Client } from './s3-client.js';
import { getObjectStream, headObject } from './objects.js';
import { listUnfinishedMultipartUploads } from './multipart.js';
import { DEFAULT_QUEUE_SIZE, MIN_PART_SIZE, partSizeFor, uploadStream } from './upload-stream.js';

const MiB = 1024 * 1024;
const bucket = 'upload-stream-it';
let s3: LocalS3;
let client: S3Client;

beforeAll(async () => {
  s3 = await startTempLocalS3([bucket]);
  client = createS3Client({ endpoint: s3.url, region: 'us-east-1', ...S3RVER_CREDENTIALS, forcePathStyle: true });
});

afterAll(async () => {
  client?.destroy();
  await s3?.close();
});

interface Source {
  stream: Readable;
  /** SHA-256 of every byte handed out so far. */
  sha256(): string;
  produced(): number;
}

/**
 * Random bytes in 64 KiB chunks, `total` of them (Infinity: never ends). failAt: emit an error once that many
 * bytes were produced. onProduced: called after each chunk with the running total.
 */
function randomSource(total: number, opts: { failAt?: number; onProduced?: (n: number) => void } = {}): Source {
  const hash = createHash('sha256');
  let produced = 0;
  const stream = new Readable({
    highWaterMark: 64 * 1024,
    read() {
      if (opts.failAt !== undefined && produced >= opts.failAt) {
        this.destroy(new Error('client went away'));
        return;
      }
      if (produced >= total) {
        this.push(null);
        return;
      }
      const chunk = randomFillSync(Buffer.allocUnsafe(Math.min(64 * 1024, total - produced)));
      produced += chunk.length;
      hash.update(chunk);
      this.push(chunk);
      opts.onProduced?.(produced);
    },
  });
  return { stream, sha256: () => hash.copy().digest('hex'), produced: () => produced };
}

const freshKey = (name: string) => `tenants/it/${randomBytes(6).toString('hex')}/${name}`;

async function sha256Of(key: string): Promise<string> {
  const obj = await getObjectStream({ client, bucket, key });
  if (!obj) throw new Error(`object ${key} missing`);
  const hash = createHash('sha256');
  for await (const chunk of obj.body) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** s3rver's upload directories that belong to `key` (or whose key file is gone: orphaned parts). */
async function uploadDirsOnDisk(key: string): Promise<string[]> {
  const root = join(s3.directory, bucket, '._S3rver_uploads');
  const ids = await readdir(root).catch(() => [] as string[]);
  const mine: string[] = [];
  for (const id of ids) {
    const stored = await readFile(join(root, id, 'key'), 'utf8').catch(() => null);
    if (stored === null || stored === key) mine.push(id);
  }
  return mine;
}

async function expectNothingLeft(key: string): Promise<void> {
  expect(await headObject({ client, bucket, key })).toBeNull();
  const unfinished = [];
  for await (const u of listUnfinishedMultipartUploads({ client, bucket, prefix: key })) unfinished.push(u);
  expect(unfinished).toEqual([]);
  expect(await uploadDirsOnDisk(key)).toEqual([]);
}

describe('partSizeFor', () => {
  it('is at least 5 MiB and keeps any size up to the limit within 10,000 parts', () => {
    expect(partSizeFor(undefined, 1024 * MiB)).toBe(MIN_PART_SIZE);
    expect(partSizeFor(10, 1024 * MiB)).toBe(MIN_PART_SIZE);
    const hundredGiB = 100 * 1024 * MiB;
    const size = partSizeFor(hundredGiB, hundredGiB);
    expect(size).toBeGreaterThan(MIN_PART_SIZE);
    expect(Math.ceil(hundredGiB / size)).toBeLessThanOrEqual(10_000);
    expect(partSizeFor(2 * hundredGiB, 4 * hundredGiB)).toBeGreaterThan(size); // grows with the declared size
  });
});

describe('uploadStream', () => {
  it('stores a ~30 MiB stream as a multipart upload whose SHA-256 matches the source', async () => {
    const key = freshKey('big.bin');
    const total = 30 * MiB + 12_345;
    const src = randomSource(total);
    const result = await uploadStream({
      client, bucket, key, body: src.stream, contentType: 'application/octet-stream', maxBytes: 64 * MiB,
    });
    expect(result.sizeBytes).toBe(total);
    expect(result.sha256).toBe(src.sha256());
    expect(result.etag).toMatch(/\S/);
    const head = await headObject({ client, bucket, key });
    expect(head?.sizeBytes).toBe(total);
    expect(head?.contentType).toBe('application/octet-stream');
    expect(await sha256Of(key)).toBe(src.sha256());
    expect(await uploadDirsOnDisk(key)).toEqual([]);
  });

  it('stores a small stream (single PUT) and an empty one', async () => {
    const small = randomSource(1000);
    const key = freshKey('small.md');
    const r = await uploadStream({ client, bucket, key, body: small.stream, contentType: 'text/markdown', maxBytes: MiB });
    expect(r).toMatchObject({ sizeBytes: 1000, sha256: small.sha256() });
    expect(await sha256Of(key)).toBe(small.sha256());

    const emptyKey = freshKey('empty.txt');
    const e = await uploadStream({ client, bucket, key: emptyKey, body: Readable.from([]), contentType: 'text/plain', maxBytes: MiB });
    expect(e).toMatchObject({ sizeBytes: 0, sha256: createHash('sha256').digest('hex') });
    expect((await headObject({ client, bucket, key: emptyKey }))?.sizeBytes).toBe(0);
  });

  it('accepts a stream of exactly maxBytes', async () => {
    const key = freshKey('exact.bin');
    const src = randomSource(6 * MiB);
    const r = await uploadStream({ client, bucket, key, body: src.stream, contentType: 'text/plain', maxBytes: 6 * MiB });
    expect(r).toMatchObject({ sizeBytes: 6 * MiB, sha256: src.sha256() });
    expect(await sha256Of(key)).toBe(src.sha256());
  });

  it('rejects an over-limit stream with 413 as soon as the limit is crossed, leaving nothing', async () => {
    const key = freshKey('too-big.bin');
    const maxBytes = 12 * MiB;
    const src = randomSource(Infinity); // never ends: only the limit can stop it
    const err = await uploadStream({ client, bucket, key, body: src.stream, contentType: 'application/pdf', maxBytes }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(src.stream.destroyed).toBe(true);
    expect(src.produced()).toBeLessThan(maxBytes + 2 * MiB); // read stopped right after the limit
    await expectNothingLeft(key);
  });

  it('rejects an over-limit stream that fits in one part (single PUT path), leaving nothing', async () => {
    const key = freshKey('small-too-big.bin');
    const src = randomSource(3 * MiB);
    const err = await uploadStream({ client, bucket, key, body: src.stream, contentType: 'text/plain', maxBytes: 2 * MiB }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ status: 413 });
    await expectNothingLeft(key);
  });

  it('refuses a declared size over the limit before storing a byte', async () => {
    const key = freshKey('declared.bin');
    const src = randomSource(10);
    await expect(
      uploadStream({ client, bucket, key, body: src.stream, contentType: 'text/plain', maxBytes: MiB, expectedSize: MiB + 1 }),
    ).rejects.toMatchObject({ status: 413 });
    expect(src.produced()).toBe(0);
    await expectNothingLeft(key);
  });

  it.each([
    ['before the first part is complete', 2 * MiB],
    ['after several parts were uploaded', 17 * MiB],
  ])('aborts on the AbortSignal %s, leaving nothing', async (_when, abortAt) => {
    const key = freshKey('aborted.bin');
    const controller = new AbortController();
    const src = randomSource(Infinity, {
      onProduced: (n) => {
        if (n >= abortAt && !controller.signal.aborted) controller.abort();
      },
    });
    const err = await uploadStream({
      client, bucket, key, body: src.stream, contentType: 'video/mp4', maxBytes: 1024 * MiB, signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AbortError' });
    expect(src.stream.destroyed).toBe(true);
    await expectNothingLeft(key);
  });

  it('removes an object already stored when the abort comes while its PUT is in flight', async () => {
    const key = freshKey('late-abort.md');
    const controller = new AbortController();
    // A client that fires the abort the moment the single PUT goes out: the object still gets stored.
    const spy = createS3Client({ endpoint: s3.url, region: 'us-east-1', ...S3RVER_CREDENTIALS, forcePathStyle: true });
    let putsSent = 0;
    spy.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand') {
          putsSent += 1;
          controller.abort();
        }
        return next(args);
      },
      { step: 'finalizeRequest', name: 'abortOnPut' },
    );
    const src = randomSource(4096);
    await expect(
      uploadStream({ client: spy, bucket, key, body: src.stream, contentType: 'text/markdown', maxBytes: MiB, signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    spy.destroy();
    expect(putsSent).toBe(1);
    await expectNothingLeft(key);
  });

  it('refuses at once when the signal is already aborted', async () => {
    const key = freshKey('pre-aborted.bin');
    const src = randomSource(MiB);
    await expect(
      uploadStream({ client, bucket, key, body: src.stream, contentType: 'text/plain', maxBytes: 2 * MiB, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    await expectNothingLeft(key);
  });

  it('rethrows a source failure mid-upload, leaving nothing', async () => {
    const key = freshKey('broken.bin');
    const src = randomSource(Infinity, { failAt: 13 * MiB });
    await expect(
      uploadStream({ client, bucket, key, body: src.stream, contentType: 'application/zip', maxBytes: 100 * MiB }),
    ).rejects.toThrow('client went away');
    await expectNothingLeft(key);
  });

  it('rethrows an S3 failure (missing bucket) and leaves nothing', async () => {
    const key = freshKey('nobucket.bin');
    const src = randomSource(7 * MiB);
    await expect(
      uploadStream({ client, bucket: 'no-such-bucket-here', key, body: src.stream, contentType: 'text/plain', maxBytes: 10 * MiB }),
    ).rejects.toMatchObject({ name: 'NoSuchBucket' });
    await expectNothingLeft(key);
  });
});

/** A client that counts UploadPart requests in flight, per key and in all. */
function countingClient() {
  const spy = createS3Client({ endpoint: s3.url, region: 'us-east-1', ...S3RVER_CREDENTIALS, forcePathStyle: true });
  const now = new Map<string, number>();
  const max = new Map<string, number>();
  let total = 0;
  let maxTotal = 0;
  spy.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'UploadPartCommand') return next(args);
      const key = (args.input as { Key: string }).Key;
      now.set(key, (now.get(key) ?? 0) + 1);
      max.set(key, Math.max(max.get(key) ?? 0, now.get(key) as number));
      maxTotal = Math.max(maxTotal, ++total);
      try {
        return await next(args);
      } finally {
        now.set(key, (now.get(key) as number) - 1);
        total -= 1;
      }
    },
    { step: 'initialize', name: 'countParts' },
  );
  return { spy, maxInFlight: (key: string) => max.get(key) ?? 0, maxTotal: () => maxTotal };
}

describe('uploadStream part concurrency', () => {
  it('keeps more than one part in flight, never more than the queue size', async () => {
    const { spy, maxInFlight } = countingClient();
    const key = freshKey('parallel.bin');
    const src = randomSource(40 * MiB);
    const r = await uploadStream({ client: spy, bucket, key, body: src.stream, contentType: 'text/plain', maxBytes: 64 * MiB });
    spy.destroy();
    expect(r.sha256).toBe(src.sha256());
    expect(await sha256Of(key)).toBe(src.sha256());
    expect(maxInFlight(key)).toBeGreaterThan(1);
    expect(maxInFlight(key)).toBeLessThanOrEqual(DEFAULT_QUEUE_SIZE);
  });
});
