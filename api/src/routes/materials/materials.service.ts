// Material lifecycle: list, get, delete, retry, and the row + job + outbox write shared by every way a
// material arrives (streamed upload, presigned upload, URL).
import type { S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import type { PrismaClient, Prisma } from '../../../../shared/src/db/client.js';
import type { Material } from '../../../../shared/src/db/generated/client.js';
import { newId } from '../../../../shared/src/db/ids.js';
import { conflict, notFound } from '../../../../shared/src/errors/index.js';
import { lockTenantQuota, quotaExceeded, releaseUpload, tenantQuotaUsage } from '../../../../shared/src/db/quota.repository.js';
import type { Logger } from '../../../../shared/src/logger/index.js';
import { enqueue, type JobTarget } from '../../../../shared/src/jobs/producer.js';
import { jobs } from '../../../../shared/src/jobs/definitions.js';
import { cancelSubjectJobs } from '../../../../shared/src/jobs/job-status.js';
import { flushDeletions, scheduleDeletions } from '../../../../shared/src/db/deletions.repository.js';
import type { SourceType } from '../../../../shared/src/materials/formats.js';
import { getNode } from '../nodes/nodes.service.js';

export interface MaterialServiceDeps {
  prisma: PrismaClient;
  s3: S3Client;
  bucket: string;
  logger: Logger;
  /** Where enqueued jobs go. */
  jobs: JobTarget;
}

export async function getMaterial(prisma: PrismaClient | Prisma.TransactionClient, tenantId: string, id: string) {
  const m = await prisma.material.findFirst({ where: { id, tenantId } });
  if (!m) throw notFound('Material not found');
  return m;
}

export type ListedMaterial = Omit<Material, 'document'>;

const LIST_MATERIALS_SQL = `
  SELECT m.id, m.tenant_id AS "tenantId", m.materialnode_id AS "nodeId", m.source_type::text AS "sourceType",
    m.source_url AS "sourceUrl", m.filename, m."order", m.state::text AS state, m.error_message AS "errorMessage",
    m.job_id AS "jobId", m.content_type AS "contentType", m.size_bytes::text AS "sizeBytes", m.sha256,
    m.chunk_count AS "chunkCount", m.s3_key AS "s3Key", m.created_at AS "createdAt", m.updated_at AS "updatedAt"
  FROM materialnodes n
  LEFT JOIN material_entries m ON m.materialnode_id = n.id AND m.tenant_id = n.tenant_id
  WHERE n.id = $1::uuid AND n.tenant_id = $2::uuid
  ORDER BY m."order", m.created_at`;

/**
 * A node's materials in order, in one round trip: the node LEFT JOIN its materials, so a missing node (no row)
 * is told apart from an empty one (one row of NULLs). Every column but `document` (the normalized document, up
 * to megabytes per material, which the list does not show). Hand-written SQL (Prisma needed two statements and
 * would read the documents), sent straight to the pg pool Prisma runs on: Prisma's raw-query path cost about as
 * much CPU again as the query itself.
 */
export async function listMaterials(sql: pg.Pool, tenantId: string, nodeId: string): Promise<ListedMaterial[]> {
  const { rows } = await sql.query<Omit<ListedMaterial, 'id' | 'sizeBytes'> & { id: string | null; sizeBytes: string | null }>(
    LIST_MATERIALS_SQL,
    [nodeId, tenantId],
  );
  if (rows.length === 0) throw notFound('Node not found');
  // size_bytes is a bigint: read as text and made a BigInt, as Prisma hands it out.
  return rows.flatMap((m) => (m.id === null ? [] : [{ ...m, id: m.id, sizeBytes: m.sizeBytes === null ? null : BigInt(m.sizeBytes) }]));
}

export interface NewMaterial {
  id?: string;
  nodeId: string;
  sourceType: SourceType;
  sourceUrl?: string | null;
  filename?: string | null;
  s3Key?: string | null;
  contentType?: string | null;
  sizeBytes?: number | null;
  sha256?: string | null;
}

/** The stored object's upload intent, whose reservation the material's real size replaces. */
export interface CompletedUpload {
  key: string;
  quotaBytes: number;
}


/**
 * Material row, ingest job and outbox entry in one transaction. With `upload`, the quota is checked once more
 * under the tenant's quota lock (without the upload's own reservation, with its real size) and the upload
 * intent is deleted in the same transaction: the reservation is replaced by the real size, never both or none.
 */
export async function insertMaterialWithJob(prisma: PrismaClient, target: JobTarget, tenantId: string, input: NewMaterial, upload?: CompletedUpload) {
  return prisma.$transaction(async (tx) => {
    await getNode(tx, tenantId, input.nodeId);
    if (upload) {
      await lockTenantQuota(tx, tenantId);
      if ((await tenantQuotaUsage(tx, tenantId, upload.key)) + Number(input.sizeBytes ?? 0) > upload.quotaBytes) throw quotaExceeded();
      await releaseUpload(tx, upload.key);
    }
    const id = input.id ?? newId();
    const jobId = newId();
    const last = await tx.material.aggregate({ where: { tenantId, nodeId: input.nodeId }, _max: { order: true } });
    await tx.material.create({
      data: {
        id,
        tenantId,
        nodeId: input.nodeId,
        sourceType: input.sourceType,
        sourceUrl: input.sourceUrl ?? null,
        filename: input.filename ?? null,
        s3Key: input.s3Key ?? null,
        contentType: input.contentType ?? null,
        sizeBytes: input.sizeBytes ?? null,
        sha256: input.sha256 ?? null,
        order: (last._max.order ?? -1) + 1,
        state: 'pending',
        jobId,
      },
    });
    await enqueue(tx, target, tenantId, jobs.ingestMaterial, { tenantId, materialId: id }, { id: jobId, nodeId: input.nodeId, subjectId: id });
    return tx.material.findUniqueOrThrow({ where: { id } });
  });
}

export async function retryMaterial(prisma: PrismaClient, target: JobTarget, tenantId: string, id: string) {
  return prisma.$transaction(async (tx) => {
    const m = await getMaterial(tx, tenantId, id);
    if (m.state !== 'error') throw conflict(`Material is ${m.state}; only a material in state "error" can be retried`);
    const job = await enqueue(tx, target, tenantId, jobs.ingestMaterial, { tenantId, materialId: id }, { nodeId: m.nodeId, subjectId: id });
    return tx.material.update({ where: { id }, data: { state: 'pending', errorMessage: null, jobId: job.id } });
  });
}

export async function deleteMaterial(deps: MaterialServiceDeps, tenantId: string, id: string) {
  const key = await deps.prisma.$transaction(async (tx) => {
    const m = await getMaterial(tx, tenantId, id);
    await cancelSubjectJobs(tx, tenantId, [id], 'Material deleted');
    if (m.s3Key) await scheduleDeletions(tx, [m.s3Key]);
    await tx.material.delete({ where: { id } });
    return m.s3Key;
  });
  if (key) await flushDeletions(deps.prisma, deps.s3, deps.bucket, deps.logger, [key]);
}

