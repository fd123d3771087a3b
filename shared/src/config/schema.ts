// The one configuration schema (DESIGN.md §4 "Config once"). Every variable, its default and meaning is listed
// in .env.example; keep the two in step.
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(def);
const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const url = (protocols: string[]) =>
  z.string().refine((s) => {
    try {
      return protocols.includes(new URL(s).protocol);
    } catch {
      return false;
    }
  }, `must be a URL (${protocols.join(' or ')})`);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // HTTP
  HOST: z.string().default('0.0.0.0'),
  PORT: int(8000, 0, 65535),
  API_WORKERS: int(2, 1, 64),
  SHUTDOWN_TIMEOUT_MS: int(15000, 100),
  JSON_BODY_LIMIT: z.string().default('1mb'),
  CORS_ORIGINS: list.default([]),
  TRUST_PROXY: z.string().default('loopback'),
  /** A request body must bring REQUEST_BODY_MIN_BYTES within every window of this many ms, else 408 (0: off). */
  REQUEST_BODY_TIMEOUT_MS: int(30_000, 0),
  REQUEST_BODY_MIN_BYTES: int(1024, 1),

  // Data stores
  DATABASE_URL: url(['postgresql:', 'postgres:']),
  DATABASE_POOL_MAX: int(10, 1, 200),
  /** Longest statement an API process may run (ms); a longer one is cancelled and the request answered 503. */
  DATABASE_STATEMENT_TIMEOUT_MS: int(15000, 100),
  /** The same bound for the worker, whose batch statements (chunk inserts, sweeps, re-embedding) run longer. */
  WORKER_DATABASE_STATEMENT_TIMEOUT_MS: int(300000, 1000),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  BULLMQ_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/).default('cs'),

  // S3-compatible storage (Backblaze B2 in production, MinIO in compose, s3rver locally)
  S3_ENDPOINT: url(['http:', 'https:']).optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: z.string().min(3).default('course-materials'),
  S3_ACCESS_KEY_ID: z.string().min(1),
  S3_SECRET_ACCESS_KEY: z.string().min(1),
  S3_FORCE_PATH_STYLE: bool.default(true),
  MAX_UPLOAD_BYTES: int(1024 ** 3, 1),
  TENANT_QUOTA_BYTES: int(10 * 1024 ** 3, 1),

  // Auth and limits
  RATE_LIMIT_PREP_DEFAULT: int(60, 1),
  RATE_LIMIT_CHECK_DEFAULT: int(300, 1),
  RATE_LIMIT_WINDOW_SECONDS: int(60, 1),
  API_KEY_CACHE_TTL_MS: int(30000, 0),
  /** Unknown well-formed keys are remembered this long (no Postgres lookup per request); 0: off. */
  API_KEY_NEGATIVE_CACHE_TTL_MS: int(5000, 0, 60_000),
  /** Failed authentications per client address per RATE_LIMIT_WINDOW_SECONDS before 429 (0: no limit). */
  AUTH_FAILURES_PER_ADDRESS: int(100, 0),
  /** Open GET /jobs/{id}/events streams one API process serves at once (more: 429). */
  SSE_MAX_STREAMS_PER_PROCESS: int(200, 1, 100_000),
  /** Open event streams of one tenant over all API processes (Redis slots; more: 429). */
  SSE_MAX_STREAMS_PER_TENANT: int(20, 1, 100_000),
  /** How often the one poller of a process reads every watched job (one query per tick). */
  SSE_POLL_INTERVAL_MS: int(500, 50, 60_000),
  /** A tenant stream slot not refreshed this long is free again (a crashed process's slots); refreshed every third. */
  SSE_SLOT_TTL_MS: int(30_000, 1000),

  // Health
  HEALTH_CHECK_TIMEOUT_MS: int(2000, 50, 10000),
  WORKER_HEARTBEAT_INTERVAL_MS: int(5000, 100),
  WORKER_STALE_AFTER_MS: int(60000, 1000),

  // Operations
  /** Bearer token for GET /metrics (API) and the worker's metrics port; unset: metrics are not served. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** The worker's internal metrics port (0: off). */
  WORKER_METRICS_PORT: int(9464, 0, 65535),
  BULL_BOARD_ENABLED: bool.default(false),
  BULL_BOARD_USER: z.string().min(1).optional(),
  BULL_BOARD_PASSWORD: z.string().min(12).optional(),
  /** 32 bytes, base64 or hex: encrypts webhook secrets at rest. Required to set a webhook secret. */
  APP_ENCRYPTION_KEY: z.string().optional(),

  // Worker
  WORKER_CONCURRENCY_INGEST: int(2, 1, 64),
  WORKER_CONCURRENCY_EMBED: int(2, 1, 64),
  WORKER_CONCURRENCY_GENERATE: int(2, 1, 64),
  WORKER_CONCURRENCY_CHECK: int(4, 1, 64),
  WORKER_CONCURRENCY_WEBHOOKS: int(8, 1, 256),
  /**
   * Stored objects and unfinished multipart uploads that no row refers to are removed by the maintenance sweep
   * once they are this old (an upload still streaming must not be touched; 1 GiB over a slow link takes long).
   */
  ORPHAN_UPLOAD_GRACE_MS: int(6 * 3600_000, 0),
  /** How often the worker's maintenance sweeps run. */
  MAINTENANCE_INTERVAL_MS: int(10 * 60_000, 10_000),
  /**
   * How often the worker looks at presigned uploads made without size_bytes: an unconfirmed object over
   * MAX_UPLOAD_BYTES is deleted, the others' sizes count against the quota (issue 13 item 4).
   */
  UPLOAD_CHECK_INTERVAL_MS: int(60_000, 5_000),
  /** A job whose worker stops renewing its lock this long is returned to the queue (worker died). */
  WORKER_LOCK_DURATION_MS: int(30_000, 1000),

  // Ingestion
  EXTRACTION_TIMEOUT_MS: int(300_000, 1000),
  CHUNK_TARGET_TOKENS: int(500, 50, 8000),
  CHUNK_OVERLAP_TOKENS: int(50, 0, 1000),
  WEB_FETCH_MAX_BYTES: int(10 * 1024 * 1024, 1024),
  WEB_FETCH_TIMEOUT_MS: int(20_000, 1000),
  WEB_FETCH_MAX_REDIRECTS: int(5, 0, 20),

  // Embeddings (local: word vectors + hashed lexical features, or hashed features alone; openai: any
  // OpenAI-compatible /embeddings)
  EMBEDDING_PROVIDER: z.enum(['local', 'openai']).default('local'),
  EMBEDDING_DIMENSIONS: int(384, 8, 4000),
  /** With EMBEDDING_PROVIDER=local: local-wordvec-v2 (default), local-wordvec-v1 (its predecessor) or local-hash-v1 (lexical only). */
  EMBEDDING_MODEL: z.string().default('local-wordvec-v2'),
  /** Where local-wordvec-* keeps its converted word vectors (made once, at setup or on first use). */
  LOCAL_EMBEDDING_CACHE_DIR: z.string().min(1).default('var/wordvec'),
  EMBEDDING_BASE_URL: url(['http:', 'https:']).default('https://api.openai.com/v1'),
  EMBEDDING_API_KEY: z.string().optional(),
  EMBEDDING_SEND_DIMENSIONS: bool.default(true),
  EMBEDDING_TIMEOUT_MS: int(60_000, 1000),
  EMBEDDING_CONCURRENCY: int(4, 1, 64),
  EMBEDDING_MAX_INPUTS_PER_REQUEST: int(2048, 1, 2048),
  EMBEDDING_MAX_TOKENS_PER_REQUEST: int(300_000, 100),
  EMBEDDING_MAX_TOKENS_PER_INPUT: int(8191, 16),

  /** HNSW candidate list per search (hnsw.ef_search): recall against latency. */
  SEARCH_EF_SEARCH: int(100, 10, 1000),

  // Transcription (none: videos need uploaded subtitles; openai: any OpenAI-compatible /audio/transcriptions)
  TRANSCRIPTION_PROVIDER: z.enum(['none', 'openai']).default('none'),
  TRANSCRIPTION_BASE_URL: url(['http:', 'https:']).default('https://api.openai.com/v1'),
  TRANSCRIPTION_API_KEY: z.string().optional(),
  TRANSCRIPTION_MODEL: z.string().default('whisper-1'),
  TRANSCRIPTION_TIMEOUT_MS: int(600_000, 1000),
  TRANSCRIPTION_MAX_FILE_BYTES: int(26_214_400, 1024),

  // LLM (structure generation; local: the deterministic heuristic builder; openai: any OpenAI-compatible API)
  LLM_PROVIDER: z.enum(['local', 'openai']).default('local'),
  LLM_BASE_URL: url(['http:', 'https:']).default('https://api.openai.com/v1'),
  LLM_API_KEY: z.string().optional(),
  /** Fallback chain for every action, comma-separated (first model first). */
  LLM_MODELS: list.default(['gpt-4o-mini']),
  LLM_MODELS_STRUCTURING: list.default([]),
  LLM_MODELS_RECONCILE: list.default([]),
  LLM_MODELS_REFINE: list.default([]),
  LLM_MODELS_REVIEW: list.default([]),
  LLM_TIMEOUT_MS: int(120_000, 1000),
  LLM_MAX_REPAIRS: int(2, 0, 10),
  LLM_CONTEXT_TOKENS: int(12_000, 500),

  // Provider calls (retry policy and prices for the cost report)
  PROVIDER_MAX_ATTEMPTS: int(5, 1, 20),
  PROVIDER_RETRY_BASE_MS: int(500, 1),
  PROVIDER_RETRY_MAX_DELAY_MS: int(30_000, 1),
  PROVIDER_MAX_RETRY_AFTER_MS: int(120_000, 1),
  /** JSON: model → {input_usd_per_1m, output_usd_per_1m, usd_per_minute}. */
  PROVIDER_PRICES: z
    .string()
    .default('{}')
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
        return z.NEVER;
      }
    }),

  // Outbound requests (web materials, providers, webhooks)
  /** false: public addresses only · loopback: also 127.0.0.0/8 and ::1 (local development, tests) · true: any. */
  ALLOW_PRIVATE_TARGETS: z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'loopback'])
    .default('false')
    .transform((v) => (v === 'loopback' ? 'loopback' : v === 'true' || v === '1' || v === 'yes')),
  VERIFIED_DOMAINS: list.default([
    'youtube.com',
    'youtu.be',
    'wikipedia.org',
    'github.com',
    'docs.python.org',
    'developer.mozilla.org',
    'realpython.com',
  ]),

  // Homework checking (check) and webhooks
  /** Largest homework file accepted by POST /homework/submit (413 above it, enforced while streaming). */
  HOMEWORK_MAX_BYTES: int(10 * 1024 * 1024, 1),
  /** local: deterministic, offline reviewer (an `openai` reviewer through the LLM layer can be added later). */
  REVIEW_PROVIDER: z.enum(['local', 'openai']).default('local'),
  /** One webhook delivery attempt's time budget (connect + answer). */
  WEBHOOK_TIMEOUT_MS: int(10_000, 100, 120_000),
  /** Attempts per delivery (408/429/5xx/timeouts are retried; API.md wants at least 5 over ≥ 10 minutes). */
  WEBHOOK_MAX_ATTEMPTS: int(8, 1, 20),
  /** First retry delay; doubles per attempt (capped at 1 h). 60 s × 2^n gives 1, 2, 4, 8 … minutes. */
  WEBHOOK_BACKOFF_BASE_MS: int(60_000, 10),

  // ---- Retention (issue 14 item 8): what the maintenance sweep prunes, oldest first, in bounded batches ----
  // Days to keep; 0 keeps rows forever. README → Operations → Retention explains each.
  /** embedding_cache rows by creation (a pruned text is embedded again when it comes back). */
  RETENTION_EMBEDDING_CACHE_DAYS: int(90, 0),
  /** provider_calls rows, the cost report's source (GET /reports/costs cannot look further back). */
  RETENTION_PROVIDER_CALLS_DAYS: int(400, 0),
  /** webhook_deliveries rows (attempt log shown with a submission). */
  RETENTION_WEBHOOK_DELIVERIES_DAYS: int(90, 0),
  /** Finished jobs (complete/failed/cancelled) no material, submission, snapshot or other job refers to. */
  RETENTION_JOBS_DAYS: int(30, 0),
  /** Rows deleted per statement, and statements per table per sweep run (the rest waits for the next run). */
  RETENTION_BATCH_SIZE: int(1000, 1, 10_000),
  RETENTION_MAX_BATCHES: int(20, 1, 1000),
  /** ListObjectsV2 pages (1000 keys each) the orphan sweep reads per run before it saves where it stopped. */
  ORPHAN_SWEEP_PAGES_PER_RUN: int(10, 1, 10_000),
  /** Keys per page (MaxKeys; S3 returns at most 1000). */
  ORPHAN_SWEEP_PAGE_SIZE: int(1000, 1, 1000),
  // ---- end of retention ----
}).superRefine((c, ctx) => {
  if (c.EMBEDDING_PROVIDER === 'local' && !['local-wordvec-v2', 'local-wordvec-v1', 'local-hash-v1'].includes(c.EMBEDDING_MODEL)) {
    ctx.addIssue({ code: 'custom', path: ['EMBEDDING_MODEL'], message: 'with EMBEDDING_PROVIDER=local: local-wordvec-v2, local-wordvec-v1 or local-hash-v1' });
  }
  if (c.EMBEDDING_PROVIDER === 'local' && c.EMBEDDING_MODEL.startsWith('local-wordvec-') && c.EMBEDDING_DIMENSIONS < 164) {
    ctx.addIssue({ code: 'custom', path: ['EMBEDDING_DIMENSIONS'], message: 'local-wordvec-v1/v2 need at least 164 dimensions (100 word-vector + 64 hashed)' });
  }
  if (c.BULL_BOARD_ENABLED && (!c.BULL_BOARD_USER || !c.BULL_BOARD_PASSWORD)) {
    ctx.addIssue({ code: 'custom', path: ['BULL_BOARD_PASSWORD'], message: 'BULL_BOARD_ENABLED needs BULL_BOARD_USER and BULL_BOARD_PASSWORD' });
  }
  if (c.APP_ENCRYPTION_KEY !== undefined) {
    const raw = /^[0-9a-fA-F]{64}$/.test(c.APP_ENCRYPTION_KEY) ? Buffer.from(c.APP_ENCRYPTION_KEY, 'hex') : Buffer.from(c.APP_ENCRYPTION_KEY, 'base64');
    if (raw.length !== 32) ctx.addIssue({ code: 'custom', path: ['APP_ENCRYPTION_KEY'], message: 'must be 32 bytes, as 64 hex characters or base64' });
  }
});

export type Config = z.infer<typeof configSchema>;
