// Worker entry: one BullMQ Worker per queue (own concurrency), a Redis heartbeat for /health, graceful
// shutdown (stop taking jobs, let active ones finish within SHUTDOWN_TIMEOUT_MS, close Redis and Prisma).
import { hostname } from 'node:os';
import { loadConfigOrExit } from '../../shared/src/config/index.js';
import { createLogger } from '../../shared/src/logger/index.js';
import { newId } from '../../shared/src/db/ids.js';
import { createWorkerRuntime } from './runtime.js';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
const workerId = `${hostname()}:${process.pid}:${newId().slice(-8)}`;

const runtime = await createWorkerRuntime(config, logger, workerId).catch((err: unknown) => {
  logger.fatal({ err }, 'worker failed to boot');
  process.exit(1);
});

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'worker stopping');
  const force = setTimeout(() => {
    logger.error('worker did not stop in time; exiting (active jobs return to the queue when their lock expires)');
    process.exit(1);
  }, config.SHUTDOWN_TIMEOUT_MS + 5000);
  force.unref();
  await runtime.close();
  logger.info('worker stopped');
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
logger.info({ workerId, queues: runtime.queues, node: process.version }, 'worker started');
