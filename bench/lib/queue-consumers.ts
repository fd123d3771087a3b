// Consumer processes of the queue scenario (bench/servers/queue-worker.ts): start n of them, sum the completions
// they report, stop them.
import { startScript, printed, type Child } from './procs.js';
import type { BenchContext } from './context.js';

export const CONCURRENCY = 16; // per consumer process, every side

export interface Consumers {
  /** Resolves at the first moment the processes together report `total` completions (performance.now()). */
  finished(total: number): Promise<number>;
  stop(): Promise<void>;
}

export async function startConsumers(ctx: BenchContext, mode: 'ours' | 'raw' | 'pgboss' | 'graphile', n: number, env: Record<string, string>): Promise<Consumers> {
  const counts: number[] = Array.from({ length: n }, () => 0);
  let failure: string | null = null;
  const children: Child[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const c = await startScript(
        'bench/servers/queue-worker.ts',
        { ...ctx.env.appEnv, BENCH_MODE: mode, BENCH_CONCURRENCY: String(CONCURRENCY), ...env },
        printed('ready'),
      );
      c.child.stdout?.on('data', (d: Buffer) => {
        const text = d.toString();
        const fail = /failed .*/.exec(text);
        if (fail) failure ??= fail[0].slice(0, 300);
        const all = [...text.matchAll(/completed (\d+)/g)];
        if (all.length) counts[i] = Number(all.at(-1)?.[1]);
      });
      children.push(c);
    }
  } catch (err) {
    await Promise.allSettled(children.map((c) => c.stop()));
    throw err;
  }
  return {
    async finished(total) {
      const deadline = Date.now() + 900_000;
      while (counts.reduce((a, b) => a + b, 0) < total) {
        if (failure) throw new Error(`a ${mode} job failed: ${failure}`);
        if (Date.now() > deadline) throw new Error(`${mode} consumers: ${counts.join('+')} of ${total} after 15 min`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return performance.now();
    },
    stop: async () => {
      await Promise.allSettled(children.map((c) => c.stop()));
    },
  };
}
