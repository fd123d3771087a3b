// Presigned direct uploads: upload-url hands out a PUT URL under the tenant's node prefix (recorded as an
// upload intent so a sweep can delete objects never confirmed within 24 h); confirm-upload checks the object
// (size, type, bytes) and creates the material.
// With size_bytes the signature covers Content-Length (S3 refuses any other size) and the declared bytes are
// reserved against the quota at once, atomically (shared/src/db/quota.repository.ts). Without it (optional in
// API.md) the size is unknown until the object is there: the unconfirmed-uploads sweep looks at unconfirmed
// objects every UPLOAD_CHECK_INTERVAL_MS, deletes those over MAX_UPLOAD_BYTES and reserves the size of the
// others, so unconfirmed bytes count against the quota. It looks at declared ones too: a store that does not
// check presigned signatures (s3rver, used locally, does not) would take any size.
import { newId, isUuid } from '../../../../shared/src/db/ids.js';
import { AppError, conflict, invalid, notFound } from '../../../../shared/src/errors/index.js';
import {
  deleteObject,
  getObjectStream,
  headObject,
  isKeyUnderPrefix,
  materialObjectKey,
  nodePrefix,
  presignPut,
  safeFilename,
} from '../../../../shared/src/storage/index.js';
import { getNode } from '../nodes/nodes.service.js';
import { insertMaterialWithJob, type MaterialServiceDeps } from './materials.service.js';
import { quotaExceeded, reserveUpload, tenantQuotaUsage } from '../../../../shared/src/db/quota.repository.js';
import { UNCONFIRMED_UPLOAD_TTL_MS } from '../../../../shared/src/db/upload-intents.js';
import { contentMatches, validateFileName } from './materials.upload.js';

export interface DirectUploadDeps extends MaterialServiceDeps {
  maxUploadBytes: number;
  quotaBytes: number;
}

export async function createUploadUrl(
  deps: DirectUploadDeps,
  tenantId: string,
  nodeId: string,
  body: { filename: string; content_type: string; source_type: string; size_bytes?: number },
) {
  await getNode(deps.prisma, tenantId, nodeId);
  validateFileName(body.source_type, body.filename);
  if (body.size_bytes !== undefined) {
    if (body.size_bytes > deps.maxUploadBytes) {
      throw new AppError('payload_too_large', `Declared size exceeds the upload limit of ${deps.maxUploadBytes} bytes`);
    }
  }
  const key = materialObjectKey(tenantId, nodeId, newId(), safeFilename(body.filename));
  const signed = await presignPut({
    client: deps.s3,
    bucket: deps.bucket,
    key,
    contentType: body.content_type,
    contentLength: body.size_bytes,
  });
  // The object may sit unconfirmed until the intent is swept: a declared size is reserved that long.
  const reserved = await reserveUpload(deps.prisma, {
    tenantId,
    nodeId,
    key,
    bytes: body.size_bytes ?? 0,
    ttlMs: UNCONFIRMED_UPLOAD_TTL_MS,
    sizeBound: false, // S3 enforces a signed length, but the sweep checks every unconfirmed object anyway
    quotaBytes: deps.quotaBytes,
  });
  if (!reserved) throw quotaExceeded();
  return { upload_url: signed.url, key, expires_in: signed.expiresIn, method: 'PUT' as const, headers: signed.headers };
}

export async function confirmUpload(
  deps: DirectUploadDeps,
  tenantId: string,
  nodeId: string,
  body: { key: string; source_type: string; filename?: string },
) {
  await getNode(deps.prisma, tenantId, nodeId);
  if (!isKeyUnderPrefix(body.key, nodePrefix(tenantId, nodeId))) {
    throw new AppError('key_outside_prefix', "Key is outside this tenant's node prefix");
  }
  const segments = body.key.split('/');
  const keyFilename = segments.at(-1) as string;
  const materialId = segments.at(-2) as string;
  if (segments.length !== 6 || !isUuid(materialId)) throw invalid(['body', 'key'], 'Key was not issued by upload-url');
  const filename = body.filename ? safeFilename(body.filename) : keyFilename;
  const { ext } = validateFileName(body.source_type, filename);
  // Tenant first: another tenant's material id must look exactly like a random one (404), never 409.
  const existing = await deps.prisma.material.findFirst({ where: { OR: [{ id: materialId }, { s3Key: body.key }] } });
  if (existing && existing.tenantId !== tenantId) throw notFound('Uploaded object not found');
  if (existing) throw conflict('This upload was already confirmed');
  const ref = { client: deps.s3, bucket: deps.bucket, key: body.key };
  const head = await headObject(ref);
  if (!head) throw notFound('Uploaded object not found');
  const drop = async () => {
    await deleteObject(ref).catch(() => undefined);
    await deps.prisma.uploadIntent.deleteMany({ where: { key: body.key } });
  };
  if (head.sizeBytes > deps.maxUploadBytes) {
    await drop();
    throw new AppError('payload_too_large', `File exceeds the upload limit of ${deps.maxUploadBytes} bytes`);
  }
  if ((await tenantQuotaUsage(deps.prisma, tenantId, body.key)) + head.sizeBytes > deps.quotaBytes) {
    await drop();
    throw quotaExceeded();
  }
  if (head.sizeBytes === 0) {
    await drop();
    throw invalid(['body', 'key'], 'File is empty', 'file_empty');
  }
  const first = await getObjectStream({ ...ref, range: 'bytes=0-4099' });
  const chunks: Buffer[] = [];
  for await (const c of first?.body ?? []) chunks.push(c as Buffer);
  if (!(await contentMatches(ext, Buffer.concat(chunks)))) {
    await drop();
    throw invalid(['body', 'key'], `File content does not match its ".${ext}" extension`, 'content_mismatch');
  }
  const material = await insertMaterialWithJob(deps.prisma, deps.jobs, tenantId, {
    id: materialId,
    nodeId,
    sourceType: body.source_type as never,
    filename,
    s3Key: body.key,
    contentType: head.contentType,
    sizeBytes: head.sizeBytes,
    sha256: null, // computed by the ingest job while it reads the object
  }, { key: body.key, quotaBytes: deps.quotaBytes }).catch(async (err: unknown) => {
    if (err instanceof AppError && err.code === 'quota_exceeded') await drop(); // a parallel upload took the space
    throw err;
  });
  return material;
}
