// Scrape-time values read from BullMQ, Postgres and Redis: queue depths, the oldest waiting job, the outbox
// backlog and the worker heartbeat age.
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../db/client.js';
import type { QueueSet } from '../jobs/queues.js';
import { heartbeatAge } from '../jobs/heartbeat.js';
import type { Metrics } from './index.js';

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;

export async function refreshQueueGauges(m: Metrics, deps: { queues: QueueSet; prisma: PrismaClient; redis: Redis; prefix: string }): Promise<void> {
  const now = Date.now();
  await Promise.allSettled([
    ...[...deps.queues.queues.entries()].map(async ([name, queue]) => {
      const counts = await queue.getJobCounts(...STATES);
      for (const state of STATES) m.queueJobs.set({ queue: name, state }, counts[state] ?? 0);
      // The oldest of each list (waiting is FIFO; prioritized is ordered by priority, so its head is a sample).
      const heads = await queue.getJobs(['waiting', 'prioritized'], 0, 0, true);
      const oldest = Math.min(...heads.map((j) => j.timestamp));
      m.queueOldestWaiting.set({ queue: name }, heads.length ? Math.max(0, (now - oldest) / 1000) : 0);
    }),
    deps.prisma.jobOutbox.count({ where: { prefix: deps.prefix } }).then((n) => m.outboxBacklog.set(n)),
    heartbeatAge(deps.redis, deps.prefix).then((age) => m.heartbeatAge.set(age === null ? -1 : age / 1000)),
  ]);
}
