// Server-sent events for jobs (GET /jobs/{id}/events). One JobEventHub per API process feeds every stream of the
// process from a single poller: each tick reads all watched jobs in one bounded query (`id IN (…)` with the
// watching tenants) and sends an event to each stream whose job's status or progress changed; a stream ends after
// a terminal state. Polling Postgres (the source of truth) keeps this correct across API processes and worker
// restarts without another channel to keep in step; the cost is one query per tick, whatever the stream count.
// Streams are capped per process (a local count) and per tenant over all processes (Redis slots that expire when
// a crashed process stops refreshing them); past a cap the request is answered 429 before the stream starts.
import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { Semaphore } from 'redis-semaphore';
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import type { Job } from '../../../../shared/src/db/generated/client.js';
import { AppError } from '../../../../shared/src/errors/index.js';
import type { Logger } from '../../../../shared/src/logger/index.js';
import { TERMINAL } from '../../../../shared/src/jobs/job-status.js';

const KEEPALIVE_MS = 15_000;
const TERMINAL_SET = new Set<string>(TERMINAL);

export interface JobEventHubOptions {
  prisma: PrismaClient;
  redis: Redis;
  /** Key prefix of this deployment (BULLMQ_PREFIX): the tenant slots live under it. */
  prefix: string;
  logger: Logger;
  tickMs: number;
  maxPerProcess: number;
  maxPerTenant: number;
  slotTtlMs: number;
}

type Present = (job: Job) => Promise<unknown>;

interface Stream {
  tenantId: string;
  jobId: string;
  res: Response;
  present: Present;
  /** `status:progress` last sent. */
  last: string;
  seq: number;
  lastWrite: number;
  slot: Semaphore | null;
  closed: boolean;
}

const signature = (job: { status: string; progress: number }) => `${job.status}:${job.progress}`;

/**
 * redis-semaphore refreshes a held slot from a timer and does not catch a failed refresh, so every refresh
 * while Redis is unreachable became an unhandled rejection. A refresh that cannot reach Redis keeps the slot
 * (the stream goes on, as when the slot could not be taken at all); the key expires on its own if Redis stays
 * away, and once Redis answers again a refresh that finds the slot gone reports it lost (onLockLost).
 */
class StreamSlot extends Semaphore {
  protected override async _refresh(): Promise<boolean> {
    try {
      return await super._refresh();
    } catch {
      return true;
    }
  }
}

export class JobEventHub {
  private readonly byJob = new Map<string, Set<Stream>>();
  /** Streams open or being opened (counted before the Redis slot is awaited, so the process cap holds). */
  private count = 0;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private closing = false;
  /** For tests and metrics: poller ticks run and jobs queries sent by them. */
  readonly stats = { ticks: 0, queries: 0 };

  constructor(private readonly opts: JobEventHubOptions) {}

  /** Streams open (or being opened) in this process. */
  get openStreams(): number {
    return this.count;
  }

  /** Whether the poller is scheduled or running (false whenever no stream is open). */
  get polling(): boolean {
    return this.timer !== null || this.ticking;
  }

  /** 429 before the stream starts. Retry-After: the slot TTL, by when even a crashed process's slots are free. */
  private tooMany(detail: string): AppError {
    return new AppError('rate_limited', detail, { 'Retry-After': String(Math.max(1, Math.ceil(this.opts.slotTtlMs / 1000))) });
  }

  /**
   * Starts the stream of `job` (already read for this tenant: a 404 was answered before). Throws a 429 AppError
   * (before any byte is written) when the process or the tenant has its maximum of open streams.
   */
  async open(req: Request, res: Response, tenantId: string, job: Job, present: Present): Promise<void> {
    if (this.closing || this.count >= this.opts.maxPerProcess) throw this.tooMany('Too many open event streams on this server');
    this.count++;
    let slot: Semaphore | null = new StreamSlot(this.opts.redis, `${this.opts.prefix}:sse:${tenantId}`, this.opts.maxPerTenant, {
      lockTimeout: this.opts.slotTtlMs,
      refreshInterval: Math.floor(this.opts.slotTtlMs / 3),
      acquireAttemptsLimit: 1,
      onLockLost: (err) => this.opts.logger.warn({ err, tenant_id: tenantId }, 'event stream slot lost (not refreshed in time)'),
    });
    try {
      if (!(await slot.tryAcquire())) {
        this.count--;
        throw this.tooMany('Too many open event streams for this tenant');
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      // Redis unreachable: serve (the process cap still bounds this process) rather than refuse every stream.
      this.opts.logger.warn({ err }, 'event stream slots unavailable; tenant cap not applied');
      slot = null;
    }

    const stream: Stream = { tenantId, jobId: job.id, res, present, last: '', seq: 0, lastWrite: Date.now(), slot, closed: false };
    res.on('close', () => void this.close(stream)); // the client went away, or the response ended
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
    res.flushHeaders();
    if (req.destroyed || res.destroyed) return this.close(stream);

    this.send(stream, job, await present(job));
    if (stream.closed || TERMINAL_SET.has(job.status)) return this.close(stream);
    let watchers = this.byJob.get(job.id);
    if (!watchers) this.byJob.set(job.id, (watchers = new Set()));
    watchers.add(stream);
    this.schedule();
  }

  /** Ends every stream (process shutdown) and refuses new ones. */
  async shutdown(): Promise<void> {
    this.closing = true;
    const all = [...this.byJob.values()].flatMap((s) => [...s]);
    await Promise.all(all.map((s) => this.close(s)));
  }

  private send(stream: Stream, job: Job, payload: unknown): void {
    stream.last = signature(job);
    stream.res.write(`id: ${++stream.seq}\nevent: ${job.status}\ndata: ${JSON.stringify(payload)}\n\n`);
    stream.lastWrite = Date.now();
  }

  private async close(stream: Stream): Promise<void> {
    if (stream.closed) return;
    stream.closed = true;
    this.count--;
    const watchers = this.byJob.get(stream.jobId);
    watchers?.delete(stream);
    if (watchers && watchers.size === 0) this.byJob.delete(stream.jobId);
    if (this.byJob.size === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!stream.res.writableEnded) stream.res.end();
    await stream.slot?.release().catch((err: unknown) => this.opts.logger.warn({ err }, 'event stream slot release failed'));
  }

  /** The next tick, one at a time: scheduled only after the previous one finished, and only while streams are open. */
  private schedule(): void {
    if (this.timer || this.ticking || this.byJob.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, this.opts.tickMs);
  }

  private async tick(): Promise<void> {
    this.ticking = true;
    this.stats.ticks++;
    try {
      const ids = [...this.byJob.keys()]; // at most SSE_MAX_STREAMS_PER_PROCESS: one per stream
      const tenants = [...new Set([...this.byJob.values()].flatMap((s) => [...s].map((x) => x.tenantId)))];
      this.stats.queries++;
      const rows = await this.opts.prisma.job.findMany({ where: { id: { in: ids }, tenantId: { in: tenants } } });
      const found = new Map(rows.map((r) => [r.id, r]));
      const now = Date.now();
      for (const id of ids) {
        const watchers = this.byJob.get(id);
        if (!watchers) continue; // every watcher left during the query
        const job = found.get(id);
        let payload: Promise<unknown> | null = null; // presented once per job per tick, for all its watchers
        for (const stream of [...watchers]) {
          if (!job || job.tenantId !== stream.tenantId) {
            stream.res.write(`event: error\ndata: ${JSON.stringify({ detail: 'Job not found' })}\n\n`);
            void this.close(stream);
          } else if (signature(job) !== stream.last) {
            payload ??= stream.present(job);
            const body = await payload;
            if (stream.closed) continue;
            this.send(stream, job, body);
            if (TERMINAL_SET.has(job.status)) void this.close(stream);
          } else if (now - stream.lastWrite > KEEPALIVE_MS) {
            stream.res.write(': keep-alive\n\n');
            stream.lastWrite = now;
          }
        }
      }
    } catch (err) {
      // Postgres unavailable for a moment: the streams stay open and the next tick tries again.
      this.opts.logger.warn({ err }, 'job events poll failed');
    } finally {
      this.ticking = false;
      this.schedule();
    }
  }
}
