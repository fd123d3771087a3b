// The deployment the fault suite breaks: a private Redis and a private s3rver (so stopping them disturbs no other
// test file), the shared Postgres, one in-process API that stays up (the observer: its /health is polled), one
// API process that can be SIGKILLed, and one worker process that can be SIGKILLed. All share one BullMQ prefix.
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { startTestApi, uniquePrefix, type TestApi } from '../support/api.js';
import { startApiProcess, type ApiProcess } from '../support/api-process.js';
import { startRedis, startS3rver, waitFor } from '../support/processes.js';
import { spawnWorker } from '../support/worker.js';
import { createTestTenant } from '../support/tenants.js';
import { Client } from '../support/flow.js';

export interface FaultStack {
  env: Record<string, string>;
  api: TestApi;
  victim: ApiProcess;
  redis: Awaited<ReturnType<typeof startRedis>>;
  s3: Awaited<ReturnType<typeof startS3rver>>;
  worker: ChildProcess | null;
  tenantId: string;
  key: string;
  /** Client of the in-process API. */
  client: Client;
  /** Client of the API process (replaced when it is restarted). */
  victimClient(): Client;
  courseId: string;
  /** Spawns a worker process and waits until /health sees its heartbeat. */
  startWorker(): Promise<void>;
  killWorker(): Promise<void>;
  restartVictim(): Promise<void>;
  /** Unexpected exits of the worker process (SIGKILLs sent by the suite are not counted). */
  workerCrashes: string[];
  close(): Promise<void>;
}

export async function startFaultStack(): Promise<FaultStack> {
  const [redis, s3] = await Promise.all([startRedis(), startS3rver()]);
  const env: Record<string, string> = {
    REDIS_URL: redis.url,
    S3_ENDPOINT: s3.endpoint,
    BULLMQ_PREFIX: uniquePrefix('faults'),
    LOG_LEVEL: 'silent',
    WORKER_LOCK_DURATION_MS: '3000',
    WORKER_HEARTBEAT_INTERVAL_MS: '500',
    WORKER_STALE_AFTER_MS: '2000',
    HEALTH_CHECK_TIMEOUT_MS: '1000',
    API_KEY_CACHE_TTL_MS: '60000',
    WORKER_METRICS_PORT: '0',
    ORPHAN_UPLOAD_GRACE_MS: '0', // this stack's private bucket holds nothing still being uploaded when swept
  };
  const api = await startTestApi(env);
  await api.deps.s3.send(new CreateBucketCommand({ Bucket: api.config.S3_BUCKET }));
  const t = await createTestTenant(api.deps.prisma);
  const client = new Client(api.url, t.key);
  const course = await client.createCourse('Faults');
  const victim = await startApiProcess(env);
  const workerCrashes: string[] = [];
  const expectedExits = new WeakSet<ChildProcess>();

  const stack: FaultStack = {
    env,
    api,
    victim,
    redis,
    s3,
    worker: null,
    tenantId: t.tenant.id,
    key: t.key,
    client,
    victimClient: () => new Client(stack.victim.url, t.key),
    courseId: course.id,
    workerCrashes,
    async startWorker() {
      const w = spawnWorker(env);
      w.once('exit', (code, signal) => {
        if (!expectedExits.has(w)) workerCrashes.push(`worker exited: code ${code} signal ${signal}`);
      });
      stack.worker = w;
      await waitFor(async () => (await fetch(`${api.url}/health`)).status === 200, 30_000, 'worker heartbeat (/health 200)');
    },
    async killWorker() {
      const w = stack.worker;
      if (!w || w.exitCode !== null || w.signalCode !== null) return;
      expectedExits.add(w);
      const exited = new Promise((r) => w.once('exit', r));
      w.kill('SIGKILL');
      await exited;
      stack.worker = null;
    },
    async restartVictim() {
      stack.victim = await startApiProcess(env);
    },
    async close() {
      await stack.killWorker();
      await stack.victim.stop('SIGKILL');
      await api.close();
      await Promise.allSettled([redis.stop(), s3.stop()]);
    },
  };
  await stack.startWorker();
  return stack;
}

const run = promisify(execFile);

/** The shared local cluster (Debian's pg_ctlcluster): version from /etc/postgresql, cluster `main`. */
export function postgresCluster(): { version: string; name: string } {
  const versions = readdirSync('/etc/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error('no cluster under /etc/postgresql');
  return { version: versions[0], name: 'main' };
}

export async function pgCtl(action: 'stop' | 'start'): Promise<void> {
  const { version, name } = postgresCluster();
  // `stop` uses the fast mode: clients are disconnected at once.
  const args = ['--skip-systemctl-redirect', version, name, action];
  await run('pg_ctlcluster', args, { timeout: 60_000 });
}
