// Prisma client on the pg driver adapter (no native query engine).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

export type { PrismaClient } from './generated/client.js';
export { Prisma } from './generated/client.js';

/**
 * `statementTimeoutMs` is set on every connection of the pool (Postgres `statement_timeout`): a statement running
 * longer is cancelled by the server (SQLSTATE 57014) instead of holding a connection, memory and temp files
 * without end. 0 or absent: no bound (scripts and tests that own their database).
 */
export function createPrisma(databaseUrl: string, opts: { poolMax?: number; statementTimeoutMs?: number } = {}): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: opts.poolMax ?? 10,
    ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
  });
  return new PrismaClient({ adapter });
}
