// Object, bucket, multipart and presign helpers against a real s3rver of this file's own (free port, temp dir).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startTempLocalS3, S3RVER_CREDENTIALS, type LocalS3 } from '../../../scripts/lib/s3rver-server.js';
import { createS3Client } from './s3-client.js';
import {
  deleteObject,
  deleteObjects,
  ensureBucket,
  getObjectStream,
  headBucket,
  headObject,
  listPrefix,
  prefixUsage,
} from './objects.js';
import { abortMultipartUploadsUnder, listUnfinishedMultipartUploads } from './multipart.js';
import { presignPut } from './presign.js';

const bucket = 'objects-it';
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

const freshPrefix = () => `tenants/${randomBytes(6).toString('hex')}/`;

async function put(key: string, body: string | Buffer, contentType = 'text/plain') {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}

/** Runs fn over items with at most `width` in flight. */
async function inBatches<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Counts the requests of one command a client sends. */
function countCommands(c: S3Client, commandName: string): () => number {
  let n = 0;
  c.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === commandName) n += 1;
      return next(args);
    },
    { step: 'initialize', name: `count-${commandName}-${randomBytes(3).toString('hex')}` },
  );
  return () => n;
}

describe('head, get, delete', () => {
  it('headObject and getObjectStream return null for a missing key, data for a present one', async () => {
    const key = `${freshPrefix()}a.md`;
    expect(await headObject({ client, bucket, key })).toBeNull();
    expect(await getObjectStream({ client, bucket, key })).toBeNull();
    await put(key, '# Title\n', 'text/markdown');
    const head = await headObject({ client, bucket, key });
    expect(head).toMatchObject({ key, sizeBytes: 8, contentType: 'text/markdown' });
    const obj = await getObjectStream({ client, bucket, key });
    let text = '';
    for await (const chunk of obj!.body) text += chunk.toString();
    expect(text).toBe('# Title\n');
    await deleteObject({ client, bucket, key });
    expect(await headObject({ client, bucket, key })).toBeNull();
    await deleteObject({ client, bucket, key }); // deleting again is fine
  });
});

describe('listPrefix and prefixUsage', () => {
  it('pages through every object under the prefix, and only those', async () => {
    const prefix = freshPrefix();
    const keys = Array.from({ length: 25 }, (_, i) => `${prefix}f${String(i).padStart(2, '0')}.txt`);
    await inBatches(keys, 10, (k) => put(k, 'x'.repeat(Number(k.slice(-6, -4)) + 1)));
    await put(`${prefix.slice(0, -1)}-sibling/other.txt`, 'not mine');

    const lists = countCommands(client, 'ListObjectsV2Command');
    const listed = await collect(listPrefix({ client, bucket, prefix, pageSize: 7 }));
    expect(listed.map((o) => o.key)).toEqual(keys);
    expect(lists()).toBe(4); // 7 + 7 + 7 + 4
    expect(listed[3]).toMatchObject({ sizeBytes: 4 });

    const usage = await prefixUsage({ client, bucket, prefix });
    expect(usage).toEqual({ fileCount: 25, totalBytes: (25 * 26) / 2 });
    expect(await prefixUsage({ client, bucket, prefix: freshPrefix() })).toEqual({ fileCount: 0, totalBytes: 0 });
  });
});

describe('deleteObjects', () => {
  it('deletes more than 1000 keys in batches of 1000', async () => {
    const prefix = freshPrefix();
    const keys = Array.from({ length: 1003 }, (_, i) => `${prefix}${i}.bin`);
    await inBatches(keys, 25, (k) => put(k, 'z'));
    const keep = `${prefix}keep/me.txt`;
    await put(keep, 'keep');

    const deletes = countCommands(client, 'DeleteObjectsCommand');
    const result = await deleteObjects({ client, bucket, keys: [...keys, keys[0]!] });
    expect(deletes()).toBe(2);
    expect(result.failed).toEqual([]);
    expect(new Set(result.deleted)).toEqual(new Set(keys));
    const left = await collect(listPrefix({ client, bucket, prefix }));
    expect(left.map((o) => o.key)).toEqual([keep]);
  });

  it('does nothing for an empty list', async () => {
    expect(await deleteObjects({ client, bucket, keys: [] })).toEqual({ deleted: [], failed: [] });
  });
});

describe('multipart uploads', () => {
  async function startUpload(key: string, parts = 1) {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    for (let p = 1; p <= parts; p++) {
      await client.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: p, Body: Buffer.alloc(1024, p) }),
      );
    }
    return UploadId!;
  }

  it('lists unfinished uploads under a prefix page by page and aborts them', async () => {
    const prefix = freshPrefix();
    const a = await startUpload(`${prefix}a.bin`, 2);
    const b1 = await startUpload(`${prefix}b.bin`);
    const b2 = await startUpload(`${prefix}b.bin`);
    const other = await startUpload(`${freshPrefix()}c.bin`);

    const lists = countCommands(client, 'ListMultipartUploadsCommand');
    const listed = await collect(listUnfinishedMultipartUploads({ client, bucket, prefix, pageSize: 2 }));
    expect(lists()).toBe(2);
    expect(listed.map((u) => u.key)).toEqual([`${prefix}a.bin`, `${prefix}b.bin`, `${prefix}b.bin`]);
    expect(new Set(listed.map((u) => u.uploadId))).toEqual(new Set([a, b1, b2]));
    expect(listed.every((u) => u.initiated instanceof Date)).toBe(true);

    // olderThan keeps uploads started after the cut-off
    expect(await abortMultipartUploadsUnder({ client, bucket, prefix, olderThan: new Date(Date.now() - 60_000) })).toBe(0);
    expect(await abortMultipartUploadsUnder({ client, bucket, prefix })).toBe(3);
    expect(await collect(listUnfinishedMultipartUploads({ client, bucket, prefix }))).toEqual([]);
    // another prefix is untouched
    const rest = await collect(listUnfinishedMultipartUploads({ client, bucket, prefix: '' }));
    expect(rest.map((u) => u.uploadId)).toContain(other);
    expect(await abortMultipartUploadsUnder({ client, bucket, prefix: '' })).toBeGreaterThanOrEqual(1);
  });

  it('exactKey leaves uploads of longer keys with the same beginning alone', async () => {
    const prefix = freshPrefix();
    await startUpload(`${prefix}x.md`);
    const longer = await startUpload(`${prefix}x.md.bak`);
    expect(await abortMultipartUploadsUnder({ client, bucket, prefix: `${prefix}x.md`, exactKey: true })).toBe(1);
    const left = await collect(listUnfinishedMultipartUploads({ client, bucket, prefix }));
    expect(left.map((u) => u.uploadId)).toEqual([longer]);
    await abortMultipartUploadsUnder({ client, bucket, prefix });
  });
});

describe('presignPut', () => {
  it('gives a URL that a plain fetch PUT stores the object through', async () => {
    const key = `${freshPrefix()}upload.md`;
    const body = '# Uploaded directly\n';
    const p = await presignPut({
      client, bucket, key, contentType: 'text/markdown', contentLength: Buffer.byteLength(body),
    });
    const res = await fetch(p.url, { method: p.method, headers: p.headers, body });
    expect(res.status).toBe(200);
    const head = await headObject({ client, bucket, key });
    expect(head).toMatchObject({ sizeBytes: Buffer.byteLength(body), contentType: 'text/markdown' });
  });
});

describe('buckets', () => {
  it('ensureBucket creates once and then reports it exists; headBucket fails for a missing one', async () => {
    const name = `ensure-${randomBytes(4).toString('hex')}`;
    await expect(headBucket({ client, bucket: name })).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    expect(await ensureBucket({ client, bucket: name })).toBe('created');
    expect(await ensureBucket({ client, bucket: name })).toBe('exists');
    await expect(headBucket({ client, bucket: name })).resolves.toBeUndefined();
  });
});
