// `npm run migrate` (scripts/migrate.ts on the WebAssembly schema engine) against real, throw-away databases:
// _prisma_migrations bookkeeping as Prisma writes it, idempotence, failure handling, and `create`.
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { splitPrismaScript } from '../shared/src/db/migrate/catalog-inventory.js';
import { isHandWrittenDrop } from '../shared/src/db/migrate/hand-written.js';
import { createScratchDb, MIGRATIONS_DIR, migrationNames, runMigrate, SCHEMA_PATH } from '../test/support/migrate.js';

const ROWS = `SELECT id, checksum, migration_name, logs, started_at, finished_at, rolled_back_at, applied_steps_count
              FROM _prisma_migrations ORDER BY started_at, migration_name`;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A copy of prisma/migrations plus extra migration folders. */
async function migrationsWith(extra: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'migrations-'));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

describe('npm run migrate', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await Promise.allSettled(cleanup.splice(0).map((f) => f()));
  });
  const scratch = async () => {
    const db = await createScratchDb();
    cleanup.push(() => db.drop());
    return db;
  };
  const tempDir = async (extra: Record<string, string>) => {
    const dir = await migrationsWith(extra);
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  };

  let names: string[];
  beforeAll(async () => {
    names = await migrationNames();
    expect(names.length).toBeGreaterThan(0);
  });

  it('applies every migration once, records it as Prisma does, and is a no-op the second time', async () => {
    const db = await scratch();
    const first = await runMigrate(['deploy', '--url', db.url]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`Applied ${names.length} of ${names.length} migrations`);
    for (const n of names) expect(first.stdout).toContain(`- ${n}`);

    const c = await db.client();
    const rows = (await c.query(ROWS)).rows;
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const r of rows) {
      const file = await readFile(path.join(MIGRATIONS_DIR, r.migration_name, 'migration.sql'));
      expect(r.checksum).toBe(sha256(file));
      expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.rolled_back_at).toBeNull();
      expect(r.logs).toBeNull();
      expect(r.applied_steps_count).toBe(1);
    }
    expect((await c.query(`SELECT to_regclass('tenants') IS NOT NULL AS ok`)).rows[0].ok).toBe(true);

    const second = await runMigrate(['--url', db.url]); // default command is deploy
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('No pending migrations');
    expect((await c.query(ROWS)).rows).toEqual(rows);

    const status = await runMigrate(['status', '--url', db.url]);
    expect(status.code, status.stdout).toBe(0);
    expect(status.stdout).toContain('Database schema is up to date.');
  }, 60_000);

  it('two deploys at once apply each migration exactly once (advisory lock)', async () => {
    const db = await scratch();
    const slow = '99991231235959_slow';
    const dir = await tempDir({ [slow]: 'SELECT pg_sleep(1.5);\nCREATE TABLE "once" (id int);\n' });
    const runs = await Promise.all([1, 2].map(() => runMigrate(['deploy', '--url', db.url, '--dir', dir])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const outs = runs.map((r) => r.stdout);
    expect(outs.filter((o) => o.includes('Applied')).length).toBe(1);
    expect(outs.filter((o) => o.includes('No pending migrations')).length).toBe(1);
    const c = await db.client();
    const rows = (await c.query(ROWS)).rows.map((r) => r.migration_name);
    expect(rows).toEqual([...names, slow]);
  }, 60_000);

  it('a broken migration exits non-zero with a clear message, changes nothing, and can be resolved', async () => {
    const db = await scratch();
    const broken = '99991231235959_broken';
    const dir = await tempDir({ [broken]: 'CREATE TABLE "half_applied" (id int);\nALTER TABLE "no_such_table" ADD COLUMN x int;\n' });

    const r = await runMigrate(['deploy', '--url', db.url, '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: Applying migrations failed in migration ${broken}:`, 'm'));
    expect(r.stderr).toContain('no_such_table');
    expect(r.stderr).toContain('resolve --rolled-back');
    expect(r.stdout).not.toContain('Applied');

    const c = await db.client();
    expect((await c.query(`SELECT to_regclass('half_applied') AS t`)).rows[0].t).toBeNull(); // one transaction
    const failed = (await c.query(ROWS)).rows.filter((row) => row.migration_name === broken);
    expect(failed).toHaveLength(1);
    expect(failed[0].finished_at).toBeNull();
    expect(failed[0].logs).toContain('no_such_table');

    const again = await runMigrate(['deploy', '--url', db.url, '--dir', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/failed migrations/);
    const status = await runMigrate(['status', '--url', db.url, '--dir', dir]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(new RegExp(`Failed[^\\n]*\\n  - ${broken}`));

    const resolved = await runMigrate(['resolve', '--rolled-back', broken, '--url', db.url, '--dir', dir]);
    expect(resolved.code, resolved.stderr).toBe(0);
    await writeFile(path.join(dir, broken, 'migration.sql'), 'CREATE TABLE "half_applied" (id int);\n');
    const fixed = await runMigrate(['deploy', '--url', db.url, '--dir', dir]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain(`- ${broken}`);
    expect((await c.query(`SELECT to_regclass('half_applied') IS NOT NULL AS ok`)).rows[0].ok).toBe(true);
  }, 90_000);

  it('sends a migration to Postgres whole: ";" inside comments, strings and $$ bodies is fine', async () => {
    const db = await scratch();
    const sql = [
      '-- a comment; with a semicolon',
      `CREATE TABLE "notes" ("body" TEXT NOT NULL DEFAULT 'a;b');`,
      'CREATE FUNCTION notes_count() RETURNS bigint LANGUAGE plpgsql AS $$',
      'DECLARE n bigint; BEGIN SELECT count(*) INTO n FROM notes; RETURN n + 1; END $$;',
      '',
    ].join('\n');
    const dir = await tempDir({ '99991231235959_semicolons': sql });
    const r = await runMigrate(['deploy', '--url', db.url, '--dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    const c = await db.client();
    await c.query('INSERT INTO notes DEFAULT VALUES');
    expect((await c.query('SELECT body, notes_count()::int AS n FROM notes')).rows).toEqual([{ body: 'a;b', n: 2 }]);
  }, 60_000);

  it('create writes the SQL for a schema change (via a shadow database it drops again), and nothing when in sync', async () => {
    const db = await scratch(); // the server connection; create never changes this database
    const dir = await tempDir({});
    const schemaDir = await mkdtemp(path.join(tmpdir(), 'schema-'));
    cleanup.push(() => rm(schemaDir, { recursive: true, force: true }));
    const schema = path.join(schemaDir, 'schema.prisma');
    const model = '\nmodel Widget {\n  id   String @id @db.Uuid\n  size Int    @default(1)\n\n  @@map("widgets")\n}\n';
    await writeFile(schema, (await readFile(SCHEMA_PATH, 'utf8')) + model);

    const inSync = await runMigrate(['create', 'nothing', '--url', db.url, '--dir', dir]);
    expect(inSync.code, inSync.stderr).toBe(0);
    expect(inSync.stdout).toContain('no migration created');
    expect(await readdir(dir)).toEqual(expect.arrayContaining(names));
    expect((await readdir(dir)).length).toBe(names.length + 1); // + migration_lock.toml

    const made = await runMigrate(['create', 'Add widgets!', '--url', db.url, '--dir', dir, '--schema', schema]);
    expect(made.code, made.stderr).toBe(0);
    const added = (await readdir(dir)).filter((n) => !names.includes(n) && n !== 'migration_lock.toml');
    expect(added).toEqual([expect.stringMatching(/^\d{14}_add_widgets$/)]);
    const sql = await readFile(path.join(dir, added[0]!, 'migration.sql'), 'utf8');
    expect(sql).toContain('CREATE TABLE "widgets"');
    expect(sql).toContain('"size" INTEGER NOT NULL DEFAULT 1');
    expect(await readFile(path.join(dir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');

    const after = await runMigrate(['create', 'again', '--url', db.url, '--dir', dir, '--schema', schema]);
    expect(after.stdout).toContain('no migration created'); // the shadow replay includes the new migration

    const deploy = await runMigrate(['deploy', '--url', db.url, '--dir', dir]);
    expect(deploy.code, deploy.stderr).toBe(0);
    const diff = await runMigrate(['diff', '--url', db.url, '--schema', schema]);
    // In step, apart from Prisma's wish to drop the hand-written objects it cannot express.
    expect(splitPrismaScript(diff.stdout).filter((st) => !isHandWrittenDrop(st))).toEqual([]);

    const c = await db.client();
    const shadows = await c.query(`SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'`);
    expect(shadows.rows).toEqual([]);
  }, 120_000);
});
