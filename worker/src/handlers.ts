// The handler list the registry checks against the job definitions.
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../shared/src/config/index.js';
import type { Logger } from '../../shared/src/logger/index.js';
import type { PrismaClient } from '../../shared/src/db/client.js';
import { jobs } from '../../shared/src/jobs/definitions.js';
import { handle, type HandlerEntry } from './registry.js';
import { ingestFailed, ingestMaterial } from './processors/ingest/ingest-material.js';
import { maintenanceSweep } from './processors/maintenance/sweep.js';

export interface HandlerDeps {
  config: Config;
  logger: Logger;
  prisma: PrismaClient;
  s3: S3Client;
}

export function buildHandlers(deps: HandlerDeps): HandlerEntry[] {
  return [
    handle(jobs.ingestMaterial, ingestMaterial({ ...deps, transcriber: null }), { onFinalFailure: ingestFailed(deps.prisma) }),
    handle(jobs.maintenanceSweep, maintenanceSweep(deps)),
  ];
}
