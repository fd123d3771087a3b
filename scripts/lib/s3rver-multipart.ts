// Multipart bookkeeping that s3rver 3.7 lacks, added as one Koa middleware in front of its router.
//
// s3rver keeps an unfinished multipart upload on disk as <dir>/<bucket>/._S3rver_uploads/<uploadId>/ (files `key`,
// `metadata`, and one file per part), but it answers ListMultipartUploads with 501 NotImplemented and
// AbortMultipartUpload with 405 MethodNotAllowed: an aborted upload would keep its parts forever and nothing could
// check that none is left. This middleware implements, on that same on-disk layout:
//   - ListMultipartUploads  GET    /{bucket}?uploads   (prefix, key-marker, upload-id-marker, max-uploads; no delimiter)
//   - AbortMultipartUpload  DELETE /{bucket}/{key}?uploadId=…
//   - NoSuchUpload (404) for UploadPart / CompleteMultipartUpload on an unknown or aborted upload, as S3 answers,
//     and removal of a part that finished writing after its upload was aborted (S3's "abort may race in-flight
//     parts" case), so an abort always leaves nothing behind.
// Requests still pass s3rver's own authentication middleware (which checks the access key id; s3rver does not
// verify SigV4 signatures at all).
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Error, authentication, one, parsePath, requireBucket, type KoaContext, type KoaMiddleware } from './s3rver-internals.js';

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const UPLOAD_ID = /^[0-9a-f]{8,64}$/; // s3rver makes 32 hex chars; anything else can never name an upload dir
const OWNER = { ID: '123456789000', DisplayName: 'S3rver' };

const noSuchUpload = (uploadId: string) =>
  new S3Error(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: uploadId },
  );

const readKey = (uploadDir: string) => readFile(join(uploadDir, 'key'), 'utf8').catch(() => null);

interface UploadEntry {
  key: string;
  uploadId: string;
  initiated: Date;
}

async function listEntries(uploadsDir: string): Promise<UploadEntry[]> {
  const ids = await readdir(uploadsDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const entries: UploadEntry[] = [];
  for (const uploadId of ids) {
    const dir = join(uploadsDir, uploadId);
    const key = await readKey(dir);
    if (key === null) continue; // being created or removed right now
    const initiated = await stat(join(dir, 'key')).then((s) => s.mtime, () => new Date());
    entries.push({ key, uploadId, initiated });
  }
  // S3 order: by key, then by initiation time.
  return entries.sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated.getTime() - b.initiated.getTime() || (a.uploadId < b.uploadId ? -1 : 1),
  );
}

async function listMultipartUploads(ctx: KoaContext, bucket: string): Promise<void> {
  if (one(ctx.query.delimiter)) {
    throw new S3Error('NotImplemented', 'The delimiter parameter of ListMultipartUploads is not implemented here');
  }
  const prefix = one(ctx.query.prefix) ?? '';
  const keyMarker = one(ctx.query['key-marker']) ?? '';
  const idMarker = one(ctx.query['upload-id-marker']) ?? '';
  const rawMax = one(ctx.query['max-uploads']);
  const maxUploads = rawMax === undefined ? 1000 : Number(rawMax);
  if (!Number.isInteger(maxUploads) || maxUploads < 0) {
    throw new S3Error('InvalidArgument', 'max-uploads must be a non-negative integer', {
      ArgumentName: 'max-uploads',
      ArgumentValue: rawMax,
    });
  }
  const max = Math.min(maxUploads, 1000);
  const all = (await listEntries(ctx.store.getResourcePath(bucket, undefined, 'uploads'))).filter((u) =>
    u.key.startsWith(prefix),
  );
  let start = 0;
  if (keyMarker) {
    const afterMarker = all.findIndex((u) => u.key === keyMarker && u.uploadId === idMarker);
    start = idMarker && afterMarker >= 0 ? afterMarker + 1 : all.findIndex((u) => u.key > keyMarker);
    if (start < 0) start = all.length;
  }
  const page = all.slice(start, start + max);
  const truncated = start + page.length < all.length;
  const last = page[page.length - 1];
  ctx.body = {
    ListMultipartUploadsResult: {
      '@': { xmlns: XMLNS },
      Bucket: bucket,
      KeyMarker: keyMarker,
      UploadIdMarker: idMarker,
      ...(truncated && last ? { NextKeyMarker: last.key, NextUploadIdMarker: last.uploadId } : {}),
      Prefix: prefix,
      MaxUploads: max,
      IsTruncated: truncated,
      Upload: page.map((u) => ({
        Key: u.key,
        UploadId: u.uploadId,
        Initiator: OWNER,
        Owner: OWNER,
        StorageClass: 'STANDARD',
        Initiated: u.initiated.toISOString(),
      })),
    },
  };
}

async function abortMultipartUpload(ctx: KoaContext, uploadDir: string, key: string, uploadId: string): Promise<void> {
  const storedKey = await readKey(uploadDir);
  if (storedKey === null || storedKey !== key) throw noSuchUpload(uploadId);
  await rm(uploadDir, { recursive: true, force: true });
  ctx.body = null;
  ctx.status = 204;
}

/** The middleware; mount it right before s3rver's router. */
export function multipartMiddleware(): KoaMiddleware {
  const authenticate = authentication();
  return async (ctx, next) => {
    const target = parsePath(ctx.path);
    const uploadId = one(ctx.query.uploadId);
    const wantsList = ctx.method === 'GET' && 'uploads' in ctx.query && target && target.key === undefined;
    const touchesUpload = uploadId !== undefined && target?.key !== undefined && ['PUT', 'POST', 'DELETE'].includes(ctx.method);
    if (!target || (!wantsList && !touchesUpload)) return next();

    ctx.params = { ...ctx.params, bucket: target.bucket, key: target.key };
    return authenticate(ctx, async () => {
      await requireBucket(ctx, target.bucket);
      if (wantsList) return listMultipartUploads(ctx, target.bucket);

      const id = uploadId ?? '';
      if (!UPLOAD_ID.test(id)) throw noSuchUpload(id);
      const uploadDir = join(ctx.store.getResourcePath(target.bucket, undefined, 'uploads'), id);
      if (ctx.method === 'DELETE') return abortMultipartUpload(ctx, uploadDir, target.key ?? '', id);

      if ((await readKey(uploadDir)) === null) throw noSuchUpload(id);
      await next();
      // A part that was still being written when its upload was aborted recreated the upload dir: remove it again.
      if (ctx.method === 'PUT' && (await readKey(uploadDir)) === null) {
        await rm(uploadDir, { recursive: true, force: true });
        throw noSuchUpload(id);
      }
    });
  };
}
