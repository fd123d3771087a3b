// Brings a material's source to a local temp file for extraction: the S3 object (size-capped, hashed on the
// way) or, for web materials, the page through the outbound guard (address pinned, redirects re-checked,
// time and bytes bounded, HTML-like types only).
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UnrecoverableError } from 'bullmq';
import type { S3Client } from '@aws-sdk/client-s3';
import { getObjectStream } from '../../../../shared/src/storage/index.js';
import { guardedRequest, HTML_CONTENT_TYPES, isOutboundError, privateTargetPolicy, type PrivateTargets } from '../../../../shared/src/net/index.js';

export interface FetchedSource {
  path: string;
  sizeBytes: number;
  sha256: string;
  charset?: string;
}

function meter(limit: number) {
  const hash = createHash('sha256');
  let bytes = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes > limit) return cb(new UnrecoverableError(`source is larger than ${limit} bytes`));
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  return { t, result: () => ({ sizeBytes: bytes, sha256: hash.digest('hex') }) };
}

export async function fetchObject(
  s3: S3Client,
  bucket: string,
  key: string,
  dir: string,
  maxBytes: number,
): Promise<FetchedSource> {
  const obj = await getObjectStream({ client: s3, bucket, key });
  if (!obj) throw new UnrecoverableError('The stored file is missing from storage');
  const path = join(dir, 'source');
  const m = meter(maxBytes);
  await pipeline(obj.body, m.t, createWriteStream(path));
  return { path, ...m.result() };
}

export async function fetchWebPage(url: string, dir: string, opts: { allowPrivate: PrivateTargets; maxBytes: number; timeoutMs: number; maxRedirects: number }): Promise<FetchedSource> {
  try {
    const res = await guardedRequest(url, {
      allowPrivate: privateTargetPolicy(opts.allowPrivate),
      maxRedirects: opts.maxRedirects,
      maxBytes: opts.maxBytes,
      timeoutMs: opts.timeoutMs,
      acceptContentTypes: [...HTML_CONTENT_TYPES, 'text/plain'],
      headers: { 'user-agent': 'CourseSupporter/1.0 (+materials ingestion)', accept: 'text/html,application/xhtml+xml' },
    });
    if (res.status >= 400) {
      res.dispose();
      const msg = `the page answered HTTP ${res.status}`;
      // 4xx will not change on retry; 5xx might.
      throw res.status < 500 ? new UnrecoverableError(msg) : new Error(msg);
    }
    const path = join(dir, 'source.html');
    const m = meter(opts.maxBytes);
    await pipeline(res.body, m.t, createWriteStream(path));
    const charset = /charset=([^;]+)/i.exec(res.contentType ?? '')?.[1]?.trim();
    return { path, ...m.result(), ...(charset ? { charset } : {}) };
  } catch (err) {
    if (isOutboundError(err) && (err.refused || err.reason === 'content_type' || err.reason === 'too_large' || err.reason === 'too_many_redirects')) {
      throw new UnrecoverableError(`web page refused: ${err.message}`);
    }
    throw err;
  }
}
