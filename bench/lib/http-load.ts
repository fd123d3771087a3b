// A closed-loop HTTP load generator with sub-millisecond latency samples (autocannon's histogram counts whole
// milliseconds, too coarse for "≤ 1 ms added"). Each loop sends one request to every target in turn (starting
// with a different one each round), so the targets share the same moment's noise: side by side in one run.
import { Pool } from 'undici';

export interface Target {
  name: string;
  origin: string;
  path: string;
  headers?: Record<string, string>;
}

export interface AlternatingResult {
  [name: string]: { latenciesMs: number[]; non2xx: number };
}

export async function alternatingLoad(targets: Target[], opts: { concurrency: number; seconds: number }): Promise<AlternatingResult> {
  const pools = new Map(targets.map((t) => [t.name, new Pool(t.origin, { connections: opts.concurrency, pipelining: 1 })]));
  const out: AlternatingResult = Object.fromEntries(targets.map((t) => [t.name, { latenciesMs: [] as number[], non2xx: 0 }]));
  const deadline = performance.now() + opts.seconds * 1000;
  const loop = async (offset: number) => {
    let round = offset;
    while (performance.now() < deadline) {
      for (let i = 0; i < targets.length; i++) {
        const t = targets[(round + i) % targets.length] as Target;
        const pool = pools.get(t.name) as Pool;
        const started = performance.now();
        const res = await pool.request({ method: 'GET', path: t.path, headers: t.headers ?? {} });
        await res.body.dump();
        const ms = performance.now() - started;
        const slot = out[t.name] as AlternatingResult[string];
        if (res.statusCode >= 200 && res.statusCode < 300) slot.latenciesMs.push(ms);
        else slot.non2xx += 1;
      }
      round += 1;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, i) => loop(i)));
  await Promise.all([...pools.values()].map((p) => p.close()));
  return out;
}
