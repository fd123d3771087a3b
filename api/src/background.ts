// Loops that run inside every API process (each safe to run in several processes at once): the outbox relay
// (Postgres → BullMQ) and the job reconciler (jobs lost by Redis or stranded by a dead worker).
import type { AppDeps } from './deps.js';
import { startOutboxRelay } from '../../shared/src/jobs/outbox-relay.js';
import { startReconciler } from '../../shared/src/jobs/reconciler.js';

export function startBackground(deps: AppDeps): () => Promise<void> {
  const log = deps.logger.child({ component: 'background' });
  const stops = [startOutboxRelay(deps.prisma, deps.queues, log), startReconciler(deps.prisma, deps.queues, log)];
  return async () => {
    await Promise.allSettled(stops.map((s) => s()));
  };
}
