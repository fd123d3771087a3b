// Once per test run: bring the test database in step with prisma/migrations, make sure the test bucket exists,
// and that the local-wordvec-* word vectors are converted (so no test waits on a first-use conversion).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { catalogInventory, compareInventories } from '../shared/src/db/migrate/catalog-inventory.js';
import { poolConfigFromUrl } from '../shared/src/db/migrate/connection.js';
import { testEnv } from './test-env.js';

const MIGRATE = ['--experimental-wasm-modules', '--no-warnings=ExperimentalWarning', '--import', 'tsx', 'scripts/migrate.ts'];

function migrate(databaseUrl: string, ...args: string[]): void {
  execFileSync(process.execPath, [...MIGRATE, ...args], {
    env: { ...process.env, ...testEnv, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function withClient<T>(url: string, database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ ...poolConfigFromUrl(url), database });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * Why the test database is not what the migrations build on an empty one, or null when it is. A database
 * kept from earlier runs can differ although every migration is recorded as applied: a migration edited
 * after it ran here, or two branches' migrations applied in the other order (the partitioning migration
 * rebuilds material_chunks, so a later-dated migration applied before it lost its triggers on that table).
 * The reference is a scratch database migrated from empty (~2 s).
 */
async function differenceFromFresh(url: string): Promise<string | null> {
  try {
    migrate(url, 'status');
  } catch (err) {
    return `migrate status: ${String((err as { stdout?: Buffer }).stdout ?? err)}`;
  }
  const scratch = `cs_fresh_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await withClient(url, 'postgres', (c) => c.query(`CREATE DATABASE "${scratch}"`));
  try {
    const scratchUrl = new URL(url);
    scratchUrl.pathname = `/${scratch}`;
    migrate(scratchUrl.toString());
    const fresh = await withClient(url, scratch, catalogInventory);
    const here = await withClient(url, new URL(url).pathname.slice(1), catalogInventory);
    const diff = compareInventories(here, fresh);
    if (diff.length === 0) return null;
    return diff.slice(0, 10).map((d) => `${d.kind} ${d.name}: ${d.change === 'only in schema.prisma' ? 'missing' : d.change === 'only in migrated database' ? 'extra' : 'differs'}`).join('\n');
  } finally {
    await withClient(url, 'postgres', (c) => c.query(`DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE)`));
  }
}

export default async function setup(): Promise<void> {
  const url = testEnv.DATABASE_URL as string;
  migrate(url);
  const why = await differenceFromFresh(url);
  if (why) {
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    // Only a database named as a test database is ever dropped here.
    if (!/test/i.test(name)) throw new Error(`the test database ${name} is not in step with prisma/migrations; recreate it:\n${why}`);
    console.warn(`[test] recreating ${name}: it is not what prisma/migrations build on an empty database\n${why}`);
    await withClient(url, 'postgres', async (c) => {
      await c.query(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    });
    migrate(url);
    const still = await differenceFromFresh(url);
    if (still) throw new Error(`the recreated test database ${name} still differs from a fresh migration:\n${still}`);
  }
  const env = { ...process.env, ...testEnv };
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/ensure-s3.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/prepare-word-vectors.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}
