// Unfinished multipart uploads: found with ListMultipartUploads, removed with AbortMultipartUpload.
// Used by uploadStream's cleanup and by the maintenance sweep of abandoned uploads.
import {
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isNotFound } from './objects.js';

export interface UnfinishedUpload {
  key: string;
  uploadId: string;
  initiated: Date | null;
}

/** Unfinished multipart uploads whose key starts with prefix, paginated (key-marker / upload-id-marker). */
export async function* listUnfinishedMultipartUploads(opts: {
  client: S3Client;
  bucket: string;
  prefix: string;
  pageSize?: number;
}): AsyncGenerator<UnfinishedUpload> {
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const out = await opts.client.send(
      new ListMultipartUploadsCommand({
        Bucket: opts.bucket,
        Prefix: opts.prefix,
        MaxUploads: opts.pageSize ?? 1000,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
    );
    for (const u of out.Uploads ?? []) {
      if (u.Key && u.UploadId) yield { key: u.Key, uploadId: u.UploadId, initiated: u.Initiated ?? null };
    }
    if (!out.IsTruncated || !out.NextKeyMarker) return;
    keyMarker = out.NextKeyMarker;
    uploadIdMarker = out.NextUploadIdMarker;
  }
}

/** Aborts one upload; false when it no longer exists (already aborted or completed). */
export async function abortMultipartUpload(opts: {
  client: S3Client;
  bucket: string;
  key: string;
  uploadId: string;
}): Promise<boolean> {
  try {
    await opts.client.send(
      new AbortMultipartUploadCommand({ Bucket: opts.bucket, Key: opts.key, UploadId: opts.uploadId }),
    );
    return true;
  } catch (err) {
    if (isNotFound(err) || (err as { name?: string }).name === 'NoSuchUpload') return false;
    throw err;
  }
}

/**
 * Aborts every unfinished upload under prefix (only those initiated before `olderThan`, when given; uploads
 * with no initiation time are treated as old). Returns how many were aborted.
 */
export async function abortMultipartUploadsUnder(opts: {
  client: S3Client;
  bucket: string;
  prefix: string;
  olderThan?: Date;
  /** Only uploads of exactly this key (prefix must then be the key itself). */
  exactKey?: boolean;
}): Promise<number> {
  const victims: UnfinishedUpload[] = [];
  for await (const u of listUnfinishedMultipartUploads(opts)) {
    if (opts.exactKey && u.key !== opts.prefix) continue;
    if (opts.olderThan && u.initiated && u.initiated >= opts.olderThan) continue;
    victims.push(u);
  }
  let aborted = 0;
  for (const u of victims) {
    if (await abortMultipartUpload({ client: opts.client, bucket: opts.bucket, key: u.key, uploadId: u.uploadId })) {
      aborted += 1;
    }
  }
  return aborted;
}
