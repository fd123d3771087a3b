// Storage routes (API.md "Jobs, reports, storage"): the tenant's objects, usage against the quota, delete.
import { z } from 'zod';
import '../../openapi.js';
import { defineRoute, type RouteDef } from '../../http/define-route.js';
import { AppError, notFound } from '../../../../shared/src/errors/index.js';
import { headObject, isKeyUnderPrefix, listPrefix, prefixUsage, tenantPrefix } from '../../../../shared/src/storage/index.js';
import { flushDeletions, scheduleDeletions } from '../../../../shared/src/db/deletions.repository.js';
import { cancelSubjectJobs } from '../../../../shared/src/jobs/job-status.js';
import type { MaterialServiceDeps } from '../materials/materials.service.js';

const tags = ['storage'];
const FileSchema = z.object({ key: z.string(), size_bytes: z.number().int(), last_modified: z.string().nullable() }).openapi('StoredFile');
const UsageSchema = z.object({ total_bytes: z.number().int(), file_count: z.number().int(), quota_bytes: z.number().int() }).openapi('StorageUsage');
// Express 5 hands a `*key` wildcard over as its path segments.
const KeyParams = z.object({
  key: z.union([z.array(z.string()).min(1), z.string().min(1)]).transform((k) => (Array.isArray(k) ? k.join('/') : k)),
});

export function storageRoutes(deps: MaterialServiceDeps & { quotaBytes: number }): RouteDef[] {
  const ref = { client: deps.s3, bucket: deps.bucket };
  return [
    defineRoute({
      method: 'get',
      path: '/storage/files',
      scope: 'prep_or_check',
      summary: "The tenant's stored files",
      tags,
      responses: { 200: { description: 'Files', schema: z.array(FileSchema) } },
      handler: async ({ res, auth }) => {
        const files = [];
        for await (const o of listPrefix({ ...ref, prefix: tenantPrefix(auth.tenantId) })) {
          files.push({ key: o.key, size_bytes: o.sizeBytes, last_modified: o.lastModified?.toISOString() ?? null });
        }
        res.json(files);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/storage/usage',
      scope: 'prep_or_check',
      summary: 'Stored bytes and files against the quota',
      tags,
      responses: { 200: { description: 'Usage', schema: UsageSchema } },
      handler: async ({ res, auth }) => {
        const u = await prefixUsage({ ...ref, prefix: tenantPrefix(auth.tenantId) });
        res.json({ total_bytes: u.totalBytes, file_count: u.fileCount, quota_bytes: deps.quotaBytes });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/storage/files/*key',
      scope: 'prep',
      summary: 'Delete a stored file (the material pointing at it goes too)',
      tags,
      params: KeyParams,
      responses: { 204: { description: 'Deleted' } },
      errors: [403, 404],
      handler: async ({ res, auth, params }) => {
        const key = params.key;
        if (!isKeyUnderPrefix(key, tenantPrefix(auth.tenantId))) {
          throw new AppError('key_outside_prefix', 'Key is outside this tenant\'s prefix');
        }
        if (!(await headObject({ ...ref, key }))) throw notFound('File not found');
        await deps.prisma.$transaction(async (tx) => {
          const owners = await tx.material.findMany({ where: { tenantId: auth.tenantId, s3Key: key }, select: { id: true } });
          await cancelSubjectJobs(tx, auth.tenantId, owners.map((o) => o.id), 'Stored file deleted');
          await tx.material.deleteMany({ where: { tenantId: auth.tenantId, s3Key: key } });
          // A homework file's submission and review stay; its bytes stop counting against the quota.
          await tx.submission.updateMany({ where: { tenantId: auth.tenantId, s3Key: key, fileDeletedAt: null }, data: { fileDeletedAt: new Date() } });
          await tx.uploadIntent.deleteMany({ where: { key } });
          await scheduleDeletions(tx, [key]);
        });
        await flushDeletions(deps.prisma, deps.s3, deps.bucket, deps.logger, [key]);
        res.status(204).end();
      },
    }),
  ];
}
