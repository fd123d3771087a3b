import type { Config } from '../../shared/src/config/index.js';
import type { QueueName } from '../../shared/src/jobs/definitions.js';

/** Jobs run at once per queue in one worker process. Extraction is CPU-heavy and runs in child processes. */
export function queueConcurrency(config: Config, queue: QueueName): number {
  const table: Record<QueueName, number> = {
    ingest: config.WORKER_CONCURRENCY_INGEST,
    embed: config.WORKER_CONCURRENCY_EMBED,
    generate: config.WORKER_CONCURRENCY_GENERATE,
    check: config.WORKER_CONCURRENCY_CHECK,
    webhooks: config.WORKER_CONCURRENCY_WEBHOOKS,
    maintenance: 1,
  };
  return table[queue];
}
