// Once per test run: apply migrations to the test database, make sure the test bucket exists, and that the
// local-wordvec-* word vectors are converted (so no test waits on a first-use conversion).
import { execFileSync } from 'node:child_process';
import { testEnv } from './test-env.js';

export default function setup(): void {
  const env = { ...process.env, ...testEnv };
  execFileSync(
    process.execPath,
    ['--experimental-wasm-modules', '--no-warnings=ExperimentalWarning', '--import', 'tsx', 'scripts/migrate.ts'],
    { env, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  // A migration edited after it was applied here (e.g. while it was being written) leaves this database unlike
  // a fresh one: say so instead of letting tests fail in puzzling ways.
  const migrate = ['--experimental-wasm-modules', '--no-warnings=ExperimentalWarning', '--import', 'tsx', 'scripts/migrate.ts'];
  try {
    execFileSync(process.execPath, [...migrate, 'status'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const out = String((err as { stdout?: Buffer }).stdout ?? '');
    throw new Error(`the test database is not in step with prisma/migrations; recreate it (dropdb + npm test):\n${out}`, { cause: err });
  }
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/ensure-s3.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/prepare-word-vectors.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}
