// Real service processes a test can stop, pause and restart without disturbing the shared local services.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => child.once('exit', () => r()));

export interface ManagedProcess {
  readonly port: number;
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  pause(): void;
  resume(): void;
}

function managed(port: number, launch: () => ChildProcess, ready: () => Promise<boolean>, name: string): ManagedProcess {
  let child: ChildProcess | null = null;
  return {
    port,
    async start() {
      child = launch();
      child.stderr?.resume();
      child.stdout?.resume();
      await waitFor(ready, 15_000, `${name} on port ${port}`);
    },
    async stop(signal = 'SIGKILL') {
      if (!child) return;
      const c = child;
      child = null;
      c.kill('SIGCONT');
      c.kill(signal);
      await exited(c);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
  };
}

async function tcpOpen(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** A private redis-server (no persistence) on a free port. */
export async function startRedis(): Promise<ManagedProcess & { url: string }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cs-redis-'));
  const proc = managed(
    port,
    () =>
      spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
        '--maxmemory-policy', 'noeviction'], { stdio: ['ignore', 'pipe', 'pipe'] }),
    () => tcpOpen(port),
    'redis',
  );
  await proc.start();
  return Object.assign(proc, { url: `redis://127.0.0.1:${port}` });
}

/** A private s3rver (scripts/s3rver.ts) on a free port with its own data directory. */
export async function startS3rver(): Promise<ManagedProcess & { endpoint: string }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cs-s3-'));
  const proc = managed(
    port,
    () =>
      spawn(process.execPath, ['--import', 'tsx', 'scripts/s3rver.ts', '--endpoint', `http://127.0.0.1:${port}`, '--dir', dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    () => tcpOpen(port),
    's3rver',
  );
  await proc.start();
  return Object.assign(proc, { endpoint: `http://127.0.0.1:${port}` });
}
