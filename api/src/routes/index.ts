// Every /api/v1 route of the product, in the order they appear in the document.
import type { RouteDef } from '../http/define-route.js';
import type { AppDeps } from '../deps.js';
import { nodeRoutes } from './nodes/nodes.routes.js';
import { materialRoutes } from './materials/materials.routes.js';
import { jobRoutes } from './jobs/jobs.routes.js';
import { storageRoutes } from './storage/storage.routes.js';
import { searchRoutes } from './search/search.routes.js';
import { structureRoutes } from './structure/structure.routes.js';
import { slideMappingRoutes } from './structure/slide-mapping.routes.js';
import { reportRoutes } from './reports/reports.routes.js';
import { homeworkRoutes } from './homework/homework.routes.js';
import { tenantRoutes } from './tenant/tenant.routes.js';

export function apiRoutes(deps: AppDeps): RouteDef[] {
  const { config } = deps;
  // `jobs`: where enqueued jobs go (this deployment's BULLMQ_PREFIX).
  const base = { prisma: deps.prisma, s3: deps.s3, bucket: config.S3_BUCKET, logger: deps.logger, jobs: deps.queues };
  return [
    ...nodeRoutes({ ...base, sql: deps.sql }),
    ...materialRoutes({
      ...base,
      sql: deps.sql,
      maxUploadBytes: config.MAX_UPLOAD_BYTES,
      quotaBytes: config.TENANT_QUOTA_BYTES,
      allowPrivateTargets: config.ALLOW_PRIVATE_TARGETS,
      verifiedDomains: config.VERIFIED_DOMAINS,
    }),
    ...searchRoutes({ prisma: deps.prisma, embedder: deps.embedder, efSearch: config.SEARCH_EF_SEARCH }),
    ...structureRoutes({ prisma: deps.prisma, jobs: deps.queues }),
    ...slideMappingRoutes({ prisma: deps.prisma }),
    ...jobRoutes({ prisma: deps.prisma, sql: deps.sql, queues: deps.queues, events: deps.jobEvents }),
    ...reportRoutes({ prisma: deps.prisma }),
    ...storageRoutes({ ...base, quotaBytes: config.TENANT_QUOTA_BYTES }),
    ...homeworkRoutes({ ...base, maxBytes: config.HOMEWORK_MAX_BYTES, quotaBytes: config.TENANT_QUOTA_BYTES, allowPrivateTargets: config.ALLOW_PRIVATE_TARGETS }),
    ...tenantRoutes({ prisma: deps.prisma, allowPrivateTargets: config.ALLOW_PRIVATE_TARGETS, appEncryptionKey: config.APP_ENCRYPTION_KEY }),
  ];
}
