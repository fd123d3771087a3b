// The Dockerfiles' runtime stage, exercised outside Docker: scripts/docker-runtime-check.sh compiles the app,
// installs production dependencies only into a fresh tree, starts the api from it as the non-root user `app`,
// runs the image's HEALTHCHECK (/health/live must answer 200) and stops it with SIGTERM.
// Slow (npm ci from the registry/cache): about a minute.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('docker runtime stage outside Docker', () => {
  it('serves /health/live from a production-only tree as a non-root user and stops cleanly', () => {
    const r = spawnSync('bash', [join(ROOT, 'scripts/docker-runtime-check.sh'), '--require-db'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'warn' },
      timeout: 280_000,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status, out).toBe(0);
    expect(r.stdout).toMatch(/GET \/health\/live → 200/);
    expect(r.stdout).toMatch(/GET \/health checks: .*"db":"ok"/);
    expect(r.stdout).toMatch(/OK: production tree serves \/health\/live as (\S+) and stops cleanly/);
    expect(r.stdout).not.toMatch(/as root and/);
  }, 300_000);
});
