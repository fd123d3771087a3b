// The loops that run wherever jobs are produced — every API process and every worker process (a worker enqueues
// follow-up jobs: ingest → embed, check → webhook, and must move them on with no API process running). Each is
// safe to run in many processes at once: the outbox relay claims entries with FOR UPDATE SKIP LOCKED and adds
// them under their row id (a repeated add is a no-op); the reconciler takes a lease per pass and acts only with
// conditional updates.
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../logger/index.js';
import { startOutboxRelay } from './outbox-relay.js';
import { startReconciler } from './reconciler.js';
import type { QueueSet } from './queues.js';

export function startJobLoops(deps: { prisma: PrismaClient; queues: QueueSet; logger: Logger; databaseUrl: string }): () => Promise<void> {
  const log = deps.logger.child({ component: 'job-loops' });
  const stops = [
    startOutboxRelay(deps.prisma, deps.queues, log, { databaseUrl: deps.databaseUrl }),
    startReconciler(deps.prisma, deps.queues, log),
  ];
  return async () => {
    await Promise.allSettled(stops.map((s) => s()));
  };
}
