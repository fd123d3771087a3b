// Migration tests: throw-away databases and the `npm run migrate` entry point in a child process (the schema
// engine's WebAssembly loads only under `node --experimental-wasm-modules`, which vitest workers lack).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { poolConfigFromUrl } from '../../shared/src/db/migrate/connection.js';

export const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const MIGRATIONS_DIR = path.join(ROOT, 'prisma/migrations');
export const SCHEMA_PATH = path.join(ROOT, 'prisma/schema.prisma');

// The test database's server (test/test-env.ts); scratch databases live next to it.
const serverUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/course_supporter_test';

export interface ScratchDb {
  name: string;
  url: string;
  /** A connected client (closed by drop()). */
  client(): Promise<pg.Client>;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ ...poolConfigFromUrl(serverUrl), database: 'postgres' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates an empty database with a random name. */
export async function createScratchDb(prefix = 'mig_test'): Promise<ScratchDb> {
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const clients: pg.Client[] = [];
  return {
    name,
    url: u.toString(),
    async client() {
      const c = new pg.Client({ ...poolConfigFromUrl(serverUrl), database: name });
      await c.connect();
      clients.push(c);
      return c;
    },
    async drop() {
      await Promise.allSettled(clients.map((c) => c.end()));
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs scripts/migrate.ts exactly as `npm run migrate` does. */
export function runMigrate(args: string[]): Promise<RunResult> {
  const node = [
    '--experimental-wasm-modules',
    '--no-warnings=ExperimentalWarning',
    '--import',
    'tsx',
    path.join(ROOT, 'scripts/migrate.ts'),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...node, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Migration folder names in a migrations directory, in the order Prisma applies them. */
export async function migrationNames(dir = MIGRATIONS_DIR): Promise<string[]> {
  const { readMigrationsList } = await import('../../shared/src/db/migrate/migrations-dir.js');
  return (await readMigrationsList(dir)).migrationDirectories.map((d) => d.path);
}
