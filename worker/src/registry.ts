// Job name → handler. Boot fails when a defined job has no handler, a handler has no definition, or a job
// name is handled twice — so a deploy cannot silently drop a kind of work.
import type { z } from 'zod';
import type { Job } from 'bullmq';
import type { JobDefinition } from '../../shared/src/jobs/definitions.js';

export interface JobContext {
  job: Job;
  jobId: string;
  /** Stores progress (0..100) on the job row and in BullMQ. */
  progress(pct: number): Promise<void>;
  /** True once a client cancelled the job; long handlers check it between steps. */
  isCancelled(): Promise<boolean>;
}

/**
 * A handler ends in one of five ways: it returns a result (complete), returns `skipped(reason)` (nothing to do:
 * the row completes, counted as skipped) or `cancelled()` (it saw the client's cancel and stopped: the row stays
 * cancelled), returns `waiting(reason, delayMs)` (what it needs is not there yet: the job goes back to BullMQ's
 * delayed set and runs again after delayMs, using up no attempt; the row shows `queued` with the reason), or throws
 * (failed: retried, or failed for good by shared/src/jobs/subject-failure.ts).
 */
export type JobHandler<P = unknown> = (payload: P, ctx: JobContext) => Promise<unknown>;

const ENDING = Symbol('job ending');
export interface Ending {
  readonly [ENDING]: true;
  kind: 'skipped' | 'cancelled' | 'waiting';
  reason: string;
  /** waiting only: when to run again, in ms from now. */
  delayMs?: number;
}
export const skipped = (reason: string): Ending => ({ [ENDING]: true, kind: 'skipped', reason });
export const cancelled = (): Ending => ({ [ENDING]: true, kind: 'cancelled', reason: 'cancelled by client' });
export const waiting = (reason: string, delayMs: number): Ending => ({ [ENDING]: true, kind: 'waiting', reason, delayMs });
export const endingOf = (result: unknown): Ending | null =>
  typeof result === 'object' && result !== null && ENDING in result ? (result as Ending) : null;

export interface HandlerEntry {
  name: string;
  handler: JobHandler;
}

/** Pairs a definition with its handler, type-checking the payload. */
export const handle = <S extends z.ZodType>(def: JobDefinition<S>, handler: JobHandler<z.output<S>>): HandlerEntry => ({
  name: def.name,
  handler: handler as JobHandler,
});

export class RegistryError extends Error {
  override name = 'RegistryError';
}

export interface RegisteredJob {
  def: JobDefinition;
  entry: HandlerEntry;
}

export interface Registry {
  get(name: string): RegisteredJob | undefined;
  queues(): string[];
}

export function createRegistry(definitions: readonly JobDefinition[], entries: HandlerEntry[]): Registry {
  const problems: string[] = [];
  const defs = new Map<string, JobDefinition>();
  for (const d of definitions) {
    if (defs.has(d.name)) problems.push(`job "${d.name}" is defined twice`);
    defs.set(d.name, d);
  }
  const handlers = new Map<string, HandlerEntry>();
  for (const e of entries) {
    if (handlers.has(e.name)) problems.push(`job "${e.name}" has more than one handler`);
    if (!defs.has(e.name)) problems.push(`handler for unknown job "${e.name}"`);
    handlers.set(e.name, e);
  }
  for (const name of defs.keys()) if (!handlers.has(name)) problems.push(`job "${name}" has no handler`);
  if (problems.length) throw new RegistryError(`worker registry is invalid:\n  - ${problems.join('\n  - ')}`);
  return {
    get: (name) => {
      const def = defs.get(name);
      const entry = handlers.get(name);
      return def && entry ? { def, entry } : undefined;
    },
    queues: () => [...new Set([...defs.values()].map((d) => d.queue))],
  };
}
