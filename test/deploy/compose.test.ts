// docker-compose.yaml and docker-compose.prod.yaml under Debian's docker-compose (no Docker engine needed):
// both pass `docker-compose config -q`; the production model keeps the issue 7 rules (compose-rules.ts).
// The prod file is checked in a temp copy with .env.prod made from .env.prod.example (placeholders only).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { prodViolations, type ComposeModel } from './compose-rules.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const COMPOSE = spawnSync('sh', ['-c', 'command -v docker-compose'], { encoding: 'utf8' }).stdout.trim() || null;
if (!COMPOSE) console.warn('SKIPPED test/deploy/compose.test.ts: docker-compose not found (apt-get install -y docker-compose)');

/** Copies a compose file (and, for prod, a placeholder .env.prod) into a fresh temp dir. */
function workspace(file: string, withEnvProd: boolean): { dir: string; file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cs-compose-'));
  copyFileSync(join(ROOT, file), join(dir, file));
  if (withEnvProd) copyFileSync(join(ROOT, '.env.prod.example'), join(dir, '.env.prod'));
  return { dir, file, done: () => rmSync(dir, { recursive: true, force: true }) };
}

function compose(dir: string, file: string, ...args: string[]) {
  // COMPOSE_* from the caller's shell must not change what is validated
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('COMPOSE_')));
  return spawnSync(COMPOSE!, ['-f', file, ...args], { cwd: dir, encoding: 'utf8', env });
}

function prodModel(): ComposeModel {
  const ws = workspace('docker-compose.prod.yaml', true);
  try {
    const r = compose(ws.dir, ws.file, 'config');
    if (r.status !== 0) throw new Error(r.stderr);
    return parse(r.stdout) as ComposeModel;
  } finally {
    ws.done();
  }
}

const clone = <T>(x: T): T => structuredClone(x);

describe.skipIf(!COMPOSE)('compose files', () => {
  it('docker-compose.yaml passes docker-compose config -q', () => {
    const ws = workspace('docker-compose.yaml', false);
    const r = compose(ws.dir, ws.file, 'config', '-q');
    ws.done();
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.status, r.stderr).toBe(0);
  });

  it('docker-compose.prod.yaml passes docker-compose config -q with a placeholder .env.prod', () => {
    const ws = workspace('docker-compose.prod.yaml', true);
    const r = compose(ws.dir, ws.file, 'config', '-q');
    ws.done();
    expect(r.status, r.stderr).toBe(0);
  });

  it('config -q rejects a broken file (the check can fail)', () => {
    const ws = workspace('docker-compose.prod.yaml', true);
    writeFileSync(join(ws.dir, ws.file), `${readFileSync(join(ws.dir, ws.file), 'utf8')}\n  bogus: [\n`);
    const bad = compose(ws.dir, ws.file, 'config', '-q');
    rmSync(join(ws.dir, '.env.prod'));
    const noEnv = compose(ws.dir, 'docker-compose.prod.yaml', 'config', '-q');
    ws.done();
    expect(bad.status).not.toBe(0);
    expect(noEnv.status).not.toBe(0);
  });

  it('the production model keeps every rule: no ports, shared-net, socket, migrate once, healthchecks', () => {
    const model = prodModel();
    expect(prodViolations(model)).toEqual([]);
  });

  it('each production rule catches a broken copy', () => {
    const model = prodModel();
    const broken: [string, (m: ComposeModel) => void][] = [
      ['ports', (m) => void (m.services.worker!.ports = ['8000:8000'])],
      ['host network', (m) => void (m.services.redis!.network_mode = 'host')],
      ['worker on shared-net', (m) => void (m.services.worker!.networks = { default: null, 'shared-net': null })],
      ['api off shared-net', (m) => void (m.services.api!.networks = { default: null })],
      ['socket in api', (m) => void (m.services.api!.volumes = ['/var/run/docker.sock:/var/run/docker.sock:ro'])],
      ['socket rw', (m) => void (m.services.netdata!.volumes = ['/var/run/docker.sock:/var/run/docker.sock:rw'])],
      ['shared-net internal', (m) => void (m.networks!['shared-net'] = {})],
      ['no api healthcheck', (m) => void delete m.services.api!.healthcheck],
      ['migrate restarts', (m) => void (m.services.migrate!.restart = 'always')],
      ['migrate replicas', (m) => void (m.services.migrate!.deploy = { replicas: 3 })],
      ['worker ignores migrate', (m) => void delete m.services.worker!.depends_on.migrate],
      ['redis evicts', (m) => void (m.services.redis!.command = ['redis-server', '--appendonly', 'yes'])],
      ['pg volume', (m) => void (m.services['postgres-cs']!.volumes = ['other:/var/lib/postgresql/data'])],
    ];
    for (const [what, mutate] of broken) {
      const m = clone(model);
      mutate(m);
      expect(prodViolations(m), what).not.toEqual([]);
    }
  });
});

describe('compose sources', () => {
  const rawProd = parse(readFileSync(join(ROOT, 'docker-compose.prod.yaml'), 'utf8'), { merge: true }) as ComposeModel;
  const rawDev = parse(readFileSync(join(ROOT, 'docker-compose.yaml'), 'utf8'), { merge: true }) as ComposeModel;

  it('prod: no `ports:` key anywhere, app services read .env.prod', () => {
    expect(readFileSync(join(ROOT, 'docker-compose.prod.yaml'), 'utf8')).not.toMatch(/^\s*ports\s*:/m);
    for (const name of ['api', 'worker', 'migrate']) expect(rawProd.services[name]!.env_file, name).toBe('.env.prod');
    expect(prodViolations(rawProd)).toEqual([]);
  });

  it('.env.prod.example lists every variable with placeholders, and .env.prod is git-ignored', () => {
    const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');
    const text = read('.env.prod.example');
    const vars = new Map(
      text.split('\n').filter((l) => /^[A-Z0-9_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const required = [
      'DATABASE_URL', 'REDIS_URL', 'S3_ENDPOINT', 'S3_REGION', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY',
      'S3_FORCE_PATH_STYLE', 'MAX_UPLOAD_BYTES', 'API_WORKERS', 'LOG_LEVEL', 'METRICS_TOKEN', 'BULL_BOARD_ENABLED',
      'BULL_BOARD_USER', 'BULL_BOARD_PASSWORD', 'APP_ENCRYPTION_KEY', 'ALLOW_PRIVATE_TARGETS', 'EMBEDDING_PROVIDER',
      'EMBEDDING_DIMENSIONS', 'OPENAI_BASE_URL', 'OPENAI_API_KEY', 'POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB',
      'TELEGRAM_BOT_TOKEN', 'TELEGRAM_CHAT_ID',
    ];
    for (const name of required) expect(vars.has(name), name).toBe(true);
    // every app variable (.env.example lists them all) has a production line
    for (const line of read('.env.example').split('\n').filter((l) => /^[A-Z0-9_]+=/.test(l))) {
      const name = line.slice(0, line.indexOf('='));
      expect(vars.has(name), `${name} (from .env.example)`).toBe(true);
    }
    for (const secret of ['POSTGRES_PASSWORD', 'S3_SECRET_ACCESS_KEY', 'METRICS_TOKEN', 'APP_ENCRYPTION_KEY',
      'BULL_BOARD_PASSWORD', 'OPENAI_API_KEY', 'TELEGRAM_BOT_TOKEN']) {
      expect(vars.get(secret), secret).toMatch(/CHANGE_ME/);
    }
    expect(vars.get('DATABASE_URL')).toContain(vars.get('POSTGRES_PASSWORD'));
    expect(vars.get('ALLOW_PRIVATE_TARGETS')).toBe('false');
    // Docker env files keep everything after `=`: an inline comment would become part of the value
    for (const [name, value] of vars) expect(value, name).not.toMatch(/\s#/);
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain('.env.prod');
  });

  it('dev: pgvector postgres with a volume, redis noeviction + AOF, MinIO + bucket init, app behind a profile', () => {
    const s = rawDev.services;
    expect(s.postgres!.image).toBe('pgvector/pgvector:pg17');
    expect(s.postgres!.volumes.some((v: string) => v.endsWith(':/var/lib/postgresql/data'))).toBe(true);
    expect(s.redis!.command.join(' ')).toMatch(/--maxmemory-policy noeviction/);
    expect(s.redis!.command.join(' ')).toMatch(/--appendonly yes/);
    expect(s['minio-init']!.entrypoint.join(' ')).toMatch(/mc mb --ignore-existing local\/course-materials/);
    expect(s['minio-init']!.depends_on.minio.condition).toBe('service_healthy');
    for (const name of ['migrate', 'api', 'worker']) expect(s[name]!.profiles, name).toEqual(['app']);
    for (const name of ['postgres', 'redis', 'minio', 'minio-init']) expect(s[name]!.profiles, name).toBeUndefined();
    for (const [name, svc] of Object.entries(s)) {
      for (const p of svc.ports ?? []) expect(p, `${name} binds to localhost only`).toMatch(/^127\.0\.0\.1:/);
    }
  });
});
