// Enqueueing is a database write: the job rows and their outbox entries are written in the caller's transaction,
// together with the data they concern. The outbox relay of the target's BULLMQ_PREFIX hands them to BullMQ
// (DESIGN.md §2); a NOTIFY, delivered by Postgres only when the transaction commits, wakes it at once.
import type { z } from 'zod';
import type { Prisma } from '../db/client.js';
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
) {
  const [job] = await enqueueMany(tx, target, tenantId, [{ def, payload, opts }]);
  return job as NonNullable<typeof job>;
}

/** Several jobs of one request in two statements (rows, then outbox entries with the wake-up), in order. */
export async function enqueueMany(tx: Prisma.TransactionClient, target: JobTarget, tenantId: string, requests: JobRequest[]) {
  if (!requests.length) return [];
  const data = requests.map(({ def, payload, opts = {} }) => ({
    id: opts.id ?? newId(),
    tenantId,
    jobType: def.jobType,
    name: def.name,
    queue: def.queue,
    prefix: target.prefix,
    priority: opts.priority ?? 0,
    nodeId: opts.nodeId ?? null,
    subjectId: opts.subjectId ?? null,
    payload: def.schema.parse(payload) as Prisma.InputJsonValue, // refuse a bad payload before storing it
    dependsOn: opts.dependsOn ?? [],
  }));
  const rows = await tx.job.createManyAndReturn({ data });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const ids = data.map((d) => d.id);
  // Entries in request order (the relay hands over by entry id); pg_notify runs once for the statement.
  await tx.$executeRaw`
    WITH entries AS (
      INSERT INTO job_outbox (job_id, prefix) SELECT id, ${target.prefix} FROM unnest(${ids}::uuid[]) WITH ORDINALITY AS t(id, n)
      ORDER BY n RETURNING 1)
    SELECT pg_notify(${OUTBOX_CHANNEL}, ${target.prefix}) WHERE EXISTS (SELECT 1 FROM entries)`;
  return ids.map((id) => byId.get(id) as (typeof rows)[number]);
}
