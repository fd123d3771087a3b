// The environment every test process gets (vitest.config.ts) and global setup uses to prepare the stores.
// TEST_* variables let CI or a developer point tests at other instances.
const env = (name: string, fallback: string) => process.env[name] ?? fallback; // tooling, not app config

export const testEnv: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: env('TEST_LOG_LEVEL', 'silent'),
  CS_SKIP_DOTENV: '1',
  DATABASE_URL: env('TEST_DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/course_supporter_test'),
  REDIS_URL: env('TEST_REDIS_URL', 'redis://127.0.0.1:6379'),
  S3_ENDPOINT: env('TEST_S3_ENDPOINT', 'http://127.0.0.1:4568'),
  S3_BUCKET: env('TEST_S3_BUCKET', 'course-materials-test'),
  S3_ACCESS_KEY_ID: 'S3RVER',
  S3_SECRET_ACCESS_KEY: 'S3RVER',
  API_WORKERS: '1',
  ALLOW_PRIVATE_TARGETS: 'loopback', // local stub servers yes; other private ranges stay refused
};
