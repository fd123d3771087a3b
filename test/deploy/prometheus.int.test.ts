// Debian's prometheus (scripts/test-tools.sh installs it) scrapes a real clustered API process and the worker's
// metrics port with the bearer token from its own config file: /api/v1/targets shows both up, their series are
// stored, and a job with a wrong token is down (the token is what lets it in).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/src/config/index.js';
import { startApiProcess, type ApiProcess } from '../support/api-process.js';
import { uniquePrefix } from '../support/api.js';
import { freePort, waitFor } from '../support/processes.js';
import { startTestWorker } from '../support/worker.js';
import type { WorkerRuntime } from '../../worker/src/runtime.js';

const bin = ['/usr/bin/prometheus', 'prometheus'].find((b) => spawnSync(b, ['--version']).status === 0);
const TOKEN = 'prometheus-test-token-0123456789';

interface Target {
  labels: { job: string };
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

describe.skipIf(!bin)(`prometheus scrapes the API and the worker${bin ? '' : ' (SKIPPED: no prometheus binary; run scripts/test-tools.sh)'}`, () => {
  let api: ApiProcess;
  let worker: WorkerRuntime;
  let prom: ChildProcess;
  let promUrl: string;
  let dir: string;

  beforeAll(async () => {
    const prefix = uniquePrefix('prom');
    const workerPort = await freePort();
    api = await startApiProcess({ API_WORKERS: '2', BULLMQ_PREFIX: prefix, METRICS_TOKEN: TOKEN });
    worker = await startTestWorker(loadConfig({ BULLMQ_PREFIX: prefix, METRICS_TOKEN: TOKEN, WORKER_METRICS_PORT: String(workerPort) }));
    dir = mkdtempSync(join(tmpdir(), 'cs-prom-'));
    writeFileSync(join(dir, 'token'), TOKEN, { mode: 0o600 });
    writeFileSync(join(dir, 'wrong-token'), 'not-the-token-0123456789', { mode: 0o600 });
    const job = (name: string, target: string, tokenFile: string) => `
  - job_name: ${name}
    metrics_path: /metrics
    authorization:
      type: Bearer
      credentials_file: ${join(dir, tokenFile)}
    static_configs:
      - targets: ['${target}']`;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:${job('cs_api', new URL(api.url).host, 'token')}${job(
        'cs_worker',
        `127.0.0.1:${workerPort}`,
        'token',
      )}${job('cs_api_wrong_token', new URL(api.url).host, 'wrong-token')}\n`,
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prom = spawn(
      bin as string,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prom.stderr?.resume();
    await waitFor(async () => (await fetch(`${promUrl}/-/ready`)).ok, 30_000, 'prometheus ready');
  }, 90_000);

  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom.once('exit', r));
      prom.kill('SIGTERM');
      await exited;
    }
    await worker?.close();
    await api?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const targets = async () =>
    ((await (await fetch(`${promUrl}/api/v1/targets`)).json()) as { data: { activeTargets: Target[] } }).data.activeTargets;

  it('shows both targets up through the bearer token, and stores their series', async () => {
    await waitFor(
      async () => {
        const t = await targets();
        return ['cs_api', 'cs_worker', 'cs_api_wrong_token'].every((job) => t.some((x) => x.labels.job === job && x.health !== 'unknown'));
      },
      20_000,
      'first scrape of every target',
    );
    await waitFor(async () => (await targets()).filter((x) => x.health === 'up').length === 2, 10_000, 'both targets up');
    const byJob = new Map((await targets()).map((x) => [x.labels.job, x]));
    expect(byJob.get('cs_api')).toMatchObject({ health: 'up', lastError: '' });
    expect(byJob.get('cs_worker')).toMatchObject({ health: 'up', lastError: '' });
    expect(byJob.get('cs_api_wrong_token')!.health).toBe('down');
    expect(byJob.get('cs_api_wrong_token')!.lastError).toMatch(/401/);

    const query = async (q: string) =>
      ((await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { metric: Record<string, string> }[] } })
        .data.result;
    expect((await query('cs_queue_jobs{job="cs_worker",queue="ingest",state="waiting"}')).length).toBe(1);
    expect((await query('cs_queue_jobs{job="cs_api",queue="ingest",state="waiting"}')).length).toBe(1);
    expect((await query('cs_worker_heartbeat_age_seconds{job="cs_worker"} >= 0')).length).toBe(1);
  });
});
