// Producer-side BullMQ queues. The connection fails fast (no offline queue) so the outbox relay notices at
// once that Redis is away and keeps the entries for later, instead of piling commands up in memory.
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedis } from '../db/redis.js';
import { QUEUES, type JobDefinition, type QueueName } from './definitions.js';

export interface BulkJob {
  def: JobDefinition;
  jobId: string;
  payload: unknown;
  priority: number;
}

/** The BullMQ options of a job: its definition's attempts and back-off, bounded retention. */
export function jobOptions(def: JobDefinition, jobId: string, priority = 0): JobsOptions {
  return {
    jobId,
    attempts: def.attempts,
    backoff: { type: 'exponential', delay: def.backoffMs },
    ...(priority > 0 ? { priority } : {}),
    removeOnComplete: { age: 3600, count: 5000 },
    removeOnFail: { age: 7 * 86400 },
  };
}

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

  /**
   * Adds jobs under their row ids, one `addBulk` per queue; adding an id that already exists is a no-op in BullMQ,
   * so a repeated hand-over never duplicates a job. Rejects with the first error
   * (the jobs of a queue whose `addBulk` failed may or may not be in BullMQ: adding them again is safe).
   */
  async addBulk(items: BulkJob[]): Promise<void> {
    if (!this.isReady()) throw new Error('Redis is not connected');
    const byQueue = new Map<QueueName, BulkJob[]>();
    for (const it of items) byQueue.set(it.def.queue, [...(byQueue.get(it.def.queue) ?? []), it]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('BullMQ add timed out')), 5000);
    });
    const added = Promise.all(
      [...byQueue].map(([queue, jobs]) =>
        this.get(queue).addBulk(jobs.map((j) => ({ name: j.def.name, data: j.payload, opts: jobOptions(j.def, j.jobId, j.priority) }))),
      ),
    );
    try {
      await Promise.race([added, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A lease on `name` for `ms` across every process of this prefix (SET NX PX); false while another holds it. */
  async tryLease(name: string, ms: number): Promise<boolean> {
    if (!this.isReady()) return false;
    return (await this.connection.set(`${this.prefix}:lease:${name}`, String(process.pid), 'PX', ms, 'NX')) === 'OK';
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    await this.connection.quit().catch(() => undefined);
  }
}
