import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './index.js';

const valid = {
  DATABASE_URL: 'postgresql://u@h:5432/db',
  S3_ACCESS_KEY_ID: 'a',
  S3_SECRET_ACCESS_KEY: 'b',
};

describe('config', () => {
  it('applies defaults and coerces types', () => {
    const c = parseConfig(valid);
    expect(c.PORT).toBe(8000);
    expect(c.API_WORKERS).toBe(2);
    expect(c.MAX_UPLOAD_BYTES).toBe(1024 ** 3);
    expect(c.ALLOW_PRIVATE_TARGETS).toBe(false);
    expect(parseConfig({ ...valid, CORS_ORIGINS: 'https://a.example, https://b.example' }).CORS_ORIGINS).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });

  it('local embeddings: word vectors by default, the hashed model by choice, nothing else', () => {
    expect(parseConfig(valid)).toMatchObject({ EMBEDDING_PROVIDER: 'local', EMBEDDING_MODEL: 'local-wordvec-v2', LOCAL_EMBEDDING_CACHE_DIR: 'var/wordvec' });
    expect(parseConfig({ ...valid, EMBEDDING_MODEL: 'local-hash-v1', EMBEDDING_DIMENSIONS: '64' }).EMBEDDING_MODEL).toBe('local-hash-v1');
    expect(() => parseConfig({ ...valid, EMBEDDING_MODEL: 'text-embedding-3-small' })).toThrow(/EMBEDDING_MODEL/);
    expect(() => parseConfig({ ...valid, EMBEDDING_DIMENSIONS: '128' })).toThrow(/EMBEDDING_DIMENSIONS/);
    expect(parseConfig({ ...valid, EMBEDDING_PROVIDER: 'openai', EMBEDDING_MODEL: 'text-embedding-3-small' }).EMBEDDING_MODEL).toBe('text-embedding-3-small');
  });

  it('lists every problem at once', () => {
    try {
      parseConfig({ PORT: 'eighty', REDIS_URL: 'http://nope', S3_FORCE_PATH_STYLE: 'maybe' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'REDIS_URL', 'S3_FORCE_PATH_STYLE', 'DATABASE_URL', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']) {
        expect(text).toContain(name);
      }
    }
  });

  it.each([['api/src/main.ts'], ['worker/src/main.ts']])('%s exits non-zero naming every bad variable', (entry) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', CS_SKIP_DOTENV: '1', PORT: '-1', REDIS_URL: 'nope' };
    const r = spawnSync(process.execPath, ['--import', 'tsx', entry], { env, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(78);
    for (const name of ['PORT', 'REDIS_URL', 'DATABASE_URL', 'S3_ACCESS_KEY_ID']) expect(r.stderr).toContain(name);
  });
});
