// The real worker runtime in-process, and as a separate process that a test can SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Config } from '../../shared/src/config/index.js';
import { createLogger } from '../../shared/src/logger/index.js';
import { createWorkerRuntime, type WorkerRuntime } from '../../worker/src/runtime.js';

export async function startTestWorker(config: Config, id = 'test-worker'): Promise<WorkerRuntime> {
  return createWorkerRuntime(config, createLogger({ level: config.LOG_LEVEL, name: 'test-worker' }), id);
}

export function spawnWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/src/main.ts'], {
    env: { ...process.env, CS_SKIP_DOTENV: '1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}
