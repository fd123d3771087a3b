// Every test file gets its own database, cloned from the migrated test database (a template copy takes a
// fraction of a second). Jobs, outbox entries and caches of one file are then invisible to the API processes,
// relays and workers of the files running beside it, so each file tests exactly its own system.
import pg from 'pg';
import { afterAll } from 'vitest';

const templateUrl = new URL(process.env.DATABASE_URL as string);
const template = templateUrl.pathname.slice(1);
const clone = `${template}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const adminUrl = new URL(templateUrl);
adminUrl.pathname = '/postgres';

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl.toString() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

for (let attempt = 0; ; attempt++) {
  try {
    await admin((c) => c.query(`CREATE DATABASE "${clone}" TEMPLATE "${template}"`));
    break;
  } catch (err) {
    // Two files cloning at the same instant: "source database is being accessed by other users".
    if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
  }
}
const cloneUrl = new URL(templateUrl);
cloneUrl.pathname = `/${clone}`;
process.env.DATABASE_URL = cloneUrl.toString();
process.env.TEST_TEMPLATE_DATABASE_URL = templateUrl.toString();

afterAll(async () => {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${clone}" WITH (FORCE)`));
});
