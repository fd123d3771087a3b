// POST /nodes/{id}/materials: multipart parsed with busboy while the file part streams into S3 through
// lib-storage (shared/src/storage/upload-stream), hashed and counted on the way. The whole file is never in
// memory or on disk. Fields must precede the file part (as curl -F, requests and httpx send them), so the
// source type is known before any byte is stored. Before the first byte goes to S3 the upload reserves its
// bytes against the quota (the declared Content-Length, else all that is left; shared/src/db/quota.repository):
// parallel uploads cannot overshoot it. The stream is bounded by what was reserved.
import busboy from 'busboy';
import { peek } from '../../http/stream-peek.js';
import { collectFieldsAndEnd } from '../../http/multipart.js';
import type { S3Client } from '@aws-sdk/client-s3';
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import { quotaExceeded, releaseUpload, renewReservation, reserveUpload } from '../../../../shared/src/db/quota.repository.js';
import { STREAM_RESERVATION_TTL_MS } from '../../../../shared/src/db/upload-intents.js';
import type { Request } from 'express';
import { fileTypeFromBuffer } from 'file-type';
import { AppError, invalid } from '../../../../shared/src/errors/index.js';
import { newId } from '../../../../shared/src/db/ids.js';
import { materialObjectKey, safeFilename, uploadStream, deleteObject } from '../../../../shared/src/storage/index.js';
import { FILE_FORMATS, SOURCE_TYPES, allowedExtensions, extensionOf, isXhtml, type SourceType } from '../../../../shared/src/materials/formats.js';

const SNIFF_BYTES = 4100;
const MULTIPART_OVERHEAD = 64 * 1024;

export interface ParsedUpload {
  fields: Record<string, string>;
  file: null | { materialId: string; key: string; filename: string; contentType: string; sizeBytes: number; sha256: string };
}

export interface UploadLimits {
  maxBytes: number;
  /** Bytes the tenant may still store (at the start; the reservation decides); the smaller limit applies. */
  quotaRemaining: number;
  quotaBytes: number;
}


/** Does the content look like what the extension claims? Refuses e.g. an executable named .pdf. */
export async function contentMatches(ext: string, head: Buffer): Promise<boolean> {
  const expected = FILE_FORMATS[ext];
  if (!expected) return false;
  const detected = await fileTypeFromBuffer(head);
  if (expected.textual) {
    // Text formats have no signature: refuse bytes that sniff as a known binary type or contain NULs.
    if (head.includes(0)) return false;
    if (!detected) return true;
    if (detected.mime === 'application/xml') return !!expected.xhtml && isXhtml(head.toString('utf8'));
    return expected.mimes.includes(detected.mime);
  }
  return !!detected && expected.mimes.includes(detected.mime);
}

export function validateFileName(sourceType: string | undefined, filename: string): { type: SourceType; ext: string } {
  if (!sourceType) throw invalid(['body', 'source_type'], 'Field required (send it before the file part)', 'missing');
  if (!(SOURCE_TYPES as readonly string[]).includes(sourceType)) {
    throw invalid(['body', 'source_type'], `Input should be one of: ${SOURCE_TYPES.join(', ')}`, 'enum');
  }
  const type = sourceType as SourceType;
  if (type === 'web') throw invalid(['body', 'file'], 'A web material takes source_url, not a file');
  const ext = extensionOf(filename);
  const allowed = allowedExtensions(type);
  if (!allowed.includes(ext)) {
    throw invalid(['body', 'file'], `Extension ".${ext}" is not allowed for ${type} (allowed: ${allowed.join(', ')})`, 'extension_not_allowed');
  }
  // The name is stored as safeFilename() makes it, which drops leading dots: ".md" would become "md", lose its
  // extension and fail later in ingestion. Refuse such a name here.
  if (extensionOf(safeFilename(filename)) !== ext) {
    throw invalid(['body', 'file'], `Filename needs a name before its ".${ext}" extension`, 'filename_invalid');
  }
  return { type, ext };
}

export async function parseMaterialUpload(
  req: Request,
  ctx: { s3: S3Client; prisma: PrismaClient; bucket: string; tenantId: string; nodeId: string },
  limits: UploadLimits,
): Promise<ParsedUpload> {
  if (!req.is('multipart/form-data')) {
    throw invalid(['body'], 'Expected a multipart/form-data body', 'content_type');
  }
  const limit = Math.min(limits.maxBytes, limits.quotaRemaining);
  const overLimit = () =>
    limits.quotaRemaining < limits.maxBytes
      ? quotaExceeded()
      : new AppError('payload_too_large', `File exceeds the upload limit of ${limits.maxBytes} bytes`);
  const declared = Number(req.get('content-length') ?? NaN);
  if (limits.quotaRemaining <= 0 || (Number.isFinite(declared) && declared > limit + MULTIPART_OVERHEAD)) throw overLimit();

  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: req.headers,
      limits: { files: 1, fields: 20, fieldSize: 64 * 1024, fieldNameSize: 100, parts: 30 },
      defParamCharset: 'utf8',
    });
  } catch {
    throw invalid(['body'], 'Malformed multipart/form-data body', 'multipart_invalid');
  }

  const fields: Record<string, string> = {};
  const abort = new AbortController();
  let fileWork: Promise<ParsedUpload['file']> | null = null;
  let reservedKey: string | null = null;

  const done = new Promise<void>((resolve, reject) => {
    collectFieldsAndEnd(bb, req, fields, { resolve, reject });
    bb.on('file', (name, stream, info) => {
      if (name !== 'file' || fileWork) {
        stream.resume();
        return reject(invalid(['body', name], 'Only one file part named "file" is accepted'));
      }
      const work = (async () => {
        const filename = safeFilename(fields.filename || info.filename || '');
        const { ext } = validateFileName(fields.source_type, fields.filename || info.filename || '');
        const { head, body } = await peek(stream, SNIFF_BYTES);
        if (head.length === 0) throw invalid(['body', 'file'], 'File is empty', 'file_empty');
        if (!(await contentMatches(ext, head))) {
          throw invalid(['body', 'file'], `File content does not match its ".${ext}" extension`, 'content_mismatch');
        }
        const materialId = newId();
        const key = materialObjectKey(ctx.tenantId, ctx.nodeId, materialId, filename);
        const contentType = FILE_FORMATS[ext]?.contentType ?? 'application/octet-stream';
        // The file is no longer than the body: reserve the declared length (or, without one, everything left).
        const reserve = Number.isFinite(declared) ? Math.min(declared, limit) : limit;
        const reserved = await reserveUpload(ctx.prisma, {
          tenantId: ctx.tenantId, nodeId: ctx.nodeId, key, bytes: reserve, ttlMs: STREAM_RESERVATION_TTL_MS, sizeBound: true, quotaBytes: limits.quotaBytes,
        });
        if (!reserved) throw quotaExceeded();
        reservedKey = key;
        const renew = setInterval(() => void renewReservation(ctx.prisma, key, STREAM_RESERVATION_TTL_MS).catch(() => undefined), STREAM_RESERVATION_TTL_MS / 3);
        const result = await uploadStream({
          client: ctx.s3,
          bucket: ctx.bucket,
          key,
          body,
          contentType,
          maxBytes: reserve,
          // The multipart body's length only sizes the parts; the limit is enforced on the file's bytes.
          expectedSize: Number.isFinite(declared) ? reserve : undefined,
          signal: abort.signal,
        }).catch((err: unknown) => {
          throw err instanceof AppError && err.code === 'payload_too_large' ? overLimit() : err;
        }).finally(() => clearInterval(renew));
        return { materialId, key, filename, contentType, sizeBytes: result.sizeBytes, sha256: result.sha256 };
      })();
      // Whatever happens to the upload, the rest of the file part must not stall busboy.
      work.catch((err: unknown) => {
        stream.resume();
        reject(err);
      });
      fileWork = work;
    });
  });

  req.pipe(bb);
  try {
    await done;
    const file = fileWork ? await fileWork : null;
    return { fields, file };
  } catch (err) {
    req.unpipe(bb);
    abort.abort(); // an upload still running is aborted and cleaned up by uploadStream
    // Stop reading the rest of a refused body; the error response closes the connection.
    const settled = fileWork ? await (fileWork as Promise<ParsedUpload['file']>).catch(() => null) : null;
    if (settled) await deleteObject({ client: ctx.s3, bucket: ctx.bucket, key: settled.key }).catch(() => undefined);
    if (reservedKey) await releaseUpload(ctx.prisma, reservedKey).catch(() => undefined); // else it lapses
    throw err;
  }
}
