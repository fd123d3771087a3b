// Streams a body of unknown length into S3 while hashing and counting it; never holds the whole file.
// Live memory is bounded by about partSize × (queueSize + 1): lib-storage cuts the stream into parts, at most
// queueSize of them in flight, and backpressure pauses the source while they are. RSS grows by more than that,
// because spent chunks (the HTTP parser's copies of the body, lib-storage's part buffers) wait for V8's next
// full GC (triggered by external-memory growth). With one part in flight the request body and the PUT to S3
// took turns (the API was ~50 % idle during an upload, CPU profile of 2026-12-03), so DEFAULT_QUEUE_SIZE parts
// go out while the next one fills; the growth it costs is measured by `npm run bench -- upload` (README →
// Performance) and bounded in upload-memory.int.test.ts (scripts/measure-upload-memory.ts measures other settings).
import { createHash } from 'node:crypto';
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Client } from '@aws-sdk/client-s3';
import { AppError } from '../errors/index.js';
import type { Logger } from '../logger/index.js';
import { abortMultipartUpload, abortMultipartUploadsUnder } from './multipart.js';
import { deleteObject, headObject } from './objects.js';

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;
export const DEFAULT_QUEUE_SIZE = 2;

export interface UploadStreamOptions {
  client: S3Client;
  bucket: string;
  /** A fresh key: on failure whatever is stored under it is deleted. */
  key: string;
  /** Ownership passes to uploadStream: it is consumed, or destroyed on failure. */
  body: Readable;
  contentType: string;
  /** More bytes than this → AppError('payload_too_large'), the moment the limit is crossed. */
  maxBytes: number;
  /** Declared size, if known (a hint that sizes the parts; a declared size over maxBytes is refused at once). */
  expectedSize?: number;
  signal?: AbortSignal;
  /** Parts uploaded concurrently. Default DEFAULT_QUEUE_SIZE (see the memory note at the top). */
  queueSize?: number;
  logger?: Logger;
}

export interface UploadStreamResult {
  sizeBytes: number;
  /** Hex SHA-256 of the bytes stored. */
  sha256: string;
  etag: string | null;
}

/** Part size for a stream of about `expectedSize` bytes (or up to maxBytes): ≥ 5 MiB, ≤ 10,000 parts. */
export function partSizeFor(expectedSize: number | undefined, maxBytes: number): number {
  const basis = Math.min(expectedSize ?? maxBytes, maxBytes);
  return Math.max(MIN_PART_SIZE, Math.ceil(basis / MAX_PARTS));
}

export const tooLarge = (maxBytes: number) =>
  new AppError('payload_too_large', `File exceeds the upload limit of ${maxBytes} bytes`);

/** Counts and hashes what passes through; errors out as soon as more than `limit` bytes arrive. */
class UploadMeter extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');

  constructor(
    private readonly limit: number,
    private readonly overLimit: (bytes: number) => Error,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      callback(this.overLimit(this.bytes));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

function abortReason(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  return Object.assign(new Error('Upload aborted'), { name: 'AbortError', cause: signal.reason });
}

/**
 * Uploads `body` to bucket/key with a multipart upload (a single PUT when it fits in one part) and returns its
 * size and SHA-256. On any failure or abort it waits for in-flight parts, aborts the multipart upload, checks
 * that no unfinished upload of the key is left (ListMultipartUploads) and deletes the object if one was stored,
 * then throws: AppError('payload_too_large') over the limit, otherwise the original error.
 */
export async function uploadStream(opts: UploadStreamOptions): Promise<UploadStreamResult> {
  const { client, bucket, key, body, maxBytes, expectedSize, signal } = opts;
  if (signal?.aborted) {
    body.destroy();
    throw abortReason(signal);
  }
  if (expectedSize !== undefined && expectedSize > maxBytes) {
    body.destroy();
    throw tooLarge(maxBytes);
  }

  const partSize = partSizeFor(expectedSize, maxBytes);
  // With a declared size far below the real one the part count could run out before maxBytes is reached.
  const limit = Math.min(maxBytes, partSize * MAX_PARTS);
  const meter = new UploadMeter(limit, (bytes) =>
    bytes > maxBytes
      ? tooLarge(maxBytes)
      : new AppError('payload_too_large', `File is much larger than its declared size of ${expectedSize} bytes`),
  );
  let failure: unknown = null;
  const fail = (err: unknown) => {
    failure ??= err;
    meter.destroy(err as Error);
  };
  // pipeline destroys the source when the meter fails (limit, abort) and the meter when the source fails.
  pipeline(body, meter, (err) => {
    if (err) failure ??= err;
  });
  const onAbort = () => fail(abortReason(signal as AbortSignal));
  signal?.addEventListener('abort', onAbort, { once: true });

  const upload = new Upload({
    client,
    params: { Bucket: bucket, Key: key, Body: meter, ContentType: opts.contentType },
    partSize,
    queueSize: opts.queueSize ?? DEFAULT_QUEUE_SIZE,
    leavePartsOnError: false,
  });

  try {
    // done() settles only after every in-flight part request has, since we never call upload.abort()
    // (which would reject at once and leave lib-storage working in the background).
    const out = await upload.done();
    if (signal?.aborted) throw abortReason(signal);
    if (failure) throw failure;
    return { sizeBytes: meter.bytes, sha256: meter.digest(), etag: out.ETag ? out.ETag.replace(/^"|"$/g, '') : null };
  } catch (err) {
    const reason = failure ?? err;
    if (!meter.destroyed) meter.destroy();
    await removeLeftovers(client, bucket, key, upload.uploadId).catch((cleanupErr: unknown) => {
      // The maintenance sweep removes what is left; the caller still gets the original error.
      opts.logger?.warn(
        { bucket, key, err: cleanupErr instanceof Error ? cleanupErr.message : String(cleanupErr) },
        'upload cleanup incomplete',
      );
    });
    throw reason;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Leaves nothing under `key`: no unfinished multipart upload, no object. */
async function removeLeftovers(client: S3Client, bucket: string, key: string, uploadId?: string): Promise<void> {
  if (uploadId) await abortMultipartUpload({ client, bucket, key, uploadId });
  // Parts still in flight during an abort may be stored anyway (S3 documents this): sweep until none is left.
  for (let pass = 0; pass < 3; pass++) {
    const aborted = await abortMultipartUploadsUnder({ client, bucket, prefix: key, exactKey: true });
    if (aborted === 0) break;
  }
  if (await headObject({ client, bucket, key })) await deleteObject({ client, bucket, key });
}
