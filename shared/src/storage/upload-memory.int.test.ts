// A 200 MiB upload through uploadStream grows the uploading process's RSS by less than 64 MiB (issue: "Uploads
// that stream"). Measured by scripts/measure-upload-memory.ts in a process of its own (so vitest's memory is not
// counted), against an s3rver process it starts itself.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');

describe('uploadStream memory', () => {
  it('streams 200 MiB with RSS growth under 64 MiB and the stored SHA-256 equal to the source', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'scripts/measure-upload-memory.ts', '--mib', '200', '--budget-mib', '64'],
      { cwd: ROOT, env: process.env, timeout: 150_000 },
    ).catch((err: { stdout?: string; stderr?: string; message: string }) => {
      // exit code 1 = over budget or hash mismatch: show the measurement instead of a bare failure
      if (err.stdout) return { stdout: err.stdout };
      throw new Error(`${err.message}\n${err.stderr ?? ''}`);
    });
    const report = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
      bytes: number;
      rssGrowthMiB: number;
      sha256Matches: boolean;
    };
    console.log(`[upload memory] ${stdout.trim()}`);
    expect(report.bytes).toBe(200 * 1024 * 1024);
    expect(report.sha256Matches).toBe(true);
    expect(report.rssGrowthMiB).toBeLessThan(64);
  }, 180_000);
});
