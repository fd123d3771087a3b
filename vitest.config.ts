import { defineConfig } from 'vitest/config';
import { testEnv } from './test/test-env.js';

// Tests run against the real local services (scripts/services.sh starts them) and the test database.
export default defineConfig({
  test: {
    include: ['{api,worker,shared,prisma,scripts,test}/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**', 'var/**'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-file.ts'],
    testTimeout: 120_000, // integration tests wait for real jobs; a loaded 2-core machine is slow
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    env: testEnv,
  },
});
