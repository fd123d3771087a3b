// pino JSON logs. Child loggers carry request_id, tenant_id, job_id. Redaction is a second line of defence:
// code must never pass keys, secrets or file contents to a logger in the first place.
import { pino, type Logger, type LoggerOptions } from 'pino';

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

export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    base: { service: opts.name ?? 'course-supporter', pid: process.pid },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return pino(options);
}
