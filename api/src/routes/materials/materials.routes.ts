// Material routes (API.md "Materials").
import type pg from 'pg';
import { z } from 'zod';
import { defineRoute, type RouteDef } from '../../http/define-route.js';
import { invalid } from '../../../../shared/src/errors/index.js';
import { deleteObject, safeFilename } from '../../../../shared/src/storage/index.js';
import { SOURCE_TYPES, type SourceType } from '../../../../shared/src/materials/formats.js';
import { NodeIdParams } from '../nodes/nodes.schemas.js';
import { getNode } from '../nodes/nodes.service.js';
import {
  ConfirmUploadBody,
  MaterialCreatedSchema,
  MaterialIdParams,
  MaterialSchema,
  UploadMaterialForm,
  UploadUrlBody,
  UploadUrlResponse,
} from './materials.schemas.js';
import { presentMaterial } from './materials.presenter.js';
import * as materials from './materials.service.js';
import { parseMaterialUpload } from './materials.upload.js';
import { confirmUpload, createUploadUrl, type DirectUploadDeps } from './materials.direct.js';
import { checkMaterialUrl } from './materials.url.js';
import type { PrivateTargets } from '../../../../shared/src/net/index.js';
import { lingerOnRefusal } from '../../http/lingering-close.js';
import { releaseUpload, tenantQuotaUsage } from '../../../../shared/src/db/quota.repository.js';

export interface MaterialRouteDeps extends DirectUploadDeps {
  /** The pg pool Prisma runs on (the list route's read). */
  sql: pg.Pool;
  allowPrivateTargets: PrivateTargets;
  verifiedDomains: string[];
}

const tags = ['materials'];
const URL_TYPES: SourceType[] = ['web', 'video'];

export function materialRoutes(deps: MaterialRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/nodes/:id/materials',
      scope: 'prep',
      summary: 'Add a material: upload a file (streamed to storage) or link a URL',
      description:
        'multipart/form-data with `source_type`, then `file` (fields before the file part), or `source_url`. ' +
        'Starts an ingest job.',
      tags,
      params: NodeIdParams,
      bodyKind: 'multipart',
      multipartDoc: UploadMaterialForm,
      responses: { 201: { description: 'Created; ingestion queued', schema: MaterialCreatedSchema } },
      errors: [404, 413, 422],
      handler: async ({ req, res, auth, params }) => {
        await getNode(deps.prisma, auth.tenantId, params.id);
        const used = await tenantQuotaUsage(deps.prisma, auth.tenantId);
        let parsed;
        try {
          parsed = await parseMaterialUpload(
            req,
            { s3: deps.s3, prisma: deps.prisma, bucket: deps.bucket, tenantId: auth.tenantId, nodeId: params.id },
            { maxBytes: deps.maxUploadBytes, quotaRemaining: deps.quotaBytes - used, quotaBytes: deps.quotaBytes },
          );
        } catch (err) {
          lingerOnRefusal(req); // the client is still sending: read on (bounded) so that it gets the answer
          throw err;
        }
        const { fields, file } = parsed;
        try {
          const sourceType = fields.source_type as SourceType;
          if (!file) {
            if (!(SOURCE_TYPES as readonly string[]).includes(fields.source_type ?? '')) {
              throw invalid(['body', 'source_type'], fields.source_type ? `Input should be one of: ${SOURCE_TYPES.join(', ')}` : 'Field required', fields.source_type ? 'enum' : 'missing');
            }
            if (!fields.source_url) throw invalid(['body'], 'Either a file or a source_url is required', 'missing');
            if (!URL_TYPES.includes(sourceType)) {
              throw invalid(['body', 'file'], `A ${sourceType} material needs an uploaded file`, 'missing');
            }
          }
          let warnings: string[] = [];
          let sourceUrl: string | null = null;
          if (fields.source_url) {
            const checked = await checkMaterialUrl(fields.source_url, {
              allowPrivate: deps.allowPrivateTargets,
              verifiedDomains: deps.verifiedDomains,
            });
            sourceUrl = checked.url;
            warnings = checked.warnings;
          }
          const material = await materials.insertMaterialWithJob(deps.prisma, deps.jobs, auth.tenantId, {
            id: file?.materialId,
            nodeId: params.id,
            sourceType,
            sourceUrl,
            filename: file?.filename ?? (fields.filename ? safeFilename(fields.filename) : null),
            s3Key: file?.key ?? null,
            contentType: file?.contentType ?? null,
            sizeBytes: file?.sizeBytes ?? null,
            sha256: file?.sha256 ?? null,
          }, file ? { key: file.key, quotaBytes: deps.quotaBytes } : undefined);
          res.status(201).json({ ...presentMaterial(material), warnings });
        } catch (err) {
          if (file) {
            await deleteObject({ client: deps.s3, bucket: deps.bucket, key: file.key }).catch(() => undefined);
            await releaseUpload(deps.prisma, file.key).catch(() => undefined);
          }
          throw err;
        }
      },
    }),
    defineRoute({
      method: 'post',
      path: '/nodes/:id/materials/upload-url',
      scope: 'prep',
      summary: 'Get a presigned PUT URL for a direct upload',
      tags,
      params: NodeIdParams,
      body: UploadUrlBody,
      responses: { 200: { description: 'Presigned upload', schema: UploadUrlResponse } },
      errors: [404, 413, 422],
      handler: async ({ res, auth, params, body }) => {
        res.json(await createUploadUrl(deps, auth.tenantId, params.id, body));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/nodes/:id/materials/confirm-upload',
      scope: 'prep',
      summary: 'Confirm a direct upload and start ingestion',
      tags,
      params: NodeIdParams,
      body: ConfirmUploadBody,
      responses: { 201: { description: 'Created; ingestion queued', schema: MaterialSchema } },
      errors: [403, 404, 409, 413, 422],
      handler: async ({ res, auth, params, body }) => {
        res.status(201).json(presentMaterial(await confirmUpload(deps, auth.tenantId, params.id, body)));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/nodes/:id/materials',
      scope: 'prep_or_check',
      summary: "A node's materials in order",
      tags,
      params: NodeIdParams,
      responses: { 200: { description: 'Materials', schema: z.array(MaterialSchema) } },
      errors: [404, 422],
      handler: async ({ res, auth, params }) => {
        res.json((await materials.listMaterials(deps.sql, auth.tenantId, params.id)).map(presentMaterial));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/materials/:id',
      scope: 'prep_or_check',
      summary: 'Get a material',
      tags,
      params: MaterialIdParams,
      responses: { 200: { description: 'Material', schema: MaterialSchema } },
      errors: [404, 422],
      handler: async ({ res, auth, params }) => {
        res.json(presentMaterial(await materials.getMaterial(deps.prisma, auth.tenantId, params.id)));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/materials/:id',
      scope: 'prep',
      summary: 'Delete a material with its chunks and stored file',
      tags,
      params: MaterialIdParams,
      responses: { 204: { description: 'Deleted' } },
      errors: [404, 422],
      handler: async ({ res, auth, params }) => {
        await materials.deleteMaterial(deps, auth.tenantId, params.id);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'post',
      path: '/materials/:id/retry',
      scope: 'prep',
      summary: 'Retry ingestion of a material in state "error"',
      tags,
      params: MaterialIdParams,
      responses: { 200: { description: 'Material with its new job', schema: MaterialSchema } },
      errors: [404, 409, 422],
      handler: async ({ res, auth, params }) => {
        res.json(presentMaterial(await materials.retryMaterial(deps.prisma, deps.jobs, auth.tenantId, params.id)));
      },
    }),
  ];
}
