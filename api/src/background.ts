// The job loops every API process runs (shared/src/jobs/loops.ts: outbox relay and reconciler; the worker runs
// them too).
import type { AppDeps } from './deps.js';
import { startJobLoops } from '../../shared/src/jobs/loops.js';

export function startBackground(deps: AppDeps): () => Promise<void> {
  return startJobLoops({ prisma: deps.prisma, queues: deps.queues, logger: deps.logger, databaseUrl: deps.config.DATABASE_URL });
}
