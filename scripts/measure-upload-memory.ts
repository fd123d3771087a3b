// Measures how much a large streamed upload through uploadStream grows this process's RSS.
//
//   node --expose-gc --import tsx scripts/measure-upload-memory.ts [--mib 200] [--budget-mib 64] [--queue-size N]
//
// Starts its own s3rver as a separate process (free port, temp dir; its memory is not counted), warms the SDK up
// with a small upload, then streams --mib MiB of random bytes through uploadStream while sampling RSS every 10 ms.
// Prints one JSON line {bytes, rssBaselineMiB, rssPeakMiB, rssGrowthMiB, budgetMiB, sha256Matches, seconds} and
// exits 1 when the growth reaches the budget or the stored object's SHA-256 differs from the source's.
import { spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createS3Client } from '../shared/src/storage/s3-client.js';
import { ensureBucket, getObjectStream, deleteObject } from '../shared/src/storage/objects.js';
import { uploadStream } from '../shared/src/storage/upload-stream.js';

const MiB = 1024 * 1024;
const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '200' },
    'budget-mib': { type: 'string', default: '64' },
    'queue-size': { type: 'string' },
  },
});
const total = Number(values.mib) * MiB;
const budgetMiB = Number(values['budget-mib']);
const queueSize = values['queue-size'] === undefined ? undefined : Number(values['queue-size']);

const freePort = () =>
  new Promise<number>((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });

const answers = (port: number) =>
  new Promise<boolean>((done) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), done(true)));
    s.once('error', () => done(false));
  });

function randomSource(bytes: number) {
  const hash = createHash('sha256');
  let produced = 0;
  const stream = new Readable({
    highWaterMark: 64 * 1024,
    read() {
      if (produced >= bytes) return void this.push(null);
      const chunk = randomFillSync(Buffer.allocUnsafe(Math.min(64 * 1024, bytes - produced)));
      produced += chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, sha256: () => hash.digest('hex') };
}

const gc = (globalThis as { gc?: () => void }).gc;
const dir = await mkdtemp(join(tmpdir(), 's3rver-mem-'));
const port = await freePort();
const endpoint = `http://127.0.0.1:${port}`;
const server = spawn(
  process.execPath,
  ['--import', 'tsx', resolve(ROOT, 'scripts/s3rver.ts'), '--endpoint', endpoint, '--dir', dir],
  { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
);
const client = createS3Client({
  endpoint,
  region: 'us-east-1',
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
  forcePathStyle: true,
});
let exitCode = 1;
try {
  const deadline = Date.now() + 20_000;
  while (!(await answers(port))) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error('s3rver did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const bucket = 'memory-probe';
  await ensureBucket({ client, bucket });
  // Warm-up: load and initialise the SDK code paths (single PUT and multipart) before the baseline.
  for (const size of [1024, 11 * MiB]) {
    const warm = randomSource(size);
    await uploadStream({ client, bucket, key: `warm-${size}`, body: warm.stream, contentType: 'application/octet-stream', maxBytes: 64 * MiB });
    await deleteObject({ client, bucket, key: `warm-${size}` });
  }
  gc?.();
  await new Promise((r) => setTimeout(r, 200));
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  let peakArrayBuffers = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers);
  }, 10);

  const started = Date.now();
  const src = randomSource(total);
  const key = 'big/probe.bin';
  const result = await uploadStream({
    client, bucket, key, body: src.stream, contentType: 'application/octet-stream', maxBytes: 1024 * MiB, expectedSize: total, queueSize,
  });
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  const seconds = (Date.now() - started) / 1000;

  const sourceSha = src.sha256();
  const stored = await getObjectStream({ client, bucket, key });
  const storedHash = createHash('sha256');
  for await (const chunk of stored!.body) storedHash.update(chunk as Buffer);
  const sha256Matches = result.sha256 === sourceSha && storedHash.digest('hex') === sourceSha && result.sizeBytes === total;

  const growthMiB = (peak - baseline) / MiB;
  const report = {
    bytes: total,
    rssBaselineMiB: +(baseline / MiB).toFixed(1),
    rssPeakMiB: +(peak / MiB).toFixed(1),
    rssGrowthMiB: +growthMiB.toFixed(1),
    peakArrayBuffersMiB: +(peakArrayBuffers / MiB).toFixed(1),
    budgetMiB,
    queueSize: queueSize ?? 'default',
    sha256Matches,
    gcExposed: Boolean(gc),
    seconds,
  };
  console.log(JSON.stringify(report));
  exitCode = sha256Matches && growthMiB < budgetMiB ? 0 : 1;
} catch (err) {
  console.error(`[measure-upload-memory] ${err instanceof Error ? err.stack : String(err)}`);
} finally {
  client.destroy();
  if (server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
}
process.exit(exitCode);
