// upload: a large generated text file through POST /nodes/{id}/materials (a real API process, one process,
// MAX_UPLOAD_BYTES raised) vs a direct @aws-sdk/lib-storage upload of the same bytes to the same S3 endpoint from
// the bench process. Throughput ratio and the API process's RSS growth (/proc/<pid>/status VmRSS, sampled every
// 50 ms, measured from its value after a small warm-up upload through the same route).
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Upload } from '@aws-sdk/lib-storage';
import { deleteObject } from '../../shared/src/storage/objects.js';
import { benchS3 } from '../lib/env.js';
import { apiOk, benchTenant, dropTenants, scenarioEnv, type Scenario } from '../lib/context.js';
import { rssOf, sampleRss, timed } from '../lib/measure.js';
import { startApiProcess } from '../lib/procs.js';
import { row } from '../lib/report.js';

const MiB = 1024 * 1024;
const BLOCK = 64 * 1024;

/** One MiB of printable text from a fixed seed; the file is this MiB repeated with the block index stamped in. */
function textBlock(): Buffer {
  const b = Buffer.alloc(MiB);
  let x = 0x2545f491;
  for (let i = 0; i < b.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = i % 81 === 80 ? 10 : 32 + ((x >>> 0) % 95);
  }
  return b;
}

/** A deterministic stream of `bytes` bytes of text (no copying: slices of the prepared MiB). */
function source(block: Buffer, bytes: number): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: BLOCK,
    read() {
      if (sent >= bytes) return void this.push(null);
      const n = Math.min(BLOCK, bytes - sent);
      const off = sent % MiB;
      const chunk = off + n <= MiB ? block.subarray(off, off + n) : Buffer.concat([block.subarray(off), block.subarray(0, n - (MiB - off))]);
      sent += n;
      this.push(chunk);
    },
  });
}

async function sha256Of(block: Buffer, bytes: number): Promise<string> {
  const h = createHash('sha256');
  for await (const c of source(block, bytes)) h.update(c as Buffer);
  return h.digest('hex');
}

/** Streams a multipart/form-data body (source_type field, then the file) with a known Content-Length. */
function uploadThroughApi(base: string, key: string, nodeId: string, block: Buffer, bytes: number): Promise<{ status: number; body: string }> {
  const boundary = `----bench${Date.now().toString(16)}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="source_type"\r\n\r\ntext\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/api/v1/nodes/${nodeId}/materials`,
      {
        method: 'POST',
        headers: {
          'X-API-Key': key,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + bytes + tail.length),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const body = Readable.from(
      (async function* () {
        yield head;
        yield* source(block, bytes);
        yield tail;
      })(),
    );
    pipeline(body, req).catch(reject);
  });
}

export const upload: Scenario = {
  name: 'upload',
  summary: 'POST /nodes/{id}/materials (real API process) vs direct lib-storage upload of the same bytes',
  async run(ctx) {
    const bytes = (ctx.quick ? 64 : 1024) * MiB;
    const rounds = ctx.quick ? 1 : 2;
    const block = textBlock();
    const expectedSha = await sha256Of(block, bytes);
    const apiProc = await startApiProcess(
      scenarioEnv(ctx, 'upload', { MAX_UPLOAD_BYTES: String(2 * 1024 * MiB), TENANT_QUOTA_BYTES: String(64 * 1024 * MiB) }),
    );
    const pid = apiProc.child.pid as number;
    const s3 = benchS3(ctx.env);
    const { tenantId, key } = await benchTenant(ctx.prisma, 'upload');
    const oursMBs: number[] = [];
    const baseMBs: number[] = [];
    const growth: number[] = [];
    let rssBefore = 0;
    try {
      const course = await apiOk<{ id: string }>(apiProc.url, key, 'POST', '/nodes', { title: 'Upload bench' });
      // Warm-up: load the route's modules and the SDK in both paths before measuring anything.
      const warm = await uploadThroughApi(apiProc.url, key, course.id, block, 8 * MiB);
      if (warm.status !== 201) throw new Error(`warm-up upload answered ${warm.status}: ${warm.body.slice(0, 300)}`);
      const direct = async (k: string, n: number) =>
        new Upload({ client: s3, params: { Bucket: ctx.env.bucket, Key: k, Body: source(block, n), ContentType: 'text/plain' } }).done();
      await direct('bench/direct/warm.txt', 8 * MiB);
      await deleteObject({ client: s3, bucket: ctx.env.bucket, key: 'bench/direct/warm.txt' });

      for (let r = 0; r < rounds; r++) {
        // Baseline: lib-storage defaults (5 MiB parts, 4 in flight), same bytes, same endpoint and bucket.
        const k = `bench/direct/big-${r}.txt`;
        const b = await timed(() => direct(k, bytes));
        baseMBs.push(bytes / MiB / b.seconds);
        await deleteObject({ client: s3, bucket: ctx.env.bucket, key: k });
        ctx.log(`  direct lib-storage: ${(bytes / MiB / b.seconds).toFixed(1)} MiB/s`);

        rssBefore = rssOf(pid) ?? 0;
        const sampler = sampleRss(pid);
        const o = await timed(() => uploadThroughApi(apiProc.url, key, course.id, block, bytes));
        const peak = sampler.stop();
        if (o.value.status !== 201) throw new Error(`upload answered ${o.value.status}: ${o.value.body.slice(0, 300)}`);
        const m = JSON.parse(o.value.body) as { id: string; size_bytes: number; sha256: string };
        if (m.size_bytes !== bytes || m.sha256 !== expectedSha) throw new Error(`stored size/sha256 differ: ${m.size_bytes} ${m.sha256}`);
        oursMBs.push(bytes / MiB / o.seconds);
        growth.push((peak - rssBefore) / MiB);
        ctx.log(`  through the API: ${(bytes / MiB / o.seconds).toFixed(1)} MiB/s, RSS ${(rssBefore / MiB).toFixed(0)} → peak ${(peak / MiB).toFixed(0)} MiB`);
        await apiOk(apiProc.url, key, 'DELETE', `/materials/${m.id}`);
      }
    } finally {
      await apiProc.stop();
      s3.destroy();
      await dropTenants(ctx.prisma, [tenantId]);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ours = mean(oursMBs);
    const base = mean(baseMBs);
    const maxGrowth = Math.max(...growth);
    return {
      details: {
        bytes,
        rounds,
        measured:
          'ours: bench process → HTTP multipart (Content-Length known) → API process (busboy, sniffing, SHA-256, lib-storage, queueSize 1) → S3, plus the material/job/outbox rows; ' +
          'baseline: bench process → @aws-sdk/lib-storage Upload with its defaults (5 MiB parts, queueSize 4) → the same S3 endpoint and bucket. Same generated bytes; SHA-256 verified on ours.',
        s3Endpoint: ctx.env.s3Endpoint,
        oursMiBs: oursMBs,
        baselineMiBs: baseMBs,
        rssBeforeMiB: rssBefore / MiB,
        rssGrowthMiB: growth,
      },
      rows: [
        row({ scenario: 'upload', metric: `throughput ${bytes / MiB} MiB`, ours, baseline: base, unit: 'MiB/s', target: 'ratio ≥ 0.8', check: (x) => (x.ratio ?? 0) >= 0.8 }),
        row({ scenario: 'upload', metric: 'API RSS growth', ours: maxGrowth, baseline: null, unit: 'MiB', target: '≤ 64 MiB', check: (x) => (x.ours ?? Infinity) <= 64 }),
      ],
    };
  },
};
