// The local S3 endpoint: s3rver in the foreground, data under the project's gitignored var/s3rver/.
//
//   node --import tsx scripts/s3rver.ts [--endpoint http://127.0.0.1:4568] [--dir var/s3rver] [--bucket NAME]...
//                                       [--verbose]
//
// The endpoint comes from --endpoint, else S3_ENDPOINT, else http://127.0.0.1:4568 (this is an entry script, so
// reading process.env here is allowed). Credentials are s3rver's own: S3RVER / S3RVER. SIGTERM/SIGINT stop it
// gracefully (in-flight requests get a few seconds). scripts/ensure-s3.ts starts it detached when needed.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalS3 } from './lib/s3rver-server.js';

const DEFAULT_ENDPOINT = 'http://127.0.0.1:4568';
const ROOT = resolve(import.meta.dirname, '..');

function fail(message: string): never {
  console.error(`[s3rver] ERROR: ${message}`);
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    endpoint: { type: 'string' },
    dir: { type: 'string' },
    bucket: { type: 'string', multiple: true },
    verbose: { type: 'boolean', default: false },
  },
  strict: true,
});

const endpoint = values.endpoint ?? process.env.S3_ENDPOINT ?? DEFAULT_ENDPOINT;
let url: URL;
try {
  url = new URL(endpoint);
} catch {
  fail(`invalid endpoint URL: ${endpoint}`);
}
if (url.protocol !== 'http:') fail(`only http:// endpoints can be served locally, got ${endpoint}`);
const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
const port = url.port ? Number(url.port) : 80;
const directory = resolve(ROOT, values.dir ?? 'var/s3rver');

const server = await startLocalS3({
  host,
  port,
  directory,
  buckets: values.bucket ?? [],
  verbose: values.verbose,
}).catch((err: NodeJS.ErrnoException) => {
  if (err.code === 'EADDRINUSE') fail(`${host}:${port} is already in use`);
  fail(`could not start s3rver on ${host}:${port}: ${err.message}`);
});

console.log(`[s3rver] listening on ${server.url} (pid ${process.pid}, data in ${directory})`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`[s3rver] ${signal}: shutting down`);
  server.close(5_000).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
