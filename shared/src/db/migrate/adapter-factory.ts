// The driver adapter the WebAssembly schema engine talks through: PrismaPg with two corrections.
//  1. PrismaPg's executeScript splits a script on every ";" (even inside comments, strings and $$ bodies),
//     so a migration with a PL/pgSQL function would break. Here a script goes to Postgres whole, in one
//     simple-protocol query, as the native schema engine sends it (one implicit transaction: a failing
//     migration leaves nothing half-applied; CREATE INDEX CONCURRENTLY is not possible, as with Prisma).
//  2. PrismaPg's shadow database is dropped while its own pool is still connected, which fails. Here the
//     pool is closed first and the database dropped WITH (FORCE) afterwards.
//  3. One connection per pool, never closed while idle: the engine serialises migrators with a session-level
//     `pg_advisory_lock` and relies on later statements running in that same session, as the native engine
//     does with its single connection. With several pooled connections, an idle one could be closed (and
//     the lock released) while a long migration runs on another.
// Every adapter handed out is tracked so close() can release pools the engine did not dispose.
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg, { type PoolConfig } from 'pg';

// pg_catalog's one-byte "char" type (OID 18: relkind, contype, attgenerated, …). PrismaPg has no column type
// for it and fails with "Column type 'char' could not be deserialized", which breaks every schema
// description (diff against a database, the shadow database, introspection). Its values are one-letter text.
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

interface FieldsResult {
  fields?: { dataTypeID: number }[];
}

type PgAdapter = Awaited<ReturnType<PrismaPg['connect']>>;

function readCharColumnsAsText(adapter: PgAdapter): void {
  const pool = adapter.underlyingDriver() as { query: (...args: unknown[]) => unknown };
  const query = pool.query.bind(pool);
  pool.query = (...args: unknown[]) => {
    const result = query(...args);
    if (!(result instanceof Promise)) return result;
    return result.then((r: FieldsResult) => {
      for (const field of r?.fields ?? []) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
      return r;
    });
  };
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

export class MigrationAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName: string;
  private readonly open = new Set<SqlDriverAdapter>();

  private readonly config: PoolConfig;

  constructor(config: PoolConfig) {
    this.config = { ...config, max: 1, idleTimeoutMillis: 0 };
    this.adapterName = new PrismaPg(this.config).adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    return this.track(await new PrismaPg(this.config).connect());
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const database = `prisma_migrate_shadow_db_${randomUUID()}`;
    const drop = () => this.admin(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    await this.admin(`CREATE DATABASE ${quoteIdent(database)}`);
    const adapter = await new PrismaPg({ ...this.config, database }).connect().catch(async (err: unknown) => {
      await drop().catch(() => undefined);
      throw err;
    });
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await drop();
    };
    return this.track(adapter);
  }

  /** Disposes every adapter still open (idempotent). */
  async close(): Promise<void> {
    const pending = [...this.open];
    this.open.clear();
    await Promise.allSettled(pending.map((a) => a.dispose()));
  }

  private track(adapter: PgAdapter): SqlDriverAdapter {
    readCharColumnsAsText(adapter);
    adapter.executeScript = async (script: string) => {
      // No parameters → pg uses the simple query protocol, which accepts many statements at once;
      // errors go through the adapter's own error mapping.
      await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
    };
    const dispose = adapter.dispose.bind(adapter);
    let disposed = false;
    adapter.dispose = async () => {
      if (disposed) return;
      disposed = true;
      this.open.delete(adapter);
      await dispose();
    };
    this.open.add(adapter);
    return adapter;
  }

  /** One statement on a short-lived connection to the configured database (CREATE/DROP DATABASE). */
  private async admin(sql: string): Promise<void> {
    const client = new pg.Client(this.config);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}
