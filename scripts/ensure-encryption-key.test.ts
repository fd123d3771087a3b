import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

// scripts/ensure-encryption-key.sh, the step `npm run up` runs on .env before starting anything.
const script = join(import.meta.dirname, 'ensure-encryption-key.sh');
const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function envFile(content: string | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'cs-envkey-'));
  dirs.push(dir);
  const file = join(dir, '.env');
  if (content === null) copyFileSync(join(import.meta.dirname, '..', '.env.example'), file);
  else writeFileSync(file, content);
  return file;
}
function run(file: string, extraEnv: Record<string, string> = {}): void {
  const env = { ...process.env, ...extraEnv };
  if (!('APP_ENCRYPTION_KEY' in extraEnv)) delete env.APP_ENCRYPTION_KEY;
  execFileSync('bash', [script, file], { env, stdio: 'pipe' });
}
const keyIn = (file: string): string | undefined => parseEnv(readFileSync(file, 'utf8')).APP_ENCRYPTION_KEY;

describe('ensure-encryption-key.sh', () => {
  it('fills the empty key of a .env copied from .env.example, then keeps it on the next run', () => {
    const file = envFile(null);
    expect(keyIn(file)).toBe('');
    run(file);
    const key = keyIn(file);
    expect(key).toMatch(/^[0-9a-f]{64}$/); // 32 bytes as hex: the format the config schema accepts
    expect(Buffer.from(key!, 'hex')).toHaveLength(32);
    const after = readFileSync(file, 'utf8');
    expect(after).toContain('# 32 bytes'); // the line's comment is kept
    run(file);
    expect(readFileSync(file, 'utf8')).toBe(after);
  });

  it('appends a key when the file has no APP_ENCRYPTION_KEY line, and each file gets its own key', () => {
    const a = envFile('PORT=8000'); // no final newline
    const b = envFile('PORT=8000\n');
    run(a); run(b);
    expect(readFileSync(a, 'utf8')).toMatch(/^PORT=8000\nAPP_ENCRYPTION_KEY=[0-9a-f]{64}\n$/);
    expect(keyIn(a)).not.toBe(keyIn(b));
    expect(parseEnv(readFileSync(a, 'utf8')).PORT).toBe('8000');
  });

  it('treats a quoted empty value as missing', () => {
    const file = envFile('APP_ENCRYPTION_KEY=""\n');
    run(file);
    expect(keyIn(file)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never replaces a value already in the file', () => {
    const base64Key = Buffer.alloc(32, 7).toString('base64');
    const content = `A=1\nAPP_ENCRYPTION_KEY=${base64Key}   # mine\n`;
    const file = envFile(content);
    run(file);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('leaves .env alone when the environment sets the key (the environment wins over .env)', () => {
    const file = envFile('APP_ENCRYPTION_KEY=\n');
    run(file, { APP_ENCRYPTION_KEY: 'a'.repeat(64) });
    expect(readFileSync(file, 'utf8')).toBe('APP_ENCRYPTION_KEY=\n');
  });
});
