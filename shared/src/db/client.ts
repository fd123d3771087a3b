// Prisma client on the pg driver adapter (no native query engine).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

export type { PrismaClient } from './generated/client.js';
export { Prisma } from './generated/client.js';

export function createPrisma(databaseUrl: string, opts: { poolMax?: number } = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: opts.poolMax ?? 10 });
  return new PrismaClient({ adapter });
}
