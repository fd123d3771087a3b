// Config is parsed once, at boot, from the environment (plus a .env file in the working directory when one
// exists). Every problem is reported at once. This is the only module that reads process.env.
import { existsSync } from 'node:fs';
import { configSchema, type Config } from './schema.js';

export type { Config } from './schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses a configuration from the given variables; throws ConfigError listing every problem. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset" so that `FOO=` in a .env file falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return result.data;
}

let cached: Config | undefined;

/** The process's configuration (parsed on first use). Pass overrides only in tests. */
export function loadConfig(overrides: Record<string, string | undefined> = {}): Config {
  if (cached && Object.keys(overrides).length === 0) return cached;
  if (existsSync('.env') && process.env.CS_SKIP_DOTENV !== '1') process.loadEnvFile('.env');
  const cfg = parseConfig({ ...process.env, ...overrides });
  if (Object.keys(overrides).length === 0) cached = cfg;
  return cfg;
}

/** Entry points call this: prints every problem and exits non-zero instead of throwing. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
