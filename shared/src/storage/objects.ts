// Object and bucket operations the API and worker need. Every function takes an explicit client and bucket.
import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';

export interface BucketRef {
  client: S3Client;
  bucket: string;
}

export interface ObjectInfo {
  key: string;
  sizeBytes: number;
  contentType: string | null;
  etag: string | null;
  lastModified: Date | null;
}

export interface ListedObject {
  key: string;
  sizeBytes: number;
  lastModified: Date | null;
  etag: string | null;
}

/** True for "no such key / bucket" answers (HEAD answers carry no error code, only the 404 status). */
export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | null;
  return (
    e?.$metadata?.httpStatusCode === 404 ||
    e?.name === 'NotFound' ||
    e?.name === 'NoSuchKey' ||
    e?.name === 'NoSuchBucket' ||
    e?.Code === 'NoSuchKey'
  );
}

const unquote = (etag: string | undefined) => (etag ? etag.replace(/^"|"$/g, '') : null);

/** Metadata of an object, or null when there is none. */
export async function headObject(
  ref: BucketRef & { key: string; signal?: AbortSignal },
): Promise<ObjectInfo | null> {
  try {
    const out = await ref.client.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }), {
      abortSignal: ref.signal,
    });
    return {
      key: ref.key,
      sizeBytes: out.ContentLength ?? 0,
      contentType: out.ContentType ?? null,
      etag: unquote(out.ETag),
      lastModified: out.LastModified ?? null,
    };
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** The object's bytes as a stream (the caller must consume or destroy it), or null when it does not exist. */
export async function getObjectStream(
  ref: BucketRef & { key: string; range?: string; signal?: AbortSignal },
): Promise<(ObjectInfo & { body: Readable }) | null> {
  try {
    const out = await ref.client.send(
      new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...(ref.range ? { Range: ref.range } : {}) }),
      { abortSignal: ref.signal },
    );
    if (!out.Body) throw new Error(`GetObject returned no body for ${ref.key}`);
    return {
      key: ref.key,
      body: out.Body as Readable,
      sizeBytes: out.ContentLength ?? 0,
      contentType: out.ContentType ?? null,
      etag: unquote(out.ETag),
      lastModified: out.LastModified ?? null,
    };
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** Deletes one object; deleting a missing object is not an error (S3 semantics). */
export async function deleteObject(ref: BucketRef & { key: string }): Promise<void> {
  await ref.client.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
}

export interface DeleteObjectsResult {
  deleted: string[];
  failed: { key: string; code: string; message: string }[];
}

/** Deletes many objects, 1000 per request (the S3 limit). Per-key failures are returned, not thrown. */
export async function deleteObjects(ref: BucketRef & { keys: readonly string[] }): Promise<DeleteObjectsResult> {
  const result: DeleteObjectsResult = { deleted: [], failed: [] };
  const keys = [...new Set(ref.keys)];
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    const out = await ref.client.send(
      new DeleteObjectsCommand({
        Bucket: ref.bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: false },
      }),
    );
    const failed = new Set<string>();
    for (const e of out.Errors ?? []) {
      if (!e.Key) continue;
      failed.add(e.Key);
      result.failed.push({ key: e.Key, code: e.Code ?? 'Unknown', message: e.Message ?? '' });
    }
    result.deleted.push(...batch.filter((k) => !failed.has(k)));
  }
  return result;
}

/**
 * Every object under a prefix, page by page (ListObjectsV2), in key order. `startAfter` resumes after a key
 * (e.g. where an earlier run stopped); `maxPages` bounds one call — read `listing.done` afterwards to know
 * whether the listing reached the end of the prefix.
 */
export async function* listPrefix(
  ref: BucketRef & { prefix: string; pageSize?: number; signal?: AbortSignal; startAfter?: string; maxPages?: number },
  listing: { done: boolean } = { done: false },
): AsyncGenerator<ListedObject> {
  let token: string | undefined;
  let pages = 0;
  listing.done = false;
  do {
    const out = await ref.client.send(
      new ListObjectsV2Command({
        Bucket: ref.bucket,
        Prefix: ref.prefix,
        MaxKeys: ref.pageSize ?? 1000,
        ContinuationToken: token,
        ...(token === undefined && ref.startAfter ? { StartAfter: ref.startAfter } : {}),
      }),
      { abortSignal: ref.signal },
    );
    pages++;
    for (const o of out.Contents ?? []) {
      if (!o.Key) continue;
      yield { key: o.Key, sizeBytes: o.Size ?? 0, lastModified: o.LastModified ?? null, etag: unquote(o.ETag) };
    }
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token && (ref.maxPages === undefined || pages < ref.maxPages));
  listing.done = token === undefined;
}

/** Total bytes and object count under a prefix. */
export async function prefixUsage(
  ref: BucketRef & { prefix: string; signal?: AbortSignal },
): Promise<{ totalBytes: number; fileCount: number }> {
  let totalBytes = 0;
  let fileCount = 0;
  for await (const o of listPrefix(ref)) {
    totalBytes += o.sizeBytes;
    fileCount += 1;
  }
  return { totalBytes, fileCount };
}

/** Throws when the bucket is missing or the endpoint is unreachable (/health's S3 probe). */
export async function headBucket(ref: BucketRef & { signal?: AbortSignal }): Promise<void> {
  await ref.client.send(new HeadBucketCommand({ Bucket: ref.bucket }), { abortSignal: ref.signal });
}

/** Creates the bucket unless it exists. */
export async function ensureBucket(ref: BucketRef): Promise<'exists' | 'created'> {
  try {
    await headBucket(ref);
    return 'exists';
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await ref.client.send(new CreateBucketCommand({ Bucket: ref.bucket }));
    return 'created';
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') return 'exists';
    throw err;
  }
}
