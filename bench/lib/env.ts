// The benchmark's environment: its own database (course_supporter_bench), bucket (course-materials-bench) and
// BullMQ/Redis key prefix on the local services, created at the start of a run and removed at its end so the
// test database is never filled with benchmark data. BENCH_* variables point it at other instances.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import pg from 'pg';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import type { Redis } from 'ioredis';
import { createS3Client } from '../../shared/src/storage/s3-client.js';
import { deleteObjects, ensureBucket, listPrefix } from '../../shared/src/storage/objects.js';
import { abortMultipartUploadsUnder } from '../../shared/src/storage/multipart.js';
import { createRedis } from '../../shared/src/db/redis.js';

export const ROOT = resolve(import.meta.dirname, '../..');
const env = (name: string, fallback: string) => process.env[name] || fallback; // tooling, not app config

const SERVER_URL = env('BENCH_POSTGRES_URL', 'postgresql://postgres@127.0.0.1:5432/postgres');
const DB_NAME = env('BENCH_DATABASE', 'course_supporter_bench');

function dbUrl(name: string): string {
  const u = new URL(SERVER_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface BenchEnv {
  databaseUrl: string;
  redisUrl: string;
  s3Endpoint: string;
  bucket: string;
  prefix: string;
  /** Environment for the project's processes (API, worker) and loadConfig() overrides. */
  appEnv: Record<string, string>;
}

export function benchEnv(): BenchEnv {
  const databaseUrl = dbUrl(DB_NAME);
  const redisUrl = env('BENCH_REDIS_URL', 'redis://127.0.0.1:6379');
  const s3Endpoint = env('BENCH_S3_ENDPOINT', 'http://127.0.0.1:4568');
  const bucket = env('BENCH_S3_BUCKET', 'course-materials-bench');
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  return {
    databaseUrl,
    redisUrl,
    s3Endpoint,
    bucket,
    prefix,
    appEnv: {
      NODE_ENV: 'production',
      LOG_LEVEL: env('BENCH_LOG_LEVEL', 'error'),
      CS_SKIP_DOTENV: '1',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      S3_ENDPOINT: s3Endpoint,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: env('BENCH_S3_ACCESS_KEY_ID', 'S3RVER'),
      S3_SECRET_ACCESS_KEY: env('BENCH_S3_SECRET_ACCESS_KEY', 'S3RVER'),
      BULLMQ_PREFIX: prefix,
      API_WORKERS: '1',
      WORKER_METRICS_PORT: '0',
      ALLOW_PRIVATE_TARGETS: 'loopback',
    },
  };
}

const tcpAnswers = (url: string, defaultPort: number) =>
  new Promise<boolean>((done) => {
    const u = new URL(url);
    const s = connect({ host: u.hostname, port: Number(u.port || defaultPort) });
    const finish = (ok: boolean) => (s.destroy(), done(ok));
    s.setTimeout(1500, () => finish(false));
    s.once('connect', () => finish(true));
    s.once('error', () => finish(false));
  });

/** Postgres, Redis and S3 must answer; when one does not, `npm run services` is run once (it is idempotent). */
export async function ensureServices(b: BenchEnv, log: (s: string) => void): Promise<void> {
  const check = async () => {
    const missing: string[] = [];
    if (!(await tcpAnswers(SERVER_URL, 5432))) missing.push(`Postgres (${new URL(SERVER_URL).host})`);
    if (!(await tcpAnswers(b.redisUrl, 6379))) missing.push(`Redis (${new URL(b.redisUrl).host})`);
    if (!(await tcpAnswers(b.s3Endpoint, 80))) missing.push(`S3 (${b.s3Endpoint})`);
    return missing;
  };
  let missing = await check();
  if (missing.length === 0) return;
  log(`not answering: ${missing.join(', ')} — running scripts/services.sh`);
  const r = spawnSync('bash', ['scripts/services.sh'], { cwd: ROOT, stdio: 'inherit' });
  missing = await check();
  if (r.status !== 0 || missing.length) {
    throw new Error(`local services are not available (${missing.join(', ') || 'services.sh failed'}); start them with \`npm run services\``);
  }
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: SERVER_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh, migrated benchmark database (dropped first if a previous run left it). */
export async function createBenchDatabase(b: BenchEnv): Promise<void> {
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${DB_NAME}"`);
  });
  execFileSync(
    process.execPath,
    ['--experimental-wasm-modules', '--no-warnings=ExperimentalWarning', '--import', 'tsx', 'scripts/migrate.ts'],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: b.databaseUrl }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

export async function dropBenchDatabase(): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`));
}

export function benchS3(b: BenchEnv) {
  return createS3Client({
    endpoint: b.s3Endpoint,
    region: 'us-east-1',
    accessKeyId: b.appEnv.S3_ACCESS_KEY_ID as string,
    secretAccessKey: b.appEnv.S3_SECRET_ACCESS_KEY as string,
    forcePathStyle: true,
    requestTimeoutMs: 600_000,
    // s3rver answers CompleteMultipartUpload only after assembling the object: minutes for 4 GiB on a busy machine.
    socketTimeoutMs: 600_000,
  });
}

export async function createBenchBucket(b: BenchEnv): Promise<void> {
  const client = benchS3(b);
  try {
    await ensureBucket({ client, bucket: b.bucket });
  } finally {
    client.destroy();
  }
}

/** Empties and removes the bench bucket (objects and unfinished multipart uploads). */
export async function dropBenchBucket(b: BenchEnv): Promise<void> {
  const client = benchS3(b);
  try {
    await abortMultipartUploadsUnder({ client, bucket: b.bucket, prefix: '' }).catch(() => undefined);
    const keys: string[] = [];
    for await (const o of listPrefix({ client, bucket: b.bucket, prefix: '' })) keys.push(o.key);
    for (let i = 0; i < keys.length; i += 500) await deleteObjects({ client, bucket: b.bucket, keys: keys.slice(i, i + 500) });
    await client.send(new DeleteBucketCommand({ Bucket: b.bucket })).catch(() => undefined);
  } finally {
    client.destroy();
  }
}

/** Deletes every Redis key under a prefix (the bench's BullMQ queues, rate-limit counters, heartbeats). */
export async function dropRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis: Redis = createRedis(redisUrl, 'bullmq');
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit().catch(() => undefined);
  }
  return removed;
}
