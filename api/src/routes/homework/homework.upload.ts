// POST /homework/submit: multipart parsed with busboy while the file part streams into S3 (lib-storage through
// shared/src/storage/upload-stream), hashed and counted on the way; never the whole file in memory or on disk.
// The object key needs only the tenant, a fresh submission id and the file name, so fields may come before or
// after the file; they are validated once the body has been read (the caller deletes the object on any refusal).
// Before a byte is stored: the extension must be a homework extension and the first bytes must look like it.
// The tenant quota is decided when the submission is written (homework.service): a homework file is small
// (HOMEWORK_MAX_BYTES) and its duplicate, known only once its hash is, must still answer as the existing one.
import busboy from 'busboy';
import { peek } from '../../http/stream-peek.js';
import { collectFieldsAndEnd } from '../../http/multipart.js';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Request } from 'express';
import { fileTypeFromBuffer } from 'file-type';
import { AppError, invalid } from '../../../../shared/src/errors/index.js';
import { newId } from '../../../../shared/src/db/ids.js';
import { deleteObject, homeworkObjectKey, safeFilename, uploadStream } from '../../../../shared/src/storage/index.js';
import {
  HOMEWORK_EXTENSIONS,
  homeworkExtensionOf,
  homeworkFileKind,
  isHomeworkExtension,
  type HomeworkFileKind,
} from '../../../../shared/src/review/extensions.js';

const SNIFF_BYTES = 4100;
// The text fields besides the file: criteria (up to 100 × 2000 characters, UTF-8) fit one field of FIELD_BYTES.
const FIELD_BYTES = 768 * 1024;
const MULTIPART_OVERHEAD = 2 * 1024 * 1024;
const TEXTUAL_MIMES = new Set(['application/xml', 'text/xml', 'image/svg+xml']);

export interface StoredHomework {
  submissionId: string;
  key: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
}

export interface ParsedSubmission {
  fields: Record<string, string>;
  file: StoredHomework | null;
}

const CONTENT_TYPE: Record<HomeworkFileKind, string> = {
  text: 'text/plain; charset=utf-8',
  zip: 'application/zip',
  gzip: 'application/gzip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
};


const startsWith = (head: Buffer, ...magic: number[][]) => magic.some((m) => m.every((b, i) => head[i] === b));

/** Do the first bytes look like what the extension claims? Refuses e.g. an executable named .py. */
export async function homeworkContentMatches(kind: HomeworkFileKind, head: Buffer): Promise<boolean> {
  switch (kind) {
    case 'zip':
    case 'docx':
      return startsWith(head, [0x50, 0x4b, 0x03, 0x04], [0x50, 0x4b, 0x05, 0x06]);
    case 'gzip':
      return startsWith(head, [0x1f, 0x8b]);
    case 'pdf':
      return head.subarray(0, 1024).includes('%PDF-');
    case 'text': {
      if (head.includes(0)) return false;
      const detected = await fileTypeFromBuffer(head);
      return !detected || TEXTUAL_MIMES.has(detected.mime);
    }
  }
}

export function checkHomeworkFilename(raw: string): { ext: string; kind: HomeworkFileKind } {
  const ext = homeworkExtensionOf(raw);
  if (!isHomeworkExtension(ext)) {
    throw invalid(
      ['body', 'file'],
      `Extension ${ext ? `".${ext}"` : '(none)'} is not allowed for homework (allowed: ${HOMEWORK_EXTENSIONS.join(', ')})`,
      'extension_not_allowed',
    );
  }
  // Stored under safeFilename(), which drops leading dots (".zip" → "zip"): such a name would lose its extension.
  if (homeworkExtensionOf(safeFilename(raw)) !== ext) {
    throw invalid(['body', 'file'], `Filename needs a name before its ".${ext}" extension`, 'filename_invalid');
  }
  return { ext, kind: homeworkFileKind(ext) };
}

export async function parseHomeworkUpload(
  req: Request,
  ctx: { s3: S3Client; bucket: string; tenantId: string },
  maxBytes: number,
): Promise<ParsedSubmission> {
  if (!req.is('multipart/form-data')) throw invalid(['body'], 'Expected a multipart/form-data body', 'content_type');
  const overLimit = () => new AppError('payload_too_large', `File exceeds the homework limit of ${maxBytes} bytes`);
  const declared = Number(req.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD) throw overLimit();

  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: req.headers,
      limits: { files: 1, fields: 12, fieldSize: FIELD_BYTES, fieldNameSize: 100, parts: 20 },
      defParamCharset: 'utf8',
    });
  } catch {
    throw invalid(['body'], 'Malformed multipart/form-data body', 'multipart_invalid');
  }

  const fields: Record<string, string> = {};
  const abort = new AbortController();
  let fileWork: Promise<StoredHomework> | null = null;

  const done = new Promise<void>((resolve, reject) => {
    collectFieldsAndEnd(bb, req, fields, { resolve, reject });
    bb.on('file', (name, stream, info) => {
      if (name !== 'file' || fileWork) {
        stream.resume();
        return reject(invalid(['body', name], 'Only one file part named "file" is accepted'));
      }
      const work = (async () => {
        const filename = safeFilename(info.filename || '');
        const { kind } = checkHomeworkFilename(info.filename || '');
        const { head, body } = await peek(stream, SNIFF_BYTES);
        if (head.length === 0) throw invalid(['body', 'file'], 'File is empty', 'file_empty');
        if (!(await homeworkContentMatches(kind, head))) {
          throw invalid(['body', 'file'], `File content does not match its "${filename}" extension`, 'content_mismatch');
        }
        const submissionId = newId();
        const key = homeworkObjectKey(ctx.tenantId, submissionId, filename);
        const contentType = CONTENT_TYPE[kind];
        const result = await uploadStream({
          client: ctx.s3,
          bucket: ctx.bucket,
          key,
          body,
          contentType,
          maxBytes,
          expectedSize: Number.isFinite(declared) ? Math.min(declared, maxBytes) : undefined,
          signal: abort.signal,
        }).catch((err: unknown) => {
          throw err instanceof AppError && err.code === 'payload_too_large' ? overLimit() : err;
        });
        return { submissionId, key, filename, contentType, sizeBytes: result.sizeBytes, sha256: result.sha256 };
      })();
      work.catch((err: unknown) => {
        stream.resume(); // whatever happened to the upload, the rest of the part must not stall busboy
        reject(err);
      });
      fileWork = work;
    });
  });

  req.pipe(bb);
  try {
    await done;
    return { fields, file: fileWork ? await fileWork : null };
  } catch (err) {
    req.unpipe(bb);
    abort.abort(); // an upload still running is aborted and cleaned up by uploadStream
    const settled = fileWork ? await (fileWork as Promise<StoredHomework>).catch(() => null) : null;
    if (settled) await deleteObject({ client: ctx.s3, bucket: ctx.bucket, key: settled.key }).catch(() => undefined);
    throw err;
  }
}
