// Streams a body of unknown length into S3 while hashing and counting it; never holds the whole file.
// The stream is cut into parts of partSize bytes, each assembled in a buffer lent by a process-wide
// PartBufferPool (part-buffers.ts) and sent with UploadPart while the next one fills: up to queueSize parts of
// one upload are in flight at once. While no slot or buffer is free the source is not read, so backpressure
// reaches the client through TCP.
// Memory: one upload holds at most (queueSize + 1) × partSize of part buffers (4 × 5 MiB = 20 MiB by default)
// and the whole process at most UPLOAD_BUFFER_BUDGET (40 MiB, 8 parts of 5 MiB) for all uploads together, plus
// each stream's own small buffers (socket, HTTP parser, busboy, peek: 16–64 KiB each). The buffers are reused,
// not allocated per part: a fresh 5 MiB buffer per part is garbage that V8 frees late and malloc may keep, which
// is what made RSS grow with more parts in flight when lib-storage's Upload did this (it concatenates each part).
// What remains is the body's own garbage: Node's HTTP parser copies every body chunk into a new buffer, freed
// only by the next GC (during an upload, mark-compacts started by external-memory pressure, every few tens of
// MiB); measured in bench/scenarios/upload.ts (API RSS growth, flat from 64 MiB to 4 GiB).
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AppError } from '../errors/index.js';
import type { Logger } from '../logger/index.js';
import { abortMultipartUpload, abortMultipartUploadsUnder } from './multipart.js';
import { deleteObject, headObject } from './objects.js';
import { PartBufferPool } from './part-buffers.js';

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;
/** Parts of one upload in flight at once (one more fills meanwhile). */
export const DEFAULT_QUEUE_SIZE = 3;
/** Part buffers of all uploads of this process together. */
export const UPLOAD_BUFFER_BUDGET = 8 * MIN_PART_SIZE;
const processPool = new PartBufferPool(UPLOAD_BUFFER_BUDGET);

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
  /** Parts uploaded concurrently. Default DEFAULT_QUEUE_SIZE. */
  queueSize?: number;
  /** Where part buffers come from. Default: the process-wide pool (UPLOAD_BUFFER_BUDGET). */
  pool?: PartBufferPool;
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

/** The process-wide part buffer pool's counters (budget, allocated, peak, lent, waiting uploads). */
export const uploadBufferStats = () => processPool.stats();

function abortReason(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  return Object.assign(new Error('Upload aborted'), { name: 'AbortError', cause: signal.reason });
}

const unquote = (etag: string | undefined) => (etag ? etag.replace(/^"|"$/g, '') : null);

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
  const pool = opts.pool ?? processPool;
  const queueSize = Math.max(1, opts.queueSize ?? DEFAULT_QUEUE_SIZE);
  const partSize = partSizeFor(expectedSize, maxBytes);
  // With a declared size far below the real one the part count could run out before maxBytes is reached.
  const limit = Math.min(maxBytes, partSize * MAX_PARTS);
  const overLimit = (): AppError =>
    limit === maxBytes ? tooLarge(maxBytes) : new AppError('payload_too_large', `File is much larger than its declared size of ${expectedSize} bytes`);

  // An abort destroys the source, which ends the read loop below with the abort's reason.
  const onAbort = () => body.destroy(abortReason(signal as AbortSignal));
  signal?.addEventListener('abort', onAbort, { once: true });

  const hash = createHash('sha256');
  let bytes = 0;
  let uploadId: string | undefined;
  let current: Buffer | null = null; // the part being filled (lent by the pool)
  let filled = 0;
  let partNumber = 0;
  const etags: { PartNumber: number; ETag: string }[] = [];
  const inFlight = new Set<Promise<void>>();
  let partFailure: { err: unknown } | null = null;
  let slotFreed: (() => void) | null = null;
  const checkParts = () => {
    if (partFailure) throw partFailure.err;
  };

  const sendPart = (buf: Buffer, length: number, number: number) => {
    const id = uploadId as string;
    const sent: Promise<void> = client
      .send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: id, PartNumber: number, Body: buf.subarray(0, length), ContentLength: length }))
      .then(
        (out) => {
          if (!out.ETag) throw new Error(`Part ${number} of ${key} came back without an ETag`);
          etags.push({ PartNumber: number, ETag: out.ETag });
        },
      )
      .catch((err: unknown) => {
        partFailure ??= { err };
        body.destroy(err as Error); // stop reading; the loop rethrows partFailure
      })
      .finally(() => {
        // The request has settled (its body fully written or the request destroyed): the buffer is free.
        pool.release(buf);
        inFlight.delete(sent);
        slotFreed?.();
      });
    inFlight.add(sent);
  };

  /** Sends the full current part (starting the multipart upload with the first) once there is a slot for it. */
  const flushPart = async () => {
    const buf = current as Buffer;
    current = null;
    try {
      uploadId ??= (await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: opts.contentType }))).UploadId;
      if (!uploadId) throw new Error(`CreateMultipartUpload for ${key} returned no UploadId`);
      while (inFlight.size >= queueSize) await new Promise<void>((r) => (slotFreed = r));
      slotFreed = null;
      checkParts();
    } catch (err) {
      pool.release(buf);
      throw err;
    }
    partNumber += 1;
    sendPart(buf, filled, partNumber);
    filled = 0;
  };

  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > limit) throw overLimit();
      hash.update(chunk);
      let offset = 0;
      while (offset < chunk.length) {
        if (current && filled === partSize) await flushPart(); // more bytes follow: the full part goes out
        current ??= await pool.acquire(partSize);
        const n = chunk.copy(current, filled, offset);
        filled += n;
        offset += n;
      }
    }
    checkParts();
    let etag: string | null;
    if (uploadId === undefined) {
      // The whole stream fits in one part: a single PUT.
      const buf = current;
      current = null;
      try {
        const out = await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: buf ? buf.subarray(0, filled) : Buffer.alloc(0), ContentLength: filled, ContentType: opts.contentType }),
        );
        etag = unquote(out.ETag);
      } finally {
        if (buf) pool.release(buf);
      }
    } else {
      if (current) await flushPart();
      await Promise.all(inFlight);
      checkParts();
      etags.sort((a, b) => a.PartNumber - b.PartNumber);
      etag = await completeUpload(client, bucket, key, uploadId, etags, bytes);
    }
    if (signal?.aborted) throw abortReason(signal);
    return { sizeBytes: bytes, sha256: hash.digest('hex'), etag };
  } catch (err) {
    // A part's failure destroyed the source with that error; an abort did with its reason.
    const reason = partFailure ? partFailure.err : signal?.aborted ? abortReason(signal) : err;
    if (!body.destroyed) body.destroy();
    if (current) pool.release(current);
    current = null;
    await Promise.all(inFlight);
    await removeLeftovers(client, bucket, key, uploadId).catch((cleanupErr: unknown) => {
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

/**
 * CompleteMultipartUpload, whose answer may take long for a big object (the store assembles it first). When the
 * SDK retried it after a timeout and the first attempt had completed, the retry finds no upload (NoSuchUpload):
 * the object of exactly the size streamed under our fresh key is then the one just completed.
 */
async function completeUpload(
  client: S3Client, bucket: string, key: string, uploadId: string, parts: { PartNumber: number; ETag: string }[], bytes: number,
): Promise<string | null> {
  try {
    const out = await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    return unquote(out.ETag);
  } catch (err) {
    if ((err as { name?: string }).name !== 'NoSuchUpload') throw err;
    const head = await headObject({ client, bucket, key });
    if (head?.sizeBytes !== bytes) throw err;
    return head.etag;
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
