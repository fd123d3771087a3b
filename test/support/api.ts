// Starts the real API (same buildApp + createDeps as production) on an ephemeral port for a test file.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../shared/src/config/index.js';
import { createLogger } from '../../shared/src/logger/index.js';
import { buildApp } from '../../api/src/app.js';
import { createHttpServer } from '../../api/src/http/server.js';
import { createDeps, type OwnedDeps } from '../../api/src/deps.js';
import type { RouteDef } from '../../api/src/http/define-route.js';
import { startBackground } from '../../api/src/background.js';

export interface TestApi {
  url: string;
  config: Config;
  deps: OwnedDeps;
  close(): Promise<void>;
}

/** A BullMQ/Redis key prefix of the test file's own, so files never see each other's queues or counters. */
export const uniquePrefix = (name: string) => `t-${name}-${randomBytes(4).toString('hex')}`;

export async function startTestApi(
  overrides: Record<string, string> = {},
  extraRoutes: RouteDef[] = [],
): Promise<TestApi> {
  const config = loadConfig(overrides);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'test-api' });
  const deps = createDeps(config, logger);
  const app = buildApp(deps, extraRoutes);
  const stopBackground = startBackground(deps); // outbox relay and reconciler, as in every API process
  const server: Server = await new Promise((resolve) => {
    const s = createHttpServer(app).listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    deps,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await stopBackground();
      await deps.close();
    },
  };
}
