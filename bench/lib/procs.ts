// Child processes of a benchmark: the real API and worker entry points, and the bench's own servers.
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './env.js';
import { freePort, waitFor } from '../../test/support/processes.js';
import { startApiProcess, type ApiProcess } from '../../test/support/api-process.js';
import { createRedis } from '../../shared/src/db/redis.js';
import { heartbeatAge } from '../../shared/src/jobs/heartbeat.js';

export { freePort, waitFor, startApiProcess, type ApiProcess };

export interface Child {
  child: ChildProcess;
  port: number;
  url: string;
  stop(): Promise<void>;
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await done;
  clearTimeout(timer);
}

/** Runs a bench server script (bench/servers/*.ts) and waits until `ready` answers. */
export async function startScript(
  script: string,
  env: Record<string, string>,
  ready: (url: string, stdout: string) => Promise<boolean>,
  port?: number,
): Promise<Child> {
  const p = port ?? (await freePort());
  // BENCH_CPU_PROF=<dir>: the script writes a V8 CPU profile there when it exits (tooling, not app config).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...env, BENCH_PORT: String(p) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let url = `http://127.0.0.1:${p}`;
  try {
    await waitFor(
      async () => {
        const m = /listening (\d+)/.exec(stdout);
        if (m) url = `http://127.0.0.1:${m[1]}`;
        return ready(url, stdout);
      },
      30_000,
      script,
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`, { cause: err });
  }
  return { child, port: Number(new URL(url).port), url, stop: () => stopChild(child) };
}

export const answers = (path: string) => async (url: string) => (await fetch(`${url}${path}`)).ok;
export const printed = (word: string) => async (_url: string, stdout: string) => stdout.includes(word);

/** The real worker (worker/src/main.ts) as its own process; resolves once its heartbeat is in Redis. */
export async function startWorkerProcess(env: Record<string, string>): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const redis = createRedis(env.REDIS_URL as string, 'command');
  try {
    await waitFor(async () => (await heartbeatAge(redis, env.BULLMQ_PREFIX as string)) !== null, 30_000, 'worker heartbeat');
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`, { cause: err });
  } finally {
    await redis.quit().catch(() => undefined);
  }
  return { child, stop: () => stopChild(child) };
}
