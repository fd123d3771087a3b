// deploy/netdata and deploy/metrics.json: the scrape and alarm configs name only metrics from metrics.json, use
// the chart contexts the go.d prometheus collector creates (prometheus.<app>.<metric>), carry the required alarms,
// and the container entrypoint renders secrets into them (run here with a throwaway target dir).
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ND = join(ROOT, 'deploy/netdata');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

interface MetricDef {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  labels: string[];
}
const metrics = (JSON.parse(read('deploy/metrics.json')) as { metrics: MetricDef[] }).metrics;
const names = new Set(metrics.map((m) => m.name));

/** Netdata health config → one record per `template:`/`alarm:` block (key → value). */
function healthEntries(text: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  let cur: Record<string, string> | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    const key = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (key === 'template' || key === 'alarm') out.push((cur = { kind: key, name: value }));
    else if (cur) cur[key] = value;
  }
  return out;
}

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));

describe('deploy/metrics.json', () => {
  it('lists exactly the metric families of the ops issue, with valid names, types and labels', () => {
    expect([...names].sort()).toEqual([
      'cs_http_request_duration_seconds', 'cs_ingest_stage_seconds', 'cs_job_duration_seconds', 'cs_job_failures_total', 'cs_jobs_total', 'cs_outbox_backlog',
      'cs_provider_calls_total', 'cs_provider_cost_usd_total', 'cs_queue_jobs', 'cs_queue_oldest_waiting_seconds',
      'cs_rate_limit_rejections_total', 'cs_worker_heartbeat_age_seconds',
    ]);
    expect(names.size).toBe(metrics.length);
    for (const m of metrics) {
      expect(m.name).toMatch(/^cs_[a-z0-9_]+$/);
      expect(['counter', 'gauge', 'histogram', 'summary']).toContain(m.type);
      expect(m.name.endsWith('_total'), m.name).toBe(m.type === 'counter');
      for (const l of m.labels) expect(l).toMatch(/^[a-z_][a-z0-9_]*$/);
    }
    const byName = new Map(metrics.map((m) => [m.name, m]));
    expect(byName.get('cs_http_request_duration_seconds')).toMatchObject({ type: 'histogram', labels: ['method', 'route', 'status'] });
    expect(byName.get('cs_queue_jobs')).toMatchObject({ type: 'gauge', labels: ['queue', 'state'] });
  });
});

describe('deploy/netdata', () => {
  const prom = parse(readFileSync(join(ND, 'go.d/prometheus.conf'), 'utf8')) as {
    jobs: { name: string; app: string; url: string; headers: Record<string, string>; selector: { allow: string[] } }[];
  };
  const health = healthEntries(readFileSync(join(ND, 'health.d/course-supporter.conf'), 'utf8'));

  it('scrapes api:8000/metrics and worker:9464/metrics with the token placeholder, selecting only listed metrics', () => {
    expect(prom.jobs.map((j) => j.url).sort()).toEqual([
      'http://course-supporter-api:8000/metrics',
      'http://course-supporter-worker:9464/metrics',
    ]);
    for (const job of prom.jobs) {
      expect(job.app).toBe('course_supporter');
      expect(job.headers.Authorization).toBe('Bearer __METRICS_TOKEN__');
      for (const pattern of job.selector.allow) {
        const name = pattern.replace(/\*$/, '');
        expect(names.has(name), pattern).toBe(true);
        // a trailing * only where the family has _bucket/_sum/_count series
        if (pattern.endsWith('*')) expect(['histogram', 'summary']).toContain(metrics.find((m) => m.name === name)!.type);
      }
    }
    expect(new Set(prom.jobs.flatMap((j) => j.selector.allow.map((p) => p.replace(/\*$/, ''))))).toEqual(names);
  });

  it('re-checks every job whose first check failed (go.d drops it for good when autodetection_retry is 0)', () => {
    for (const file of ['go.d/prometheus.conf', 'go.d/httpcheck.conf']) {
      const conf = parse(readFileSync(join(ND, file), 'utf8')) as { autodetection_retry?: number; jobs: { autodetection_retry?: number }[] };
      expect(conf.autodetection_retry, file).toBeGreaterThan(0);
      expect(conf.autodetection_retry, file).toBeLessThanOrEqual(60);
      for (const job of conf.jobs) expect(job.autodetection_retry ?? conf.autodetection_retry, file).toBeGreaterThan(0);
    }
  });

  it('checks /health over the internal network expecting 200', () => {
    const hc = parse(readFileSync(join(ND, 'go.d/httpcheck.conf'), 'utf8')) as { jobs: { url: string; status_accepted: number[] }[] };
    expect(hc.jobs).toHaveLength(1);
    expect(hc.jobs[0]!.url).toBe('http://course-supporter-api:8000/health');
    expect(hc.jobs[0]!.status_accepted).toEqual([200]);
    const alarm = health.find((h) => h.on === 'httpcheck.status')!;
    expect(alarm['chart labels']).toBe(`url=${hc.jobs[0]!.url}`);
  });

  it('alarms reference only listed metrics through the collector’s context names', () => {
    const contexts = health.map((h) => h.on ?? '');
    for (const ctx of contexts.filter((c) => c.startsWith('prometheus.'))) {
      const m = /^prometheus\.([a-z_]+)\.([a-z0-9_]+)$/.exec(ctx);
      expect(m, ctx).not.toBeNull();
      expect(m![1]).toBe(prom.jobs[0]!.app);
      expect(names.has(m![2]!), ctx).toBe(true);
    }
    // nothing anywhere under deploy/netdata names a cs_ metric that metrics.json does not list
    for (const f of files(ND)) {
      for (const [, metric] of readFileSync(f, 'utf8').matchAll(/prometheus\.course_supporter\.([a-z0-9_]+)/g)) {
        expect(names.has(metric!), `${f}: ${metric}`).toBe(true);
      }
    }
  });

  it('has the required alarms with sane fields', () => {
    const byName = new Map(health.map((h) => [h.name, h]));
    expect(byName.size).toBe(health.length);
    for (const h of health) {
      expect(h.name, h.name).toMatch(/^cs_[a-z0-9_]+$/);
      for (const k of ['on', 'every', 'units', 'info', 'to']) expect(h[k], `${h.name}.${k}`).toBeTruthy();
      expect(h.warn ?? h.crit, `${h.name} thresholds`).toBeTruthy();
      expect(h.lookup ?? h.calc, `${h.name} value`).toBeTruthy();
    }
    const q = byName.get('cs_queue_waiting_high')!;
    expect(q).toMatchObject({ on: 'prometheus.course_supporter.cs_queue_jobs', 'chart labels': 'state=waiting' });
    expect(q.lookup).toMatch(/^min -5m/);
    expect(byName.get('cs_queue_oldest_waiting')).toMatchObject({
      on: 'prometheus.course_supporter.cs_queue_oldest_waiting_seconds',
      warn: '$this > 600',
    });
    expect(byName.get('cs_job_failures')!.on).toBe('prometheus.course_supporter.cs_job_failures_total');
    expect(byName.get('cs_health_not_ok')!.lookup).toMatch(/percentage of success/);
    expect(byName.get('cs_disk_space_usage')).toMatchObject({ on: 'disk.space', warn: '$this > 80', crit: '$this > 90' });
    expect(byName.get('cs_ram_in_use')).toMatchObject({ on: 'system.ram', warn: '$this > 85', crit: '$this > 95' });
  });

  describe('entrypoint.sh', () => {
    const dirs: string[] = [];
    afterEach(() => {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    });
    function run(env: Record<string, string>) {
      const dst = mkdtempSync(join(tmpdir(), 'cs-netdata-'));
      dirs.push(dst);
      const r = spawnSync('sh', [join(ND, 'entrypoint.sh'), 'arg1'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', CS_NETDATA_SRC: ND, CS_NETDATA_DST: dst, CS_NETDATA_EXEC: 'echo', ...env },
      });
      const file = (p: string) => readFileSync(join(dst, p), 'utf8');
      return { r, dst, file };
    }

    it('renders the token and Telegram settings, then execs the image entrypoint with its arguments', () => {
      const token = 'tok|en&with\\odd/chars';
      const x = run({ METRICS_TOKEN: token, TELEGRAM_BOT_TOKEN: '123:abc-DEF', TELEGRAM_CHAT_ID: '-100200' });
      expect(x.r.status, x.r.stderr).toBe(0);
      expect(x.r.stdout.trim()).toBe('arg1');
      const rendered = parse(x.file('go.d/prometheus.conf')) as typeof prom;
      for (const job of rendered.jobs) expect(job.headers.Authorization).toBe(`Bearer ${token}`);
      expect(x.file('go.d/prometheus.conf')).not.toContain('__METRICS_TOKEN__');
      expect(x.file('health.d/course-supporter.conf')).toBe(readFileSync(join(ND, 'health.d/course-supporter.conf'), 'utf8'));
      const notify = x.file('health_alarm_notify.conf');
      expect(notify).toContain('TELEGRAM_BOT_TOKEN="123:abc-DEF"');
      expect(notify).toContain('DEFAULT_RECIPIENT_TELEGRAM="-100200"');
      expect(notify).toMatch(/^SEND_TELEGRAM="YES"$/m);
      expect(notify).not.toMatch(/^SEND_TELEGRAM="NO"/m);
      expect(statSync(join(x.dst, 'go.d/prometheus.conf')).mode & 0o002).toBe(0);
    });

    it('turns Telegram off while the placeholders are unset, and refuses to start without METRICS_TOKEN', () => {
      const x = run({ METRICS_TOKEN: 'abc', TELEGRAM_BOT_TOKEN: 'CHANGE_ME_telegram_bot_token', TELEGRAM_CHAT_ID: '1' });
      expect(x.r.status).toBe(0);
      expect(x.file('health_alarm_notify.conf').trimEnd().endsWith('SEND_TELEGRAM="NO"')).toBe(true);
      const y = run({});
      expect(y.r.status).not.toBe(0);
      expect(y.r.stderr).toMatch(/METRICS_TOKEN/);
      expect(y.r.stdout).toBe('');
    });
  });
});
