// rate limiter: the latency the Redis rate limiter adds to a request. Two servers of the real app (buildApp +
// createDeps, one process each) with the same no-op route, one with RateLimits and one with a pass-through in its
// place; a closed-loop client alternates requests between them (same moment, same noise) and records sub-ms
// latencies. Also RateLimits.middleware timed directly in-process (one Redis round trip per call).
import type { NextFunction, Request, Response } from 'express';
import { loadConfig } from '../../shared/src/config/index.js';
import { createLogger } from '../../shared/src/logger/index.js';
import { createRedis, whenReady } from '../../shared/src/db/redis.js';
import { RateLimits } from '../../api/src/middleware/rate-limit.js';
import { benchTenant, dropTenants, scenarioEnv, type Scenario } from '../lib/context.js';
import { summarize } from '../lib/measure.js';
import { alternatingLoad } from '../lib/http-load.js';
import { printed, startScript } from '../lib/procs.js';
import { row } from '../lib/report.js';

const CONCURRENCY = 4;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function directTiming(env: Record<string, string>, tenantId: string, calls: number) {
  const config = loadConfig(env);
  const redis = createRedis(config.REDIS_URL, 'command');
  if (!(await whenReady(redis))) throw new Error('Redis is not answering');
  const limits = new RateLimits(redis, { prefix: config.BULLMQ_PREFIX, windowSeconds: 60, processCount: 1 }, createLogger({ level: 'silent' }));
  const mw = limits.middleware('prep');
  const req = { auth: { tenantId, keyId: 'k', scopes: ['prep'], limits: { prep: 1_000_000_000, check: 1_000_000_000 } } } as unknown as Request;
  const res = { setHeader: () => undefined } as unknown as Response;
  const passThrough = (_q: Request, _s: Response, next: NextFunction) => next();
  const time = async (fn: (q: Request, s: Response, n: NextFunction) => unknown) => {
    const t = performance.now();
    await new Promise<void>((resolve, reject) => {
      void fn(req, res, (err?: unknown) => (err ? reject(err as Error) : resolve()));
    });
    return performance.now() - t;
  };
  for (let i = 0; i < 200; i++) await time(mw);
  const withLimiter: number[] = [];
  const without: number[] = [];
  for (let i = 0; i < calls; i++) {
    withLimiter.push(await time(mw));
    without.push(await time(passThrough));
  }
  await redis.quit();
  return { with: summarize(withLimiter), without: summarize(without) };
}

export const rateLimit: Scenario = {
  name: 'ratelimit',
  summary: 'added latency of the Redis rate limiter: same app and route with RateLimits vs a pass-through',
  async run(ctx) {
    const seconds = ctx.quick ? 3 : 15;
    const env = scenarioEnv(ctx, 'ratelimit');
    const { tenantId, key } = await benchTenant(ctx.prisma, 'ratelimit');
    const on = await startScript('bench/servers/limiter-app.ts', { ...env, BENCH_LIMITER: 'on' }, printed('listening'));
    const off = await startScript('bench/servers/limiter-app.ts', { ...env, BENCH_LIMITER: 'off' }, printed('listening'));
    const windows = ctx.quick ? 3 : 5;
    const addedP99: number[] = [];
    const addedP50: number[] = [];
    let http;
    let direct;
    try {
      const targets = [
        { name: 'on', origin: on.url, path: '/api/v1/bench/noop', headers: { 'X-API-Key': key } },
        { name: 'off', origin: off.url, path: '/api/v1/bench/noop', headers: { 'X-API-Key': key } },
      ];
      await alternatingLoad(targets, { concurrency: CONCURRENCY, seconds: ctx.quick ? 1 : 2 });
      // Several windows, each side by side; the added p99 is the median over the windows, so one scheduling
      // spike on a shared 2-core machine does not decide the result either way.
      const onLat: number[] = [];
      const offLat: number[] = [];
      for (let w = 0; w < windows; w++) {
        const r = await alternatingLoad(targets, { concurrency: CONCURRENCY, seconds: seconds / windows });
        if (r.on?.non2xx || r.off?.non2xx) throw new Error(`non-2xx answers: on ${r.on?.non2xx}, off ${r.off?.non2xx}`);
        const a = summarize(r.on?.latenciesMs ?? []);
        const b = summarize(r.off?.latenciesMs ?? []);
        addedP99.push(a.p99 - b.p99);
        addedP50.push(a.p50 - b.p50);
        onLat.push(...(r.on?.latenciesMs ?? []));
        offLat.push(...(r.off?.latenciesMs ?? []));
      }
      http = { on: summarize(onLat), off: summarize(offLat) };
      ctx.log(`  HTTP p50/p99 with limiter ${http.on.p50.toFixed(2)}/${http.on.p99.toFixed(2)} ms, without ${http.off.p50.toFixed(2)}/${http.off.p99.toFixed(2)} ms (${http.on.n} + ${http.off.n} requests); added p99 per window: ${addedP99.map((x) => x.toFixed(2)).join(', ')} ms`);
      direct = await directTiming(env, tenantId, ctx.quick ? 2000 : 10_000);
      ctx.log(`  middleware alone p50/p99 ${direct.with.p50.toFixed(3)}/${direct.with.p99.toFixed(3)} ms`);
    } finally {
      await Promise.all([on.stop(), off.stop()]);
      await dropTenants(ctx.prisma, [tenantId]);
    }
    return {
      details: {
        measured:
          `ours: GET /api/v1/bench/noop through the real middleware chain (request id, helmet, auth, scope, RateLimits on Redis, validation); baseline: the same app with a pass-through limiter; ` +
          `${CONCURRENCY} client loops alternating between the two servers in ${windows} windows of ${seconds / windows} s; added = median over windows of p99(with) − p99(without). The direct row times RateLimits.middleware itself.`,
        http,
        windows,
        addedP99PerWindowMs: addedP99,
        addedP50PerWindowMs: addedP50,
        direct,
      },
      rows: [
        row({ scenario: 'ratelimit', metric: 'HTTP p99', ours: http.on.p99, baseline: http.off.p99, unit: 'ms', target: '', note: 'with vs without limiter' }),
        row({ scenario: 'ratelimit', metric: 'added p99 (median of windows)', ours: median(addedP99), baseline: null, unit: 'ms', target: '≤ 1 ms', check: (x) => (x.ours ?? Infinity) <= 1 }),
        row({ scenario: 'ratelimit', metric: 'added p50 (median of windows)', ours: median(addedP50), baseline: null, unit: 'ms', target: '' }),
        row({ scenario: 'ratelimit', metric: 'HTTP p50', ours: http.on.p50, baseline: http.off.p50, unit: 'ms', target: '' }),
        row({ scenario: 'ratelimit', metric: 'middleware alone p99', ours: direct.with.p99, baseline: direct.without.p99, unit: 'ms', target: '' , ratio: null }),
      ],
    };
  },
};
