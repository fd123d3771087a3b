// Enqueueing is a database write: the job rows and their outbox entries are written in the caller's transaction,
// together with the data they concern. The outbox relay of the target's BULLMQ_PREFIX hands them to BullMQ
// (DESIGN.md §2); a NOTIFY, delivered by Postgres only when the transaction commits, wakes it at once.
import type { z } from 'zod';
import { Prisma } from '../db/client.js';
import { newId } from '../db/ids.js';
import type { JobDefinition } from './definitions.js';

/** Where jobs go: the BULLMQ_PREFIX of the deployment that runs them (a QueueSet is one). */
export interface JobTarget {
  readonly prefix: string;
}

/** The channel the relays LISTEN on; the payload is the prefix whose outbox got entries. */
export const OUTBOX_CHANNEL = 'cs_job_outbox';

export interface EnqueueOptions {
  nodeId?: string | null;
  subjectId?: string | null;
  priority?: number;
  dependsOn?: string[];
  /** Use a pre-allocated id (e.g. when a material row must reference its job in the same transaction). */
  id?: string;
}

export interface JobRequest<S extends z.ZodType = z.ZodType> {
  def: JobDefinition<S>;
  payload: z.input<S>;
  opts?: EnqueueOptions;
}

/** One job: its row and its outbox entry. */
export async function enqueue<S extends z.ZodType>(
  tx: Prisma.TransactionClient,
  target: JobTarget,
  tenantId: string,
  def: JobDefinition<S>,
  payload: z.input<S>,
  opts: EnqueueOptions = {},
): Promise<{ id: string }> {
  const [job] = await enqueueMany(tx, target, tenantId, [{ def, payload, opts }]);
  return job as { id: string };
}

/**
 * Several jobs of one request in one statement: the rows, their outbox entries (in request order: the relay hands
 * over by entry id) and the wake-up. Returns the ids in request order.
 */
export async function enqueueMany(tx: Prisma.TransactionClient, target: JobTarget, tenantId: string, requests: JobRequest[]): Promise<{ id: string }[]> {
  if (!requests.length) return [];
  const ids = requests.map((r) => r.opts?.id ?? newId());
  const values = requests.map(({ def, payload, opts = {} }, i) => {
    const parsed = def.schema.parse(payload) as unknown; // refuse a bad payload before storing it
    return Prisma.sql`(${ids[i]}::uuid, ${tenantId}::uuid, ${def.jobType}::"JobType", ${def.name}, ${def.queue}, ${target.prefix},
      ${opts.priority ?? 0}, ${opts.nodeId ?? null}::uuid, ${opts.subjectId ?? null}::uuid, ${JSON.stringify(parsed)}::jsonb,
      ${opts.dependsOn ?? []}::uuid[], now())`;
  });
  const entries = ids.map((id) => Prisma.sql`(${id}::uuid, ${target.prefix})`);
  await tx.$executeRaw`
    WITH created AS (
      INSERT INTO jobs (id, tenant_id, job_type, name, queue, prefix, priority, materialnode_id, subject_id, payload,
                        depends_on, updated_at)
      VALUES ${Prisma.join(values)} RETURNING 1
    ), entries AS (
      INSERT INTO job_outbox (job_id, prefix) VALUES ${Prisma.join(entries)} RETURNING 1
    )
    SELECT pg_notify(${OUTBOX_CHANNEL}, ${target.prefix}) FROM (SELECT count(*) FROM entries) e`;
  return ids.map((id) => ({ id }));
}
