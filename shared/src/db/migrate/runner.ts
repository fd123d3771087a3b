// Migration commands on the WebAssembly schema engine: the equivalents of `prisma migrate deploy`,
// `migrate status`, `migrate dev --create-only`, `migrate resolve` and `migrate diff`. The engine itself
// writes _prisma_migrations (same rows, checksums and failure logs as the native engine).
import type { DiffTarget, MigrationList, SchemaFilter } from '@prisma/schema-engine-wasm';
import type { PoolConfig } from 'pg';
import { AppError } from '../../errors/index.js';
import { engineErrorMessage, engineErrorMigration, openSchemaEngine, type OpenEngine, type SchemaFile } from './engine.js';
import { lockfileContent, readMigrationsList, slugMigrationName, writeMigration } from './migrations-dir.js';
import { withoutHandWrittenDrops } from './hand-written.js';
import { splitPrismaScript } from './catalog-inventory.js';

export interface MigrateOptions {
  connection: PoolConfig;
  migrationsDir: string;
  onLog?: (line: string) => void;
}

const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

async function withEngine<T>(
  what: string,
  opts: { connection: PoolConfig; schema?: SchemaFile; onLog?: (line: string) => void },
  fn: (open: OpenEngine) => Promise<T>,
): Promise<T> {
  let open: OpenEngine | undefined;
  try {
    open = await openSchemaEngine(opts);
    return await fn(open);
  } catch (err) {
    if (err instanceof AppError) throw err;
    const migration = engineErrorMigration(err);
    const where = migration ? ` in migration ${migration}` : '';
    throw new AppError('internal_error', `${what} failed${where}: ${engineErrorMessage(err)}`);
  } finally {
    await open?.close();
  }
}

function assertReadable(list: MigrationList): void {
  const unreadable = list.migrationDirectories.filter((d) => d.migrationFile.content.tag === 'error');
  if (unreadable.length > 0) {
    const names = unreadable.map((d) => d.path).join(', ');
    throw new AppError('internal_error', `Cannot read migration.sql in ${names}`);
  }
}

/**
 * Applies every migration not yet in _prisma_migrations, in folder order; a no-op when up to date.
 * Each migration.sql runs as one script (one implicit transaction): a failing migration changes nothing
 * but is recorded as failed, and later runs refuse to continue until it is resolved (`resolveMigration`).
 */
export async function applyMigrations(opts: MigrateOptions): Promise<{ applied: string[]; total: number }> {
  const migrationsList = await readMigrationsList(opts.migrationsDir);
  assertReadable(migrationsList);
  return withEngine('Applying migrations', opts, async ({ engine }) => {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    return { applied: appliedMigrationNames, total: migrationsList.migrationDirectories.length };
  });
}

export interface MigrationStatus {
  migrations: string[];
  hasMigrationsTable: boolean;
  /** In the folder, not applied to the database. */
  unapplied: string[];
  /** Applied to the database, missing from the folder. */
  unknownToFolder: string[];
  failed: string[];
  /** Applied, but migration.sql changed since (checksum mismatch). */
  edited: string[];
  upToDate: boolean;
}

export async function migrationStatus(opts: MigrateOptions): Promise<MigrationStatus> {
  const migrationsList = await readMigrationsList(opts.migrationsDir);
  return withEngine('Reading migration status', opts, async ({ engine }) => {
    const d = await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTER });
    const h = d.history;
    const unapplied = h && h.diagnostic !== 'migrationsDirectoryIsBehind' ? h.unappliedMigrationNames : [];
    const unknownToFolder = h && h.diagnostic !== 'databaseIsBehind' ? h.unpersistedMigrationNames : [];
    return {
      migrations: migrationsList.migrationDirectories.map((m) => m.path),
      hasMigrationsTable: d.hasMigrationsTable,
      unapplied,
      unknownToFolder,
      failed: d.failedMigrationNames,
      edited: d.editedMigrationNames,
      upToDate: h === null && d.failedMigrationNames.length === 0 && d.editedMigrationNames.length === 0,
    };
  });
}

/** Prisma's migration folder name: UTC yyyyMMddHHmmss + "_" + name. */
export function migrationFolderName(slug: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}_${slug}`;
}

/**
 * `migrate dev --create-only`: writes a new migration folder holding the SQL that takes the end state of
 * the existing migrations to `schema`. The engine replays the folder on a shadow database (created and
 * dropped on the server of `connection`) and diffs. `empty` writes an empty migration for hand-written SQL.
 * Returns null when the schema needs no migration.
 */
export async function createMigration(
  opts: MigrateOptions & { schema: SchemaFile; name: string; empty?: boolean; now?: Date },
): Promise<{ name: string; file: string; script: string } | null> {
  const slug = slugMigrationName(opts.name);
  if (!slug) throw new AppError('internal_error', 'A migration name needs at least one letter or digit.');
  const migrationsList = await readMigrationsList(opts.migrationsDir);
  assertReadable(migrationsList);
  // The engine reads the provider from the lockfile; a first migration has none yet.
  migrationsList.lockfile.content ??= lockfileContent('postgresql');
  let script = '-- This is an empty migration.\n';
  if (!opts.empty) {
    const diff = await diffTargets('Creating a migration', opts, { tag: 'migrations', ...migrationsList }, opts.schema);
    if (diff === null) return null;
    // Prisma would drop the hand-written objects it cannot express (HNSW, expression indexes): leave that out.
    const kept = withoutHandWrittenDrops(diff);
    for (const statement of kept.removed) opts.onLog?.(`left out (drops a hand-written object): ${statement}`);
    if (!splitPrismaScript(kept.script).length) return null;
    script = kept.script;
  }
  const name = migrationFolderName(slug, opts.now);
  const file = await writeMigration({ dir: opts.migrationsDir, name, script });
  return { name, file, script };
}

/** `migrate resolve`: mark a failed migration rolled back, or a migration applied without running it. */
export async function resolveMigration(opts: MigrateOptions & { name: string; as: 'rolled-back' | 'applied' }): Promise<void> {
  const migrationsList = await readMigrationsList(opts.migrationsDir);
  await withEngine(`Marking ${opts.name} ${opts.as}`, opts, async ({ engine }) => {
    if (opts.as === 'applied') await engine.markMigrationApplied({ migrationName: opts.name, migrationsList });
    else await engine.markMigrationRolledBack({ migrationName: opts.name });
  });
}

/** Prisma's SQL from `from` to the schema's datamodel, or null when there is no difference. */
async function diffTargets(
  what: string,
  opts: { connection: PoolConfig; onLog?: (line: string) => void },
  from: DiffTarget,
  schema: SchemaFile,
): Promise<string | null> {
  return withEngine(what, { ...opts, schema }, async ({ engine }) => {
    const r = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: true, // 2 when there is a difference
      filters: NO_FILTER,
    });
    return r.exitCode === 2 ? (r.stdout ?? '') : null;
  });
}

/** SQL that takes the live database (`connection`) to `schema`; null when they agree. */
export function diffDatabaseToSchema(opts: { connection: PoolConfig; schema: SchemaFile }): Promise<string | null> {
  const from: DiffTarget = { tag: 'schemaDatasource', files: [opts.schema], configDir: '.' };
  return diffTargets('Diffing the database against the schema', opts, from, opts.schema);
}

/** SQL that creates `schema` from nothing (`connection` is only opened, never changed). */
export function diffEmptyToSchema(opts: { connection: PoolConfig; schema: SchemaFile }): Promise<string | null> {
  return diffTargets('Diffing empty → schema', opts, { tag: 'empty' }, opts.schema);
}

/** SQL that takes the end state of the migrations folder to `schema` (shadow database); null when none. */
export async function diffMigrationsToSchema(opts: MigrateOptions & { schema: SchemaFile }): Promise<string | null> {
  const migrationsList = await readMigrationsList(opts.migrationsDir);
  assertReadable(migrationsList);
  migrationsList.lockfile.content ??= lockfileContent('postgresql');
  return diffTargets('Diffing migrations → schema', opts, { tag: 'migrations', ...migrationsList }, opts.schema);
}
