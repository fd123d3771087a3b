// `npm run migrate [-- <command>]`: Prisma migrations through the WebAssembly schema engine (no native
// binary download; DESIGN.md §6). Must run under `node --experimental-wasm-modules` (the npm script does).
// The database comes from --url, else DATABASE_URL read like the app reads it (shared/src/config's
// loadConfigPart: the environment, then .env, then the local default below); only that setting is asked for,
// not the S3 and other settings a migration does not need.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigPart } from '../shared/src/config/index.js';
import {
  applyMigrations,
  createMigration,
  describeTarget,
  diffDatabaseToSchema,
  diffEmptyToSchema,
  diffMigrationsToSchema,
  ensureDatabase,
  migrationStatus,
  poolConfigFromUrl,
  resolveMigration,
} from '../shared/src/db/migrate/index.js';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const DEFAULT_URL = 'postgresql://postgres@127.0.0.1:5432/course_supporter';

const USAGE = `usage: npm run migrate [-- <command>] [--url postgresql://…] [--dir prisma/migrations]
  deploy (default)         apply pending migrations to the database (prisma migrate deploy)
  status                   list applied / pending / failed / edited migrations; exit 1 unless up to date
  create <name> [--empty]  write prisma/migrations/<timestamp>_<name>/migration.sql from the difference
                           between the migrations and schema.prisma (--empty: an empty one for hand-written SQL)
  resolve --rolled-back <migration> | --applied <migration>
                           after a failed migration: mark it rolled back (then fix it and deploy again),
                           or record it as applied without running it
  diff [--from-empty | --from-migrations]
                           print the SQL from the database (default), nothing, or the migrations to schema.prisma
options: --url (default DATABASE_URL from the environment or .env, else ${DEFAULT_URL}), --dir, --schema (default prisma/schema.prisma)`;

class UsageError extends Error {}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    dir: { type: 'string' },
    schema: { type: 'string' },
    empty: { type: 'boolean' },
    'rolled-back': { type: 'string' },
    applied: { type: 'string' },
    'from-empty': { type: 'boolean' },
    'from-migrations': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

const out = (line = '') => process.stdout.write(`${line}\n`);
const list = (names: string[]) => names.map((n) => `  - ${n}`).join('\n');

async function main(): Promise<number> {
  const [command = 'deploy', ...rest] = positionals;
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const url = values.url ?? loadConfigPart(['DATABASE_URL'], { DATABASE_URL: DEFAULT_URL }).DATABASE_URL;
  const connection = poolConfigFromUrl(url);
  const migrationsDir = path.resolve(ROOT, values.dir ?? 'prisma/migrations');
  const shownDir = path.relative(process.cwd(), migrationsDir) || '.';
  const target = describeTarget(connection);
  const loadSchema = async () => {
    const schemaPath = path.resolve(ROOT, values.schema ?? 'prisma/schema.prisma');
    return { path: schemaPath, content: await readFile(schemaPath, 'utf8') };
  };

  switch (command) {
    case 'deploy': {
      if (await ensureDatabase(connection)) out(`Created database ${target}`);
      out(`Applying migrations from ${shownDir} to ${target}`);
      const { applied, total } = await applyMigrations({ connection, migrationsDir });
      if (applied.length === 0) out(`No pending migrations: the database is up to date (${total} migrations).`);
      else out(`Applied ${applied.length} of ${total} migrations:\n${list(applied)}`);
      return 0;
    }
    case 'status': {
      const s = await migrationStatus({ connection, migrationsDir });
      out(`${s.migrations.length} migrations in ${shownDir}; database ${target}`);
      if (!s.hasMigrationsTable) out('The database has no _prisma_migrations table yet.');
      if (s.unapplied.length) out(`Not yet applied:\n${list(s.unapplied)}`);
      if (s.unknownToFolder.length) out(`Applied to the database but missing from the folder:\n${list(s.unknownToFolder)}`);
      if (s.failed.length) out(`Failed (fix, then \`resolve --rolled-back <name>\`):\n${list(s.failed)}`);
      if (s.edited.length) out(`Edited after being applied (checksum differs):\n${list(s.edited)}`);
      out(s.upToDate ? 'Database schema is up to date.' : 'Database schema is NOT up to date.');
      return s.upToDate ? 0 : 1;
    }
    case 'create': {
      const name = rest.join('_');
      if (!name) throw new UsageError('create needs a migration name');
      const created = await createMigration({ connection, migrationsDir, schema: await loadSchema(), name, empty: values.empty });
      if (!created) {
        out('schema.prisma and the migrations agree: no migration created.');
        return 0;
      }
      out(`Created ${path.relative(process.cwd(), created.file)}:\n\n${created.script}`);
      if (/^\s*(DROP|ALTER TABLE .* DROP)/im.test(created.script)) {
        out('Review it: Prisma drops objects it cannot express (e.g. HNSW or expression indexes, generated');
        out('columns made by hand-written SQL). Delete such statements before applying.');
      }
      out('Apply it with `npm run migrate`.');
      return 0;
    }
    case 'resolve': {
      const rolledBack = values['rolled-back'];
      const applied = values.applied;
      if (!rolledBack === !applied) throw new UsageError('resolve needs exactly one of --rolled-back or --applied');
      const name = (rolledBack ?? applied) as string;
      await resolveMigration({ connection, migrationsDir, name, as: rolledBack ? 'rolled-back' : 'applied' });
      out(`Marked ${name} as ${rolledBack ? 'rolled back' : 'applied'} in ${target}.`);
      return 0;
    }
    case 'diff': {
      const schema = await loadSchema();
      const sql = values['from-empty']
        ? await diffEmptyToSchema({ connection, schema })
        : values['from-migrations']
          ? await diffMigrationsToSchema({ connection, migrationsDir, schema })
          : await diffDatabaseToSchema({ connection, schema });
      if (sql !== null) out(sql.trimEnd());
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG, as the app's entry points
    }
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: ${message}\n`);
    if (/failed to apply|failed in migration|failed migrations/i.test(message)) {
      process.stderr.write(
        'A failed migration changes nothing (it runs as one transaction) but is recorded as failed in\n' +
          '_prisma_migrations. Fix its migration.sql, run `npm run migrate -- resolve --rolled-back <migration>`,\n' +
          'then `npm run migrate` again.\n',
      );
    }
    process.exit(1);
  },
);
