// Runs Debian's nginx with deploy/nginx/course-supporter.conf in front of local upstreams, as an unprivileged-
// friendly process in a temp prefix (own pid file, logs, temp dirs, high ports, self-signed certificate).
// The site file is used as written except for what only exists on the VPS: the Docker upstream names become
// 127.0.0.1:<port>, the listen ports become free high ports, and the certificate, htpasswd and certbot webroot
// paths point into the temp dir. Every substitution must hit, so a renamed directive fails loudly here.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { freePort, waitFor } from '../support/processes.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SITE_CONF = join(ROOT, 'deploy/nginx/course-supporter.conf');
export const SERVER_NAME = 'api.pythoncourse.me';

/** Path of the nginx binary, or null when it is not installed (apt-get install nginx). */
export function nginxBinary(): string | null {
  for (const p of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

export interface NginxOptions {
  /** Port of the API upstream on 127.0.0.1 (stands in for course-supporter-api:8000). */
  apiPort: number;
  /** Port of the Netdata upstream on 127.0.0.1 (course-supporter-netdata:19999); default: a closed port. */
  netdataPort?: number;
  /** Basic-auth credentials written to the htpasswd file for /netdata/. */
  netdataUser?: string;
  netdataPassword?: string;
}

export interface PreparedNginx {
  dir: string;
  mainConf: string;
  siteConf: string;
  errorLog: string;
  accessLog: string;
  webroot: string;
  httpPort: number;
  httpsPort: number;
  /** PEM of the self-signed certificate (trust it to verify TLS). */
  certPem: string;
  netdataUser: string;
  netdataPassword: string;
}

/** The site file with the VPS-only names replaced; throws when an expected directive is missing. */
export function renderSite(p: {
  apiPort: number;
  netdataPort: number;
  httpPort: number;
  httpsPort: number;
  tlsDir: string;
  htpasswd: string;
  webroot: string;
}): string {
  let text = readFileSync(SITE_CONF, 'utf8');
  const swaps: [string | RegExp, string][] = [
    ['http://course-supporter-api:8000', `http://127.0.0.1:${p.apiPort}`],
    ['http://course-supporter-netdata:19999', `http://127.0.0.1:${p.netdataPort}`],
    [/^(\s*)listen 80;/m, `$1listen 127.0.0.1:${p.httpPort};`],
    [/^(\s*)listen 443 ssl http2;/m, `$1listen 127.0.0.1:${p.httpsPort} ssl http2;`],
    [/\/etc\/letsencrypt\/live\/api\.pythoncourse\.me/g, p.tlsDir],
    ['/etc/nginx/htpasswd/course-supporter-netdata.htpasswd', p.htpasswd],
    ['root /var/www/certbot;', `root ${p.webroot};`],
  ];
  for (const [from, to] of swaps) {
    const next = typeof from === 'string' ? text.split(from).join(to) : text.replace(from, to);
    if (next === text) throw new Error(`nginx harness: "${String(from)}" not found in ${SITE_CONF}`);
    text = next;
  }
  return text;
}

function selfSignedCert(dir: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-days', '2',
      '-subj', `/CN=${SERVER_NAME}`, '-addext', `subjectAltName=DNS:${SERVER_NAME},IP:127.0.0.1`,
      '-keyout', join(dir, 'privkey.pem'), '-out', join(dir, 'fullchain.pem'),
    ],
    { stdio: 'ignore' },
  );
  writeFileSync(join(dir, 'chain.pem'), readFileSync(join(dir, 'fullchain.pem')));
}

/** Writes a complete nginx prefix (main config including the rendered site) into a new temp dir. */
export async function prepareNginx(opts: NginxOptions): Promise<PreparedNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'cs-nginx-'));
  chmodSync(dir, 0o755); // workers may run as an unprivileged user when the test runs as root
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const netdataPort = opts.netdataPort ?? (await freePort());
  const netdataUser = opts.netdataUser ?? 'ops';
  const netdataPassword = opts.netdataPassword ?? 'ops-test-password';

  const tlsDir = join(dir, 'tls');
  selfSignedCert(tlsDir);
  const webroot = join(dir, 'certbot');
  mkdirSync(join(webroot, '.well-known/acme-challenge'), { recursive: true });
  const htpasswd = join(dir, 'netdata.htpasswd');
  const hash = execFileSync('openssl', ['passwd', '-apr1', netdataPassword], { encoding: 'utf8' }).trim();
  writeFileSync(htpasswd, `${netdataUser}:${hash}\n`, { mode: 0o644 });
  for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    mkdirSync(join(dir, 'tmp', t), { recursive: true });
    chmodSync(join(dir, 'tmp', t), 0o777);
  }

  const siteConf = join(dir, 'course-supporter.conf');
  writeFileSync(siteConf, renderSite({ apiPort: opts.apiPort, netdataPort, httpPort, httpsPort, tlsDir, htpasswd, webroot }));

  const errorLog = join(dir, 'error.log');
  const accessLog = join(dir, 'access.log');
  const asRoot = process.getuid?.() === 0;
  const mainConf = join(dir, 'nginx.conf');
  writeFileSync(
    mainConf,
    [
      asRoot ? `user nobody ${execFileSync('id', ['-gn', 'nobody'], { encoding: 'utf8' }).trim()};` : '',
      'worker_processes 1;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${errorLog} info;`,
      'events { worker_connections 256; }',
      'http {',
      '  default_type application/octet-stream;',
      `  access_log ${accessLog};`,
      `  client_body_temp_path ${join(dir, 'tmp/client_body')};`,
      `  proxy_temp_path ${join(dir, 'tmp/proxy')};`,
      `  fastcgi_temp_path ${join(dir, 'tmp/fastcgi')};`,
      `  uwsgi_temp_path ${join(dir, 'tmp/uwsgi')};`,
      `  scgi_temp_path ${join(dir, 'tmp/scgi')};`,
      `  include ${siteConf};`,
      '}',
      '',
    ].join('\n'),
  );
  return {
    dir, mainConf, siteConf, errorLog, accessLog, webroot, httpPort, httpsPort,
    certPem: readFileSync(join(tlsDir, 'fullchain.pem'), 'utf8'), netdataUser, netdataPassword,
  };
}

function nginxArgs(p: PreparedNginx): string[] {
  return ['-p', p.dir, '-c', p.mainConf, '-e', p.errorLog];
}

/** `nginx -t` on a prepared prefix: { ok, output }. */
export function testNginxConfig(p: PreparedNginx): { ok: boolean; output: string } {
  const bin = nginxBinary();
  if (!bin) throw new Error('nginx is not installed');
  const r = spawnSync(bin, ['-t', ...nginxArgs(p)], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

export interface RunningNginx extends PreparedNginx {
  /** https://127.0.0.1:<port> — the TLS server of the site. */
  httpsUrl: string;
  /** http://127.0.0.1:<port> — the port-80 server (certbot webroot + redirect). */
  httpUrl: string;
  /** undici dispatcher that trusts the self-signed certificate: undici's request/fetch(url, { dispatcher }). */
  dispatcher: Agent;
  stop(): Promise<void>;
}

/** Starts nginx (foreground child process, own prefix) in front of 127.0.0.1:<apiPort>. */
export async function startNginx(opts: NginxOptions): Promise<RunningNginx> {
  const bin = nginxBinary();
  if (!bin) throw new Error('nginx is not installed');
  const p = await prepareNginx(opts);
  const check = testNginxConfig(p);
  if (!check.ok) throw new Error(`nginx -t failed:\n${check.output}`);

  const child: ChildProcess = spawn(bin, [...nginxArgs(p), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const dispatcher = new Agent({ connect: { ca: p.certPem, servername: SERVER_NAME } });

  const { connect } = await import('node:net');
  const open = (port: number) =>
    new Promise<boolean>((res) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), res(true)));
      s.once('error', () => res(false));
    });
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
      return (await open(p.httpsPort)) && (await open(p.httpPort));
    }, 10_000, 'nginx to listen');
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}\n${readLog(p.errorLog)}`, { cause: err });
  }

  let stopped = false;
  return {
    ...p,
    httpsUrl: `https://127.0.0.1:${p.httpsPort}`,
    httpUrl: `http://127.0.0.1:${p.httpPort}`,
    dispatcher,
    async stop() {
      if (stopped) return;
      stopped = true;
      await dispatcher.close().catch(() => undefined);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM'); // nginx: fast shutdown of the master and its workers
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(p.dir, { recursive: true, force: true });
    },
  };
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-4000);
  } catch {
    return '';
  }
}
