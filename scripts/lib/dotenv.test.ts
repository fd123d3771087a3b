import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

// scripts/lib/dotenv.sh (used by scripts/services.sh): the environment, then .env, then the script's defaults.
const lib = join(import.meta.dirname, 'dotenv.sh');
const dir = mkdtempSync(join(tmpdir(), 'cs-dotenv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('keeps what the environment sets, takes the rest from .env, and leaves defaults to the script', () => {
  const file = join(dir, '.env');
  writeFileSync(file, 'REDIS_URL=redis://from-dotenv:6379   # comment\nS3_BUCKET=dotenv-bucket\nEMPTY_IN_ENV=from-dotenv\n');
  const script = `set -euo pipefail; . "$1" "$2"; . "$1" "$2.missing"
    DATABASE_URL=\${DATABASE_URL:-default-db}
    printf '%s|%s|%s|%s' "$REDIS_URL" "$S3_BUCKET" "$DATABASE_URL" "$EMPTY_IN_ENV"`;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, REDIS_URL: 'redis://from-env:6379', EMPTY_IN_ENV: '' };
  const out = execFileSync('bash', ['-c', script, '_', lib, file], { env, encoding: 'utf8' });
  expect(out).toBe('redis://from-env:6379|dotenv-bucket|default-db|');
});
