// PostgreSQL URL → pg pool config. The schema engine's PrismaPg adapter gets a config object, never a
// connection string: the adapter opens the shadow database as `{ ...config, database }`, and a
// connectionString in that object would silently win over the database name (DESIGN.md §6).
import pg, { type PoolConfig } from 'pg';
import { AppError } from '../../errors/index.js';

export function poolConfigFromUrl(url: string): PoolConfig {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AppError('internal_error', 'Database URL is not a valid URL (expected postgresql://user@host:port/db).');
  }
  if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:') {
    throw new AppError('internal_error', `Database URL must start with postgresql:// (got ${u.protocol}//).`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) throw new AppError('internal_error', 'Database URL names no database.');
  const config: PoolConfig = {
    // ?host=/var/run/postgresql selects a Unix socket directory, as in libpq.
    host: u.searchParams.get('host') ?? (u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1'),
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || 'postgres',
    database,
  };
  if (u.password) config.password = decodeURIComponent(u.password);
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode === 'verify-full' || sslmode === 'verify-ca') config.ssl = { rejectUnauthorized: true };
  else if (sslmode === 'require' || sslmode === 'prefer' || sslmode === 'no-verify') config.ssl = { rejectUnauthorized: false };
  return config;
}

/** "user@host:port/db" — for messages; never includes the password. */
export function describeTarget(config: PoolConfig): string {
  return `${config.user ?? 'postgres'}@${config.host ?? '127.0.0.1'}:${config.port ?? 5432}/${config.database ?? ''}`;
}

/**
 * Creates the configured database when it does not exist (as `prisma migrate deploy` does), connecting to
 * the server's `postgres` database for that. Returns whether it created it. Other connection problems are
 * left to the caller's next step, which reports them.
 */
export async function ensureDatabase(config: PoolConfig): Promise<boolean> {
  const probe = new pg.Client(config);
  try {
    await probe.connect();
    return false;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') return false; // 3D000: invalid_catalog_name
  } finally {
    await probe.end().catch(() => undefined);
  }
  const admin = new pg.Client({ ...config, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${String(config.database).replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
  return true;
}
