// Makes sure the S3 endpoint answers and the bucket exists (run by scripts/services.sh and test/global-setup.ts).
//
//   node --import tsx scripts/ensure-s3.ts
//
// Entry script: it reads only the S3 settings, as the app reads them (shared/src/config's loadConfigPart: the
// environment, then .env, then defaults), because it runs before the rest of the configuration is complete.
// Defaults are the app's (S3_BUCKET course-materials, S3_REGION us-east-1, path style), and for what the app
// has no default the local s3rver's: S3_ENDPOINT http://127.0.0.1:4568, S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY
// S3RVER / S3RVER.
// - Endpoint on localhost/127.0.0.1/::1 and nothing answering: start scripts/s3rver.ts detached (log in
//   var/log/s3rver.log, pid in var/s3rver.pid, data in var/s3rver/) and wait for it; then create the bucket if
//   missing.
// - Any other endpoint: only HeadBucket; a missing bucket there is an error (create it with the provider's tools).
// Idempotent. Prints what it did; exits non-zero with a message naming the problem otherwise.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { ConfigError, loadConfigPart } from '../shared/src/config/index.js';
import { createS3Client } from '../shared/src/storage/s3-client.js';
import { ensureBucket, headBucket, isNotFound } from '../shared/src/storage/objects.js';

const ROOT = resolve(import.meta.dirname, '..');
const START_TIMEOUT_MS = 20_000;

const say = (msg: string) => console.log(`[s3] ${msg}`);
function die(msg: string): never {
  console.error(`[s3] ERROR: ${msg}`);
  process.exit(1);
}

let settings;
try {
  settings = loadConfigPart(
    ['S3_ENDPOINT', 'S3_BUCKET', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_FORCE_PATH_STYLE'],
    { S3_ENDPOINT: 'http://127.0.0.1:4568', S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' },
  );
} catch (err) {
  if (err instanceof ConfigError) die(err.message);
  throw err;
}
const endpoint = settings.S3_ENDPOINT ?? 'http://127.0.0.1:4568';
const { S3_BUCKET: bucket, S3_REGION: region, S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = settings;
const forcePathStyle = settings.S3_FORCE_PATH_STYLE;

let url: URL;
try {
  url = new URL(endpoint);
} catch {
  die(`S3_ENDPOINT is not a URL: ${endpoint}`);
}
const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
const isLocal = ['localhost', '127.0.0.1', '::1'].includes(host);

function portAnswers(): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** Whether pid is a scripts/s3rver.ts started for this very endpoint (Linux /proc; false when unknown). */
function servesThisEndpoint(pid: number): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.some((a) => a.endsWith('scripts/s3rver.ts')) && args.includes(endpoint);
  } catch {
    return false;
  }
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function startLocalS3rver(): Promise<void> {
  if (url.protocol !== 'http:') die(`nothing answers at ${endpoint}, and a local s3rver can only serve http://`);
  const logDir = resolve(ROOT, 'var/log');
  mkdirSync(logDir, { recursive: true });
  const logPath = resolve(logDir, 's3rver.log');
  const pidPath = resolve(ROOT, 'var/s3rver.pid');
  const earlier = Number(existsSync(pidPath) ? readFileSync(pidPath, 'utf8').trim() : NaN);
  if (Number.isInteger(earlier) && earlier > 0 && pidAlive(earlier) && servesThisEndpoint(earlier)) {
    say(`s3rver (pid ${earlier}, from var/s3rver.pid) is running but not answering yet: waiting for it`);
    if (await waitForPort(earlier)) return;
    die(`s3rver pid ${earlier} does not answer on ${endpoint}; stop it (kill ${earlier}) or free the port`);
  }
  const log = openSync(logPath, 'a');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(ROOT, 'scripts/s3rver.ts'), '--endpoint', endpoint, '--dir', resolve(ROOT, 'var/s3rver')],
    { cwd: ROOT, detached: true, stdio: ['ignore', log, log], env: process.env },
  );
  closeSync(log);
  if (!child.pid) die(`could not start scripts/s3rver.ts (see ${logPath})`);
  writeFileSync(pidPath, `${child.pid}\n`);
  child.unref();
  say(`started s3rver on ${endpoint} (pid ${child.pid}, log var/log/s3rver.log, data var/s3rver/)`);

  if (await waitForPort(child.pid)) return;
  if (!pidAlive(child.pid)) {
    const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-5).join('\n');
    die(`s3rver exited right after starting; last lines of var/log/s3rver.log:\n${tail}`);
  }
  die(`s3rver did not answer on ${endpoint} within ${START_TIMEOUT_MS / 1000} s (see var/log/s3rver.log)`);
}

/** Waits until the endpoint's port accepts connections; false when pid dies first or time runs out. */
async function waitForPort(pid: number): Promise<boolean> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await portAnswers()) return true;
    if (!pidAlive(pid)) return portAnswers();
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (status === 401 || status === 403) {
    const hint = isLocal ? ' (a local s3rver accepts only S3RVER / S3RVER)' : '';
    return `access denied (HTTP ${status}): check S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY${hint}`;
  }
  const message = (e.message ?? '').split('\n')[0];
  const base = `${e.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}${message && message !== e.name ? `: ${message}` : ''}`;
  return /XML|Deserialization|parse/i.test(e.message ?? '') ? `${base} — is S3_ENDPOINT really an S3 endpoint?` : base;
}

if (!(await portAnswers())) {
  if (!isLocal) die(`S3 endpoint ${endpoint} does not answer (connection to ${host}:${port} failed)`);
  await startLocalS3rver();
} else {
  say(`endpoint ${endpoint} answers`);
}

const client = createS3Client({
  endpoint,
  region,
  accessKeyId,
  secretAccessKey,
  forcePathStyle,
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 10_000,
  maxAttempts: 2,
});
try {
  if (isLocal) {
    const result = await ensureBucket({ client, bucket });
    say(result === 'created' ? `created bucket ${bucket}` : `bucket ${bucket} exists`);
  } else {
    try {
      await headBucket({ client, bucket });
      say(`bucket ${bucket} exists at ${endpoint}`);
    } catch (err) {
      if (isNotFound(err)) die(`bucket ${bucket} does not exist at ${endpoint}; create it with the provider's tools`);
      throw err;
    }
  }
} catch (err) {
  die(`S3 at ${endpoint}, bucket ${bucket}: ${describe(err)}`);
} finally {
  client.destroy();
}
