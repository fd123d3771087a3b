// The one BullMQ processor: parse the payload again, record the attempt on the job row, run the handler,
// record the outcome. Final failures (last attempt or UnrecoverableError) fail the row, its dependents and run
// the handler's failure hook; other failures put the row back to `queued` with the reason while BullMQ retries.
import { UnrecoverableError, type Job } from 'bullmq';
import type { PrismaClient } from '../../shared/src/db/client.js';
import type { Logger } from '../../shared/src/logger/index.js';
import {
  completeJob,
  finishUnsuccessfully,
  markRetrying,
  reportProgress,
  startAttempt,
} from '../../shared/src/jobs/job-status.js';
import type { Registry } from './registry.js';
import { metrics } from '../../shared/src/metrics/index.js';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 2000);

export function createProcessor(registry: Registry, prisma: PrismaClient, logger: Logger) {
  return async (job: Job): Promise<unknown> => {
    const jobId = job.id as string;
    const log = logger.child({ job_id: jobId, job: job.name });
    const registered = registry.get(job.name);
    if (!registered) throw new UnrecoverableError(`no handler for job "${job.name}"`);
    const { def, entry } = registered;

    const parsed = def.schema.safeParse(job.data);
    if (!parsed.success) {
      const reason = `invalid payload for ${job.name}: ${parsed.error.issues.map((i) => i.message).join('; ')}`;
      await finishUnsuccessfully(prisma, jobId, 'failed', reason);
      throw new UnrecoverableError(reason);
    }
    const payload = parsed.data;
    const tenantId = (payload as { tenantId?: string }).tenantId;
    if (tenantId) log.setBindings({ tenant_id: tenantId });

    // Maintenance jobs have no row; every client-visible job does.
    const tracked = def.jobType !== 'maintenance';
    if (tracked && !(await startAttempt(prisma, jobId, job.attemptsStarted || 1))) {
      log.info('job cancelled or already finished; skipping');
      return { skipped: true };
    }

    const started = Date.now();
    try {
      const result = await entry.handler(payload, {
        job,
        jobId,
        progress: async (pct) => {
          await job.updateProgress(pct);
          if (tracked) await reportProgress(prisma, jobId, pct);
        },
        isCancelled: async () =>
          tracked && (await prisma.job.findUnique({ where: { id: jobId }, select: { status: true } }))?.status === 'cancelled',
      });
      if (tracked) await completeJob(prisma, jobId);
      metrics().jobDuration.observe({ job_type: def.jobType, status: 'complete' }, (Date.now() - started) / 1000);
      log.info({ ms: Date.now() - started }, 'job complete');
      return result ?? null;
    } catch (err) {
      const final = err instanceof UnrecoverableError || (job.attemptsStarted || 1) >= (job.opts.attempts ?? 1);
      const reason = message(err);
      metrics().jobFailures.inc({ job_type: def.jobType });
      metrics().jobDuration.observe({ job_type: def.jobType, status: final ? 'failed' : 'retry' }, (Date.now() - started) / 1000);
      if (!tracked) {
        log.warn({ err }, 'maintenance job failed');
      } else if (final) {
        log.warn({ err: reason }, 'job failed');
        const dependents = await finishUnsuccessfully(prisma, jobId, 'failed', reason);
        if (dependents.length) log.warn({ dependents }, 'dependents failed');
        await entry.onFinalFailure?.(payload, reason).catch((hookErr: unknown) =>
          log.error({ err: hookErr }, 'failure hook failed'),
        );
      } else {
        log.warn({ err: reason, attempt: job.attemptsStarted }, 'job attempt failed; retrying');
        await markRetrying(prisma, jobId, `attempt ${job.attemptsStarted} failed: ${reason}`);
      }
      throw err;
    }
  };
}
