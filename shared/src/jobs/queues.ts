// Producer-side BullMQ queues. The connection fails fast (no offline queue) so the outbox relay notices at
// once that Redis is away and keeps the entries for later, instead of piling commands up in memory.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedis } from '../db/redis.js';
import { QUEUES, type JobDefinition, type QueueName } from './definitions.js';

export class QueueSet {
  readonly queues: Map<QueueName, Queue>;
  private constructor(
    private connection: Redis,
    readonly prefix: string,
  ) {
    this.queues = new Map(QUEUES.map((q) => [q, new Queue(q, { connection, prefix })]));
    for (const q of this.queues.values()) q.on('error', () => undefined); // surfaced by callers
  }

  static create(redisUrl: string, prefix: string): QueueSet {
    return new QueueSet(createRedis(redisUrl, 'command', { commandTimeout: 5000 }), prefix);
  }

  /** False while Redis is unreachable: BullMQ would wait for the connection instead of failing. */
  isReady(): boolean {
    return this.connection.status === 'ready';
  }

  get(name: QueueName): Queue {
    return this.queues.get(name) as Queue;
  }

  /** Adds a job under its row id; adding an id that already exists is a no-op in BullMQ. */
  async add(def: JobDefinition, jobId: string, payload: unknown, priority = 0): Promise<void> {
    if (!this.isReady()) throw new Error('Redis is not connected');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('BullMQ add timed out')), 5000);
    });
    const added = this.get(def.queue).add(def.name, payload, {
      jobId,
      attempts: def.attempts,
      backoff: { type: 'exponential', delay: def.backoffMs },
      ...(priority > 0 ? { priority } : {}),
      removeOnComplete: { age: 3600, count: 5000 },
      removeOnFail: { age: 7 * 86400 },
    });
    try {
      await Promise.race([added, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    await this.connection.quit().catch(() => undefined);
  }
}
