// Prisma client on the pg driver adapter (no native query engine).
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/client.js';

export type { PrismaClient } from './generated/client.js';
export { Prisma } from './generated/client.js';

export interface DatabaseOptions {
  poolMax?: number;
  statementTimeoutMs?: number;
}

/**
 * The pg pool and the Prisma client running on it. The pool is for the few hot reads whose hand-written SQL is
 * cheaper sent straight to pg than through Prisma's raw-query path (API's job status and list routes); they share
 * its connections and its statement_timeout with everything else. `prisma.$disconnect()` ends the pool once
 * Prisma has used it; owners that may not have used Prisma end it with `closeDatabase`.
 */
export function createDatabase(databaseUrl: string, opts: DatabaseOptions = {}): { prisma: PrismaClient; pool: pg.Pool } {
  const pool = createPool(databaseUrl, opts);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  return { prisma, pool };
}

/**
 * A pg pool with the project's connection settings (the one way to make one): `statementTimeoutMs` on every
 * connection, and a listener for errors of idle connections.
 */
export function createPool(
  databaseUrl: string,
  opts: DatabaseOptions & { applicationName?: string; idleTimeoutMillis?: number } = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.poolMax ?? 10,
    ...(opts.applicationName ? { application_name: opts.applicationName } : {}),
    ...(opts.idleTimeoutMillis !== undefined ? { idleTimeoutMillis: opts.idleTimeoutMillis } : {}),
    ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
  });
  // An idle connection that breaks (a Postgres restart) is dropped by the pool; without a listener pg would
  // throw it as an uncaught error (before Prisma has attached its own, for Prisma's pool). The next query
  // reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** Disconnects Prisma and ends the pool (whether or not Prisma ever connected). */
export async function closeDatabase(db: { prisma: PrismaClient; pool: pg.Pool }): Promise<void> {
  await db.prisma.$disconnect();
  if (!db.pool.ended) await db.pool.end();
}

/**
 * `statementTimeoutMs` is set on every connection of the pool (Postgres `statement_timeout`): a statement running
 * longer is cancelled by the server (SQLSTATE 57014) instead of holding a connection, memory and temp files
 * without end. 0 or absent: no bound (scripts and tests that own their database).
 */
export function createPrisma(databaseUrl: string, opts: DatabaseOptions = {}): PrismaClient {
  return createDatabase(databaseUrl, opts).prisma;
}
