// Start it with --max-semi-space-size=8 (package.json start:api, scripts/up.sh, Dockerfile.api): Node 24's V8
// grows the young generation to 3 × 32 MiB semi-spaces, which a streamed upload fills with short-lived buffers;
// capped, a 300 MiB upload through nginx grows the API's RSS by ~61 MiB instead of 85–96 MiB.
// API entry: the primary forks API_WORKERS processes (node:cluster) that share the port; each serves
// buildApp(deps). SIGTERM/SIGINT: stop accepting, finish in-flight requests within SHUTDOWN_TIMEOUT_MS, then
// close background loops, Redis and Prisma in order.
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { loadConfigOrExit } from '../../shared/src/config/index.js';
import { createLogger } from '../../shared/src/logger/index.js';
import { buildApp } from './app.js';
import { createHttpServer } from './http/server.js';
import { createDeps } from './deps.js';
import { startBackground } from './background.js';
import { serveClusterMetrics } from './ops/metrics.js';
import { assertEmbeddingDimensions } from '../../shared/src/db/vector/vector.repository.js';
import { assertEmbeddingModel } from '../../shared/src/db/vector/embedding-space.js';
import { embeddingModelKey } from '../../shared/src/providers/from-config.js';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'api' });

if (cluster.isPrimary && config.API_WORKERS > 1) {
  runPrimary();
} else {
  void runServer();
}

function runPrimary(): void {
  let stopping = false;
  serveClusterMetrics();
  const restarts: number[] = [];
  logger.info({ workers: config.API_WORKERS, port: config.PORT, node: process.version }, 'api primary starting');
  for (let i = 0; i < config.API_WORKERS; i++) cluster.fork();

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && (restarts[0] as number) < now - 60_000) restarts.shift();
    if (restarts.length > 10) {
      logger.fatal('api processes keep crashing; giving up');
      process.exit(1);
    }
    logger.error({ child_pid: worker.process.pid, code, signal }, 'api process exited; starting a new one');
    setTimeout(() => cluster.fork(), 500);
  });

  const stop = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: sig }, 'api primary stopping');
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    const deadline = setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS + 5000);
    deadline.unref();
    const check = setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        clearInterval(check);
        process.exit(0);
      }
    }, 100);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function runServer(): Promise<void> {
  const deps = createDeps(config, logger);
  try {
    await assertEmbeddingDimensions(deps.prisma, config.EMBEDDING_DIMENSIONS);
    await assertEmbeddingModel(deps.prisma, embeddingModelKey(config));
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, 'refusing to start');
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  const app = buildApp(deps);
  const stopBackground = startBackground(deps);
  const server: Server = createHttpServer(app).listen(config.PORT, config.HOST, () => {
    logger.info({ port: config.PORT, node: process.version }, 'api listening');
  });

  let stopping = false;
  const stop = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: sig }, 'api process stopping');
    const force = setTimeout(() => {
      logger.warn('in-flight requests did not finish in time; closing connections');
      server.closeAllConnections();
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    void deps.jobEvents.shutdown(); // event streams never finish by themselves: end them so clients reconnect elsewhere
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    clearTimeout(force);
    await stopBackground();
    await deps.close();
    logger.info('api process stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
}
