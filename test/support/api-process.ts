// Real API processes (api/src/main.ts) for tests that need more than one process against the same stores.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitFor } from './processes.js';

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  /** The raw stdout lines (JSON logs) so far, at most the last 2000. */
  lines: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts api/src/main.ts on a free port and waits until it answers. With API_WORKERS > 1 it also waits until
 * every cluster process has logged "api listening" (logs are read at info level for that).
 */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const processes = Number(env.API_WORKERS ?? '1');
  const child = spawn(process.execPath, ['--max-semi-space-size=8', '--import', 'tsx', 'api/src/main.ts'], {
    env: {
      ...process.env,
      CS_SKIP_DOTENV: '1',
      API_WORKERS: '1',
      ...(processes > 1 ? { LOG_LEVEL: 'info' } : {}),
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let listening = 0;
  let partial = '';
  const lines: string[] = [];
  child.stdout?.on('data', (d: Buffer) => {
    const got = (partial + d.toString()).split('\n');
    partial = got.pop() ?? '';
    for (const line of got) {
      if (line.includes('"msg":"api listening"')) listening++;
      lines.push(line);
    }
    if (lines.length > 2000) lines.splice(0, lines.length - 2000);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${url}/health/live`)).ok, 90_000, `API process on ${port}`);
    if (processes > 1) await waitFor(async () => listening >= processes, 90_000, `${processes} API processes on ${port}`);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`, { cause: err });
  }
  return {
    url,
    child,
    lines,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill(signal);
      await exited;
    },
  };
}
