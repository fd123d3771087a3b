// Config is parsed once, at boot, from the environment (plus a .env file in the working directory when one
// exists). Every problem is reported at once. This is the only module that reads process.env: the app takes the
// whole configuration (loadConfig), scripts that run before it is complete (npm run migrate, ensure-s3) take the
// few settings they need (loadConfigPart) — one reader, one precedence: the environment, then .env, then defaults.
import { existsSync } from 'node:fs';
import { z } from 'zod';
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

/** Adds the working directory's .env to process.env; process.loadEnvFile never replaces a variable already set,
 * so the environment wins over .env. CS_SKIP_DOTENV=1 (tests) reads the environment alone. */
function configSource(): Record<string, string | undefined> {
  if (existsSync('.env') && process.env.CS_SKIP_DOTENV !== '1') process.loadEnvFile('.env');
  return process.env;
}

/** The process's configuration (parsed on first use). Pass overrides only in tests. */
export function loadConfig(overrides: Record<string, string | undefined> = {}): Config {
  if (cached && Object.keys(overrides).length === 0) return cached;
  configSource();
  const cfg = parseConfig({ ...process.env, ...overrides });
  if (Object.keys(overrides).length === 0) cached = cfg;
  return cfg;
}

type Shape = typeof configSchema.shape;

/**
 * Some settings only, for scripts that run before the whole configuration is complete: the same sources and
 * precedence as loadConfig, parsed by the same schema entries (same defaults and checks). `fallbacks` fill what
 * the app's schema leaves without a default (e.g. the local s3rver's endpoint for ensure-s3); the environment
 * and .env still win over them. Throws ConfigError like loadConfig.
 */
export function loadConfigPart<K extends keyof Shape & keyof Config>(
  keys: readonly K[],
  fallbacks: Partial<Record<K, string>> = {},
): Pick<Config, K> {
  const source = configSource();
  const shape = Object.fromEntries(keys.map((k) => [k, configSchema.shape[k]])) as Pick<Shape, K>;
  const values: Record<string, string | undefined> = { ...fallbacks };
  for (const k of keys) if (source[k] !== undefined && source[k] !== '') values[k] = source[k];
  const result = z.object(shape).safeParse(values);
  if (!result.success) throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  return result.data as Pick<Config, K>;
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
