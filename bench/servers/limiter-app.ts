// Rate-limiter scenario server: the real app (buildApp + createDeps, as api/src/main.ts builds it) with one extra
// no-op route, GET /api/v1/bench/noop (scope prep). BENCH_LIMITER=off swaps the RateLimits for a pass-through so
// the two servers differ only in that middleware. Prints "listening <port>" on stdout.
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { loadConfigOrExit } from '../../shared/src/config/index.js';
import { createLogger } from '../../shared/src/logger/index.js';
import { buildApp } from '../../api/src/app.js';
import { createDeps } from '../../api/src/deps.js';
import { defineRoute } from '../../api/src/http/define-route.js';
import type { RateLimits } from '../../api/src/middleware/rate-limit.js';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'bench-limiter-app' });
const deps = createDeps(config, logger);
const passThrough = { middleware: () => (_req: unknown, _res: unknown, next: () => void) => next() } as unknown as RateLimits;
const limiterOn = process.env.BENCH_LIMITER !== 'off';

const noop = defineRoute({
  method: 'get',
  path: '/bench/noop',
  scope: 'prep',
  summary: 'Benchmark no-op',
  tags: ['bench'],
  responses: { 200: { description: 'ok', schema: z.object({ ok: z.boolean() }) } },
  handler: async ({ res }) => {
    res.json({ ok: true });
  },
});

const app = buildApp(limiterOn ? deps : { ...deps, rateLimits: passThrough }, [noop]);
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void deps.close().then(() => process.exit(0)));
});
