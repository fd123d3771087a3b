// The one BullMQ processor: parse the payload again, admit the attempt by the job row's status, run the handler,
// record its outcome (registry.ts): complete, skipped, cancelled, or failed. A final failure (last attempt, an
// UnrecoverableError, an invalid payload) goes through failJob (shared/src/jobs/subject-failure.ts) like cancel
// and the reconciler; other failures put the row back to `queued` with the reason while BullMQ retries. A handler
// that waits (registry.ts `waiting`) moves its job to BullMQ's delayed set with the worker's lock token and throws
// DelayedError, so the wait uses up no attempt however long it lasts; the row shows `queued` with the reason.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { PrismaClient } from '../../shared/src/db/client.js';
import type { Logger } from '../../shared/src/logger/index.js';
import { markRetrying, markWaiting, reportProgress, type StatusWriter } from '../../shared/src/jobs/job-status.js';
import { failJob } from '../../shared/src/jobs/subject-failure.js';
import type { JobTarget } from '../../shared/src/jobs/producer.js';
import type { JobType } from '../../shared/src/jobs/definitions.js';
import { endingOf, type Registry } from './registry.js';
import { metrics } from '../../shared/src/metrics/index.js';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 2000);
type Outcome = 'complete' | 'skipped' | 'cancelled' | 'failed' | 'retry' | 'waiting';

function count(jobType: JobType, outcome: Outcome, started: number | null) {
  const m = metrics();
  m.jobs.inc({ job_type: jobType, outcome });
  if (outcome === 'failed' || outcome === 'retry') m.jobFailures.inc({ job_type: jobType });
  if (started !== null) m.jobDuration.observe({ job_type: jobType, status: outcome }, (Date.now() - started) / 1000);
}

/** `status`: the process's statusWriter (concurrent attempts' admission reads and status writes share statements). */
export function createProcessor(registry: Registry, prisma: PrismaClient, target: JobTarget, logger: Logger, status: StatusWriter) {
  return async (job: Job, token?: string): Promise<unknown> => {
    const jobId = job.id as string;
    const log = logger.child({ job_id: jobId, job: job.name });
    const registered = registry.get(job.name);
    if (!registered) throw new UnrecoverableError(`no handler for job "${job.name}"`);
    const { def, entry } = registered;
    // Maintenance jobs have no row; every client-visible job does.
    const tracked = def.jobType !== 'maintenance';

    const parsed = def.schema.safeParse(job.data);
    if (!parsed.success) {
      const reason = `invalid payload for ${job.name}: ${parsed.error.issues.map((i) => i.message).join('; ')}`;
      log.error({ err: reason }, 'job failed');
      if (tracked) await failJob(prisma, target, jobId, 'failed', reason);
      count(def.jobType, 'failed', null);
      throw new UnrecoverableError(reason);
    }
    const payload = parsed.data;
    const tenantId = (payload as { tenantId?: string }).tenantId;
    if (tenantId) log.setBindings({ tenant_id: tenantId });

    // attemptsMade counts failed attempts only (BullMQ retries while attemptsMade + 1 < attempts); attemptsStarted
    // also counts every return from the delayed set, so it is not the attempt number.
    const attempt = job.attemptsMade + 1;
    const run = tracked ? await status.begin({ id: jobId, attempt }) : null;
    if (run && !run.admitted) {
      log.info('job cancelled or already finished; skipping');
      count(def.jobType, 'skipped', null);
      return { skipped: 'cancelled or already finished' };
    }
    // Every write of the attempt other than its completion comes after the row shows `active` (job-status.ts).
    const started = Date.now();
    let result: unknown;
    try {
      result = await entry.handler(payload, {
        job,
        jobId,
        progress: async (pct) => {
          await job.updateProgress(pct);
          if (run) {
            await run.markActive();
            await reportProgress(prisma, jobId, pct);
          }
        },
        isCancelled: async () =>
          tracked && (await prisma.job.findUnique({ where: { id: jobId }, select: { status: true } }))?.status === 'cancelled',
      });
    } catch (err) {
      run?.end();
      await run?.markActive();
      const final = err instanceof UnrecoverableError || attempt >= (job.opts.attempts ?? 1);
      const reason = message(err);
      count(def.jobType, final ? 'failed' : 'retry', started);
      if (!tracked) {
        log.warn({ err }, 'maintenance job failed');
      } else if (final) {
        log.warn({ err: reason }, 'job failed');
        const failed = await failJob(prisma, target, jobId, 'failed', reason);
        if (failed?.dependents.length) log.warn({ dependents: failed.dependents }, 'dependents failed');
      } else {
        log.warn({ err: reason, attempt }, 'job attempt failed; retrying');
        await markRetrying(prisma, jobId, `attempt ${attempt} failed: ${reason}`);
      }
      throw err;
    }

    const ending = endingOf(result);
    if (ending?.kind === 'waiting') {
      // The row first: once the job is delayed it may run again (and set the row active) before this returns.
      if (run) {
        run.end();
        await run.markActive();
        await markWaiting(prisma, jobId, ending.reason);
      }
      await job.moveToDelayed(Date.now() + (ending.delayMs ?? 0), token);
      count(def.jobType, 'waiting', started);
      log.debug({ reason: ending.reason, delay_ms: ending.delayMs }, 'job waits');
      throw new DelayedError(ending.reason);
    }
    if (ending?.kind === 'cancelled') {
      run?.end();
      count(def.jobType, 'cancelled', started);
      log.info({ ms: Date.now() - started }, 'job stopped: cancelled');
      return { cancelled: true };
    }
    // A row that is no longer active was cancelled while the handler ran (it did not look, or too late).
    if (run && !(await run.complete())) {
      count(def.jobType, 'cancelled', started);
      log.info({ ms: Date.now() - started }, 'job ended elsewhere while it ran (cancelled); result dropped');
      return { cancelled: true };
    }
    if (ending) {
      count(def.jobType, 'skipped', started);
      log.info({ ms: Date.now() - started, reason: ending.reason }, 'job skipped');
      return { skipped: ending.reason };
    }
    count(def.jobType, 'complete', started);
    log.info({ ms: Date.now() - started }, 'job complete');
    return result ?? null;
  };
}
