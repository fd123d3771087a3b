// Once per test run: apply migrations to the test database and make sure the test bucket exists.
import { execFileSync } from 'node:child_process';
import { testEnv } from './test-env.js';

export default function setup(): void {
  const env = { ...process.env, ...testEnv };
  execFileSync(
    process.execPath,
    ['--experimental-wasm-modules', '--no-warnings=ExperimentalWarning', '--import', 'tsx', 'scripts/migrate.ts'],
    { env, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/ensure-s3.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}
