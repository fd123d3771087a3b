// Benchmarks (issue 8): each scenario runs beside its baseline in the same run on this machine, prints
// ours / baseline / ratio against the target, and never fails on a timing (exit 0 even when a target is missed;
// non-zero only when a scenario could not run at all).
//
//   npm run bench                       every scenario (≈ 10–15 min on 2 cores)
//   npm run bench -- upload search      some of them
//   npm run bench -- --quick            smaller sizes, a smoke run (< 2 min)
//   npm run bench -- --large            also the growth curves' largest points (search: 1M chunks; upload: 4 GiB; long, not for CI)
//   npm run bench -- --keep             keep the bench database / bucket / Redis keys afterwards (debugging)
//
// It uses the local services (`npm run services`): its own database course_supporter_bench (created and
// migrated at the start, dropped at the end), bucket course-materials-bench and BullMQ prefix bench-<random>.
// Results: bench/results/<date>.json (full run of every scenario), <date>-quick.json, <date>-<names>.json.
import { parseArgs } from 'node:util';
import { createPrisma } from '../shared/src/db/client.js';
import {
  benchEnv,
  createBenchBucket,
  createBenchDatabase,
  dropBenchBucket,
  dropBenchDatabase,
  dropRedisPrefix,
  ensureServices,
} from './lib/env.js';
import { collectVersions, printTable, writeResults, type ScenarioResult } from './lib/report.js';
import type { BenchContext, Scenario } from './lib/context.js';
import { upload } from './scenarios/upload.js';
import { readPath } from './scenarios/read-path.js';
import { rateLimit } from './scenarios/rate-limit.js';
import { queue } from './scenarios/queue.js';
import { ingestion } from './scenarios/ingestion.js';
import { search } from './scenarios/search.js';
import { corpus } from './scenarios/corpus.js';
import { sse } from './scenarios/sse.js';
import { quality } from './scenarios/quality.js';

const SCENARIOS: Scenario[] = [upload, readPath, queue, rateLimit, sse, ingestion, search, corpus, quality];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { quick: { type: 'boolean', default: false }, large: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
});

const log = (s: string) => process.stdout.write(`${s}\n`);
if (values.help) {
  log('usage: npm run bench -- [--quick] [--large] [--keep] [scenario …]');
  for (const s of SCENARIOS) log(`  ${s.name.padEnd(12)} ${s.summary}`);
  process.exit(0);
}
const unknown = positionals.filter((p) => !SCENARIOS.some((s) => s.name === p));
if (unknown.length) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const chosen = positionals.length ? SCENARIOS.filter((s) => positionals.includes(s.name)) : SCENARIOS;
const quick = values.quick ?? false;
const env = benchEnv();
const startedAt = new Date();

log(`bench: ${chosen.map((s) => s.name).join(', ')}${quick ? ' (quick)' : ''} · db ${new URL(env.databaseUrl).pathname.slice(1)} · bucket ${env.bucket} · prefix ${env.prefix}`);
await ensureServices(env, log);
await createBenchDatabase(env);
await createBenchBucket(env);
const versions = await collectVersions(env.databaseUrl, env.redisUrl);
const prisma = createPrisma(env.databaseUrl, { poolMax: 20 });
const ctx: BenchContext = { env, quick, large: values.large ?? false, prisma, log };

const results: ScenarioResult[] = [];
let crashed = false;
try {
  for (const s of chosen) {
    log(`\n▶ ${s.name}: ${s.summary}`);
    const t = performance.now();
    try {
      const r = await s.run(ctx);
      results.push({ name: s.name, seconds: (performance.now() - t) / 1000, ...r });
    } catch (err) {
      crashed = true;
      // Prisma errors span many lines (a code frame); keep the last line, which says what happened.
      const full = err instanceof Error ? err.message : String(err);
      const message = full.trim().split('\n').filter((l) => l.trim()).pop() ?? full;
      log(`  ✗ ${s.name} could not run: ${message}`);
      results.push({ name: s.name, seconds: (performance.now() - t) / 1000, rows: [], details: {}, error: message });
    }
    log(`  (${((performance.now() - t) / 1000).toFixed(0)} s)`);
  }
} finally {
  await prisma.$disconnect();
  if (!values.keep) {
    await dropRedisPrefix(env.redisUrl, env.prefix).catch((e: unknown) => log(`cleanup: redis: ${String(e)}`));
    await dropBenchBucket(env).catch((e: unknown) => log(`cleanup: bucket: ${String(e)}`));
    await dropBenchDatabase().catch((e: unknown) => log(`cleanup: database: ${String(e)}`));
  }
}

log('');
printTable(results, log);
for (const r of results) {
  if (r.details.measured) log(`\n${r.name}: ${String(r.details.measured)}`);
}
const suffix = `${quick ? '-quick' : ''}${values.large ? '-large' : ''}${positionals.length ? `-${chosen.map((s) => s.name).join('-')}` : ''}`;
const missed = results.flatMap((r) => r.rows.filter((x) => x.met === false).map((x) => `${x.scenario}: ${x.metric}`));
const failed = results.filter((r) => r.error).map((r) => r.name);
if (missed.length) log(`\ntarget missed: ${missed.join('; ')}`);
if (failed.length) log(`could not run: ${failed.join(', ')}`);
if (!missed.length && !failed.length) log('\nall targets met');
const file = await writeResults(results, { quick, suffix, versions, s3Endpoint: env.s3Endpoint, startedAt, args: process.argv.slice(2) });
log(`results: ${file}`);
process.exit(crashed ? 1 : 0);
