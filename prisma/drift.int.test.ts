// Drift check: prisma/migrations and prisma/schema.prisma must describe the same database.
//  1. A fresh database is migrated with the runner (`npm run migrate`), and Prisma's schema engine diffs it
//     against schema.prisma: every statement of that diff must be explained by HAND_WRITTEN below.
//  2. Because the engine does not see everything (expression indexes, triggers, functions, …), the
//     migrated database's pg_catalog inventory is compared with that of a database built from
//     schema.prisma by Prisma's own SQL: every difference must be in HAND_WRITTEN, and every HAND_WRITTEN
//     object must exist (no stale entries).
// Editing schema.prisma without a migration (`npm run migrate -- create <name>`) fails check 1.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  catalogInventory,
  compareInventories,
  key,
  splitPrismaScript,
  type InventoryDifference,
} from '../shared/src/db/migrate/catalog-inventory.js';
import { HAND_WRITTEN } from '../shared/src/db/migrate/hand-written.js';
import { createScratchDb, runMigrate, SCHEMA_PATH, type ScratchDb } from '../test/support/migrate.js';

// HAND_WRITTEN (shared/src/db/migrate/hand-written.ts) lists, with reasons, what Prisma cannot express.

const unexplainedStatements = (sql: string) =>
  splitPrismaScript(sql).filter((s) => !HAND_WRITTEN.some((h) => h.prismaDiff?.some((re) => re.test(s))));

const unexplainedObjects = (diffs: InventoryDifference[]) =>
  diffs.filter((d) => !HAND_WRITTEN.some((h) => h.kind === d.kind && h.name === d.name));

async function diffToSchema(db: ScratchDb, schemaPath: string): Promise<string> {
  const r = await runMigrate(['diff', '--url', db.url, '--schema', schemaPath]);
  expect(r.stderr, 'migrate diff failed').toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

/** A database with what Prisma's own SQL for schema.prisma creates (plus the allowlisted extensions). */
async function buildFromSchema(db: ScratchDb): Promise<void> {
  const r = await runMigrate(['diff', '--from-empty', '--url', db.url, '--schema', SCHEMA_PATH]);
  expect(r.code, r.stderr).toBe(0);
  const c = await db.client();
  for (const h of HAND_WRITTEN.filter((e) => e.kind === 'extension')) {
    await c.query(`CREATE EXTENSION IF NOT EXISTS "${h.name}"`);
  }
  await c.query(r.stdout);
}

async function deploy(db: ScratchDb): Promise<void> {
  const r = await runMigrate(['deploy', '--url', db.url]);
  expect(r.code, r.stderr).toBe(0);
}

describe('migrations ↔ schema.prisma drift', () => {
  let migrated: ScratchDb;
  let fromSchema: ScratchDb;

  beforeAll(async () => {
    [migrated, fromSchema] = await Promise.all([createScratchDb('drift_migrated'), createScratchDb('drift_schema')]);
    await Promise.all([deploy(migrated), buildFromSchema(fromSchema)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([migrated?.drop(), fromSchema?.drop()]);
  });

  it("Prisma's diff from the migrated database to schema.prisma is empty (apart from HAND_WRITTEN)", async () => {
    const sql = await diffToSchema(migrated, SCHEMA_PATH);
    expect(unexplainedStatements(sql), 'schema.prisma changed without a migration (npm run migrate -- create <name>)').toEqual([]);
  }, 60_000);

  it('the migrated catalog matches the schema-built one, except HAND_WRITTEN objects; no stale entries', async () => {
    const [a, b] = await Promise.all([migrated.client(), fromSchema.client()]);
    const [invMigrated, invSchema] = await Promise.all([catalogInventory(a), catalogInventory(b)]);
    expect(invMigrated.some((i) => i.kind === 'table' && i.name === 'tenants')).toBe(true); // the inventory sees tables
    expect(unexplainedObjects(compareInventories(invMigrated, invSchema))).toEqual([]);
    const present = new Set(invMigrated.map(key));
    expect(HAND_WRITTEN.filter((h) => !present.has(key(h))).map(key), 'HAND_WRITTEN entries for missing objects').toEqual([]);
  }, 60_000);

  it('fails when schema.prisma gains a field that no migration adds', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'drift-schema-'));
    try {
      const edited = path.join(dir, 'schema.prisma');
      const original = await readFile(SCHEMA_PATH, 'utf8');
      const withField = original.replace(/(model Tenant \{\n)/, '$1  driftProbe String? @map("drift_probe")\n');
      expect(withField).not.toBe(original);
      await writeFile(edited, withField);
      const sql = await diffToSchema(migrated, edited);
      expect(unexplainedStatements(sql)).toEqual([expect.stringMatching(/^ALTER TABLE "tenants" ADD COLUMN "drift_probe" TEXT$/)]);
      await copyFile(SCHEMA_PATH, edited); // and the unchanged schema passes through the same path
      expect(unexplainedStatements(await diffToSchema(migrated, edited))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('fails on hand-written objects Prisma cannot see that are not in HAND_WRITTEN', async () => {
    const probe = await createScratchDb('drift_probe');
    try {
      await deploy(probe);
      const c = await probe.client();
      await c.query(`CREATE INDEX tenants_lower_name_idx ON tenants (lower(name))`); // expression index
      await c.query(`CREATE FUNCTION drift_probe() RETURNS int LANGUAGE sql AS 'SELECT 1'`);
      expect(unexplainedStatements(await diffToSchema(probe, SCHEMA_PATH))).toEqual([]); // invisible to Prisma's diff …
      const b = await fromSchema.client();
      const diffs = unexplainedObjects(compareInventories(await catalogInventory(c), await catalogInventory(b)));
      expect(diffs.map(key).sort()).toEqual(['function drift_probe()', 'index tenants.tenants_lower_name_idx']); // … not here
    } finally {
      await probe.drop();
    }
  }, 60_000);
});
