// Result rows, the printed table and the results file (bench/results/<date>.json).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { ROOT } from './env.js';

export interface Row {
  scenario: string;
  metric: string;
  ours: number | null;
  baseline: number | null;
  unit: string;
  /** ours / baseline (or as stated in `ratioNote`); null when there is no baseline. */
  ratio: number | null;
  /** Human-readable target, e.g. "ratio ≥ 0.8"; empty when the row only informs. */
  target: string;
  met: boolean | null;
  note?: string;
}

export interface ScenarioResult {
  name: string;
  seconds: number;
  rows: Row[];
  /** What exactly was measured, and with which settings (printed and stored). */
  details: Record<string, unknown>;
  error?: string;
}

export const ratio = (ours: number, baseline: number) => (baseline > 0 ? ours / baseline : null);

export function row(r: Omit<Row, 'ratio' | 'met'> & { ratio?: number | null; check?: (r: Row) => boolean }): Row {
  const base: Row = {
    scenario: r.scenario,
    metric: r.metric,
    ours: r.ours,
    baseline: r.baseline,
    unit: r.unit,
    ratio: r.ratio !== undefined ? r.ratio : r.ours !== null && r.baseline !== null ? ratio(r.ours, r.baseline) : null,
    target: r.target,
    met: null,
    ...(r.note ? { note: r.note } : {}),
  };
  base.met = r.check ? r.check(base) : null;
  return base;
}

const fmt = (n: number | null, unit = '') => {
  if (n === null || !Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  const s = abs >= 1000 ? n.toFixed(0) : abs >= 100 ? n.toFixed(1) : abs >= 1 ? n.toFixed(2) : n.toFixed(3);
  return unit ? `${s} ${unit}` : s;
};

export function printTable(results: ScenarioResult[], out: (s: string) => void): void {
  const header = ['scenario', 'metric', 'ours', 'baseline', 'ratio', 'target', 'met?'];
  const lines: string[][] = [];
  for (const r of results) {
    if (r.error) lines.push([r.name, 'could not run', (r.error.split('\n')[0] ?? '').slice(0, 80), '', '', '', '']);
    for (const x of r.rows) {
      lines.push([
        x.scenario,
        x.metric,
        fmt(x.ours, x.unit),
        fmt(x.baseline, x.unit),
        x.ratio === null ? '—' : x.ratio.toFixed(2),
        x.target || '—',
        x.met === null ? '—' : x.met ? 'yes' : 'TARGET MISSED',
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  out(line(header));
  out(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) out(line(l));
}

/** Versions of what the numbers depend on; call while the bench database (with pgvector) exists. */
export async function collectVersions(databaseUrl: string, redisUrl: string): Promise<Record<string, string>> {
  const v: Record<string, string> = { node: process.version };
  try {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    v.postgres = (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';
    v.pgvector = (await c.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'")).rows[0]?.v ?? '?';
    await c.end();
  } catch {
    v.postgres = 'unknown';
  }
  try {
    const r = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await r.connect();
    v.redis = /redis_version:(\S+)/.exec(await r.info('server'))?.[1] ?? '?';
    await r.quit();
  } catch {
    v.redis = 'unknown';
  }
  try {
    v.commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    v.dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim() ? 'yes' : 'no';
  } catch {
    v.commit = 'unknown';
  }
  for (const pkg of ['bullmq', 'express', 'autocannon', '@aws-sdk/lib-storage']) {
    try {
      const { createRequire } = await import('node:module');
      const req = createRequire(resolve(ROOT, 'package.json'));
      v[pkg] = (req(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      /* not resolvable */
    }
  }
  return v;
}

export async function writeResults(
  results: ScenarioResult[],
  meta: { quick: boolean; suffix: string; versions: Record<string, string>; s3Endpoint: string; startedAt: Date; args: string[] },
): Promise<string> {
  const dir = resolve(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const date = meta.startedAt.toISOString().slice(0, 10);
  const file = resolve(dir, `${date}${meta.suffix}.json`);
  const doc = {
    date: meta.startedAt.toISOString(),
    mode: meta.quick ? 'quick' : 'full',
    args: meta.args,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
      platform: `${process.platform}-${process.arch}`,
    },
    versions: meta.versions,
    services: { s3: meta.s3Endpoint },
    scenarios: results.map((r) => ({ name: r.name, seconds: Math.round(r.seconds * 10) / 10, error: r.error, details: r.details, rows: r.rows })),
  };
  writeFileSync(file, `${JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v), 2)}\n`);
  return file;
}
