// upload: a large generated text file through POST /nodes/{id}/materials (a real API process, one process,
// MAX_UPLOAD_BYTES raised) vs a direct @aws-sdk/lib-storage upload of the same bytes to the same S3 endpoint from
// the bench process. Throughput ratio and the API process's RSS growth (/proc/<pid>/status VmRSS, sampled every
// 50 ms, from its value just before each upload; also from after a small warm-up upload through the same route),
// plus CPU seconds per GiB of the API process and of the bench process on each side (its HTTP client; the direct
// upload). Growth curve: the same at 64 MiB and 1 GiB (and 4 GiB with --large; --quick: 16 and 64 MiB), in
// increasing order in one API process, so growth that accumulated would show as a rising curve.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

/** CPU seconds (user + system) a process has used so far (Linux /proc/<pid>/stat); null when it is gone. */
function cpuSecondsOf(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

interface Point {
  mib: number;
  oursMiBs: number;
  baselineMiBs: number;
  /** Peak VmRSS during the upload minus VmRSS just before it. */
  rssGrowthMiB: number;
  /** Peak VmRSS during the upload minus VmRSS after the warm-up upload. */
  rssAboveWarmMiB: number;
  apiCpuSecondsPerGiB: number | null;
  /** CPU of the bench process itself per GiB: the direct lib-storage upload (baseline), the HTTP client (ours). */
  directCpuSecondsPerGiB: number;
  clientCpuSecondsPerGiB: number;
}

export const upload: Scenario = {
  name: 'upload',
  summary: 'POST /nodes/{id}/materials (real API process) vs direct lib-storage upload of the same bytes; RSS growth curve',
  async run(ctx) {
    const bytes = (ctx.quick ? 64 : 1024) * MiB;
    const rounds = ctx.quick ? 1 : 2;
    // The growth curve: one more upload (each side) at every other size; 4 GiB only with --large.
    const curveMiB = ctx.quick ? [16] : ctx.large ? [64, 4096] : [64];
    const block = textBlock();
    const apiProc = await startApiProcess(
      scenarioEnv(ctx, 'upload', { MAX_UPLOAD_BYTES: String(8 * 1024 * MiB), TENANT_QUOTA_BYTES: String(64 * 1024 * MiB) }),
    );
    const pid = apiProc.child.pid as number;
    const s3 = benchS3(ctx.env);
    const { tenantId, key } = await benchTenant(ctx.prisma, 'upload');
    const points: Point[] = [];
    const warmed = { rss: 0 }; // VmRSS after the warm-up
    try {
      const course = await apiOk<{ id: string }>(apiProc.url, key, 'POST', '/nodes', { title: 'Upload bench' });
      // Warm-up: load the route's modules and the SDK in both paths before measuring anything.
      const warm = await uploadThroughApi(apiProc.url, key, course.id, block, 8 * MiB);
      if (warm.status !== 201) throw new Error(`warm-up upload answered ${warm.status}: ${warm.body.slice(0, 300)}`);
      const warmMaterial = JSON.parse(warm.body) as { id: string };
      await apiOk(apiProc.url, key, 'DELETE', `/materials/${warmMaterial.id}`);
      const direct = async (k: string, n: number) =>
        new Upload({ client: s3, params: { Bucket: ctx.env.bucket, Key: k, Body: source(block, n), ContentType: 'text/plain' } }).done();
      await direct('bench/direct/warm.txt', 8 * MiB);
      await deleteObject({ client: s3, bucket: ctx.env.bucket, key: 'bench/direct/warm.txt' });
      await new Promise((r) => setTimeout(r, 500));
      warmed.rss = rssOf(pid) ?? 0;

      // Sizes in increasing order, the main size's rounds among them, so each point starts from what the smaller
      // uploads left behind (a growth that accumulated would show as a rising curve).
      const plan = [...curveMiB.filter((m) => m < bytes / MiB), ...Array<number>(rounds).fill(bytes / MiB), ...curveMiB.filter((m) => m > bytes / MiB)];
      for (const [r, mib] of plan.entries()) {
        const n = mib * MiB;
        const expectedSha = await sha256Of(block, n);
        // Baseline: lib-storage defaults (5 MiB parts, 4 in flight), same bytes, same endpoint and bucket.
        const k = `bench/direct/big-${r}.txt`;
        const bCpu = process.cpuUsage();
        const b = await timed(() => direct(k, n));
        const bCpuUsed = process.cpuUsage(bCpu);
        await deleteObject({ client: s3, bucket: ctx.env.bucket, key: k });

        const rssBefore = rssOf(pid) ?? 0;
        const cpuBefore = cpuSecondsOf(pid);
        const sampler = sampleRss(pid);
        const oCpu = process.cpuUsage();
        const o = await timed(() => uploadThroughApi(apiProc.url, key, course.id, block, n));
        const oCpuUsed = process.cpuUsage(oCpu);
        const peak = sampler.stop();
        const cpuAfter = cpuSecondsOf(pid);
        if (o.value.status !== 201) throw new Error(`upload answered ${o.value.status}: ${o.value.body.slice(0, 300)}`);
        const m = JSON.parse(o.value.body) as { id: string; size_bytes: number; sha256: string };
        if (m.size_bytes !== n || m.sha256 !== expectedSha) throw new Error(`stored size/sha256 differ: ${m.size_bytes} ${m.sha256}`);
        const p: Point = {
          mib,
          oursMiBs: mib / o.seconds,
          baselineMiBs: mib / b.seconds,
          rssGrowthMiB: (peak - rssBefore) / MiB,
          rssAboveWarmMiB: (peak - warmed.rss) / MiB,
          apiCpuSecondsPerGiB: cpuBefore !== null && cpuAfter !== null ? ((cpuAfter - cpuBefore) * 1024) / mib : null,
          directCpuSecondsPerGiB: ((bCpuUsed.user + bCpuUsed.system) / 1e6) * (1024 / mib),
          clientCpuSecondsPerGiB: ((oCpuUsed.user + oCpuUsed.system) / 1e6) * (1024 / mib),
        };
        points.push(p);
        ctx.log(
          `  ${mib} MiB: direct lib-storage ${p.baselineMiBs.toFixed(1)} MiB/s, through the API ${p.oursMiBs.toFixed(1)} MiB/s ` +
            `(${(p.oursMiBs / p.baselineMiBs).toFixed(2)}), RSS ${(rssBefore / MiB).toFixed(0)} → peak ${(peak / MiB).toFixed(0)} MiB ` +
            `(+${p.rssGrowthMiB.toFixed(1)}, +${p.rssAboveWarmMiB.toFixed(1)} over the warm-up's), CPU s/GiB: API ${p.apiCpuSecondsPerGiB?.toFixed(1) ?? '?'}, ` +
            `its HTTP client ${p.clientCpuSecondsPerGiB.toFixed(1)}, direct lib-storage ${p.directCpuSecondsPerGiB.toFixed(1)} (S3 server's not counted)`,
        );
        await apiOk(apiProc.url, key, 'DELETE', `/materials/${m.id}`);
      }
    } finally {
      await apiProc.stop();
      s3.destroy();
      await dropTenants(ctx.prisma, [tenantId]);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const main = points.filter((p) => p.mib === bytes / MiB);
    const ours = mean(main.map((p) => p.oursMiBs));
    const base = mean(main.map((p) => p.baselineMiBs));
    const maxGrowth = Math.max(...main.map((p) => p.rssGrowthMiB));
    const curve = [...new Set(points.map((p) => p.mib))].sort((a, b) => a - b).map((mib) => {
      const at = points.filter((p) => p.mib === mib);
      return {
        mib,
        oursMiBs: mean(at.map((p) => p.oursMiBs)),
        baselineMiBs: mean(at.map((p) => p.baselineMiBs)),
        rssGrowthMiB: Math.max(...at.map((p) => p.rssGrowthMiB)),
        rssAboveWarmMiB: Math.max(...at.map((p) => p.rssAboveWarmMiB)),
      };
    });
    const label = (mib: number) => (mib >= 1024 ? `${mib / 1024} GiB` : `${mib} MiB`);
    return {
      details: {
        bytes,
        rounds,
        measured:
          'ours: bench process → HTTP multipart (Content-Length known) → API process (busboy, sniffing, SHA-256, @aws-sdk/lib-storage Upload with 2 parts in flight while the next fills: DEFAULT_QUEUE_SIZE) → S3, plus the material/job/outbox rows; ' +
          'baseline: bench process → @aws-sdk/lib-storage Upload with its defaults (5 MiB parts, queueSize 4) → the same S3 endpoint and bucket. Same generated bytes; SHA-256 verified on ours. ' +
          'RSS growth: peak VmRSS (sampled every 50 ms) minus VmRSS just before the upload; rssAboveWarm: minus VmRSS after the 8 MiB warm-up.',
        s3Endpoint: ctx.env.s3Endpoint,
        rssWarmMiB: warmed.rss / MiB,
        points,
        curve,
      },
      rows: [
        row({ scenario: 'upload', metric: `throughput ${label(bytes / MiB)}`, ours, baseline: base, unit: 'MiB/s', target: 'ratio ≥ 0.9', check: (x) => (x.ratio ?? 0) >= 0.9 }),
        row({ scenario: 'upload', metric: 'API RSS growth', ours: maxGrowth, baseline: null, unit: 'MiB', target: '≤ 64 MiB', check: (x) => (x.ours ?? Infinity) <= 64 }),
        ...curve.map((c) =>
          row({ scenario: 'upload', metric: `curve ${label(c.mib)}: MiB/s (RSS growth ${c.rssGrowthMiB.toFixed(0)} MiB, ${c.rssAboveWarmMiB.toFixed(0)} over warm)`, ours: c.oursMiBs, baseline: c.baselineMiBs, unit: 'MiB/s', target: 'flat RSS', check: () => c.rssGrowthMiB <= 64 }),
        ),
      ],
    };
  },
};
