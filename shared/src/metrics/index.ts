// Operator metrics (prom-client). Names are listed in deploy/metrics.json, which the Netdata configs use and a
// test compares with the live output. One registry per process; API processes in a cluster are aggregated by
// the primary (api/src/metrics), so counters do not jump between scrapes.
import { timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  rateLimitRejections: Counter<'scope'>;
  queueJobs: Gauge<'queue' | 'state'>;
  queueOldestWaiting: Gauge<'queue'>;
  jobDuration: Histogram<'job_type' | 'status'>;
  jobFailures: Counter<'job_type'>;
  jobs: Counter<'job_type' | 'outcome'>;
  outboxBacklog: Gauge;
  heartbeatAge: Gauge;
  providerCalls: Counter<'kind' | 'provider' | 'model' | 'status'>;
  providerCost: Counter<'kind' | 'provider' | 'model'>;
  ingestStage: Histogram<'stage'>;
}

let current: Metrics | undefined;
const scrapeHooks: (() => Promise<void>)[] = [];
let inFlight: { at: number; p: Promise<void> } | null = null;
/** Scrape-time values are read at most once per this period (scrapes in between see the last reading). */
const SCRAPE_CACHE_MS = 1000;

/**
 * Installs the refresh that scrape-time gauges run when collected (once per scrape, however many of them are
 * collected, and at most once a second). Every process — each API process of a cluster and the worker —
 * measures for itself, so the cluster aggregate's `max` is the current value. Returns the uninstall; the most
 * recently installed hook that is still installed is the one that runs (the API and a worker may share one
 * process in tests).
 */
export function onScrape(hook: () => Promise<void>): () => void {
  scrapeHooks.push(hook);
  return () => {
    const i = scrapeHooks.lastIndexOf(hook);
    if (i >= 0) scrapeHooks.splice(i, 1);
    inFlight = null;
  };
}

function collectOnce(): Promise<void> {
  const hook = scrapeHooks.at(-1);
  if (!hook) return Promise.resolve();
  if (inFlight && Date.now() - inFlight.at < SCRAPE_CACHE_MS) return inFlight.p;
  const p = hook().catch(() => undefined);
  inFlight = { at: Date.now(), p };
  return p;
}

/** The process's metrics (created on first use). */
export function metrics(): Metrics {
  if (current) return current;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cs_process_' });
  const m: Metrics = {
    registry,
    httpDuration: new Histogram({
      name: 'cs_http_request_duration_seconds',
      help: 'HTTP request duration by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    rateLimitRejections: new Counter({ name: 'cs_rate_limit_rejections_total', help: '429 answers by scope', labelNames: ['scope'], registers: [registry] }),
    // Scrape-time gauges: every process computes the same value; the cluster aggregate takes the max.
    queueJobs: new Gauge({ name: 'cs_queue_jobs', help: 'BullMQ jobs by queue and state', labelNames: ['queue', 'state'], registers: [registry], aggregator: 'max' , collect: collectOnce }),
    queueOldestWaiting: new Gauge({ name: 'cs_queue_oldest_waiting_seconds', help: 'Age of the oldest waiting job per queue', labelNames: ['queue'], registers: [registry], aggregator: 'max' , collect: collectOnce }),
    jobDuration: new Histogram({
      name: 'cs_job_duration_seconds',
      help: 'Job run time by type and outcome',
      labelNames: ['job_type', 'status'],
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers: [registry],
    }),
    jobFailures: new Counter({ name: 'cs_job_failures_total', help: 'Failed job attempts by type', labelNames: ['job_type'], registers: [registry] }),
    jobs: new Counter({
      name: 'cs_jobs_total',
      help: 'Job runs by type and outcome (complete, skipped, cancelled, failed, retry, waiting)',
      labelNames: ['job_type', 'outcome'],
      registers: [registry],
    }),
    outboxBacklog: new Gauge({ name: 'cs_outbox_backlog', help: 'Outbox entries not yet handed to BullMQ', registers: [registry], aggregator: 'max' , collect: collectOnce }),
    heartbeatAge: new Gauge({ name: 'cs_worker_heartbeat_age_seconds', help: 'Age of the freshest worker heartbeat', registers: [registry], aggregator: 'max' , collect: collectOnce }),
    providerCalls: new Counter({
      name: 'cs_provider_calls_total',
      help: 'Provider calls (each attempt) by kind, provider, model and outcome',
      labelNames: ['kind', 'provider', 'model', 'status'],
      registers: [registry],
    }),
    providerCost: new Counter({
      name: 'cs_provider_cost_usd_total',
      help: 'Provider cost in USD by kind, provider and model',
      labelNames: ['kind', 'provider', 'model'],
      registers: [registry],
    }),
    // Where a material's way to `ready` spends its time, stage by stage (fetch, extract, chunk, insert in
    // ingest.material; embed, write in embed.material): the sums show the bottleneck of ingestion.
    ingestStage: new Histogram({
      name: 'cs_ingest_stage_seconds',
      help: 'Seconds in each ingestion stage: per material for fetch, extract, chunk, insert; per batch of up to 256 chunks for embed, write',
      labelNames: ['stage'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
  };
  current = m;
  return m;
}

/** Constant-time check of `Authorization: Bearer <token>`; metrics are refused when no token is configured. */
export function bearerMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header?.startsWith('Bearer ')) return false;
  const a = Buffer.from(header.slice(7));
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
