// pino JSON logs. Child loggers carry request_id, tenant_id, job_id. Redaction is a second line of defence:
// code must never pass keys, secrets or file contents to a logger in the first place.
// Every key appears once per line: pino writes a child's bindings and the logged object side by side, so a key
// in both would be written twice (log processors keep one at random). The logMethod hook below drops an object
// key that is already bound with the same value and moves one bound with a different value under `shadowed`;
// call sites should not repeat bound keys in the first place.
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

const REDACT = [
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers["x-api-key"]',
  'headers.authorization',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.password',
  '*.token',
  'apiKey',
  'secret',
  'password',
  'token',
];

/** Keys pino itself writes on every line (besides the bindings). */
const RESERVED = ['level', 'time', 'msg'];

/**
 * A logger's bindings (base and child bindings) as an object, parsed once per logger and binding set: pino keeps
 * them as a JSON fragment and `bindings()` parses it on every call, which the hook would otherwise do per line.
 * Keyed by the logger; `setBindings` replaces the fragment, which invalidates the entry.
 */
const boundCache = new WeakMap<Logger, { chindings: string; bound: Record<string, unknown> }>();

function boundOf(logger: Logger, base: Record<string, unknown>): Record<string, unknown> {
  const chindings = (logger as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] ?? '';
  const hit = boundCache.get(logger);
  if (hit && hit.chindings === chindings) return hit.bound;
  const bound = { ...base, ...logger.bindings() };
  boundCache.set(logger, { chindings, bound });
  return bound;
}

function withoutBoundKeys(obj: Record<string, unknown>, bound: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  let shadowed: Record<string, unknown> | null = null;
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    const isBound = Object.hasOwn(bound, key) || RESERVED.includes(key);
    if (!isBound) continue;
    out ??= { ...obj };
    delete out[key];
    if (bound[key] !== obj[key]) (shadowed ??= {})[key] = obj[key];
  }
  if (!out) return obj;
  if (shadowed) out.shadowed = shadowed;
  return out;
}

export function createLogger(opts: { level?: string; name?: string; destination?: DestinationStream } = {}): Logger {
  const base = { service: opts.name ?? 'course-supporter', pid: process.pid };
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    base,
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    hooks: {
      logMethod(args, method) {
        const [first, ...rest] = args as unknown[];
        if (first === null || typeof first !== 'object' || first instanceof Error) return method.apply(this, args);
        const cleaned = withoutBoundKeys(first as Record<string, unknown>, boundOf(this, base));
        return method.apply(this, [cleaned, ...rest] as Parameters<typeof method>);
      },
    },
  };
  return pino(options, opts.destination ?? stdout());
}

/**
 * stdout, written asynchronously: lines logged while a write is in flight go out together in the next one,
 * instead of one blocking write(2) per line (pino's default; under load, a request line each). pino flushes
 * what is still buffered synchronously on the process's 'exit' (process.exit, an uncaught exception); a SIGKILL
 * loses the lines of the write in progress, a few milliseconds' worth. Bounded: past
 * 16 MiB not yet taken by the reader (a stalled log collector) lines are dropped rather than growing memory.
 */
function stdout(): DestinationStream {
  return pino.destination({ dest: 1, sync: false, maxLength: 16 * 1024 * 1024 });
}
