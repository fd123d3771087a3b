// Enqueueing is a database write: the job rows and their outbox entries are written in the caller's transaction,
// together with the data they concern. The outbox relay of the target's BULLMQ_PREFIX hands them to BullMQ
// (DESIGN.md §2); a NOTIFY, delivered by Postgres only when the transaction commits, wakes it at once.
//
// The NOTIFY is sent only when no other entry of the prefix was written in the last NOTIFY_QUIET_MS. Postgres
// serialises the commits of every notifying transaction of the cluster (one lock held through the commit's WAL
// flush), so a NOTIFY per job turns concurrent enqueues into one commit at a time (measured with pgbench, 16
// clients, one insert per transaction: ~1,750 commits/s without NOTIFY, ~200–250 with). Skipping it is safe for
// the guarantee (the entry is committed with the job; every relay also polls) and costs no latency in the usual
// case: an entry written less than NOTIFY_QUIET_MS before this statement was committed by a producer that
// notified, or that saw an entry of one that did, …; each notification keeps the woken relays looking (after
// 10, 20, 40, … ms) for RELAY_BUSY_MS after it and after every batch they move (outbox-relay.ts), which covers a
// commit up to RELAY_BUSY_MS − 2 × NOTIFY_QUIET_MS after its statement. A transaction that commits later than that
// after its enqueue, while others enqueued just before it, waits for the relay's poll (1 s).
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
/** No NOTIFY when another entry of the prefix is this fresh (see the top of this file). */
export const NOTIFY_QUIET_MS = 100;

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
 * over by entry id) and the wake-up when one is needed. Column arrays, so the statement has the same ten parameters for one job or a
 * thousand. Returns the ids in request order.
 */
export async function enqueueMany(tx: Prisma.TransactionClient, target: JobTarget, tenantId: string, requests: JobRequest[]): Promise<{ id: string }[]> {
  if (!requests.length) return [];
  const ids = requests.map((r) => r.opts?.id ?? newId());
  const col = <T>(f: (r: JobRequest) => T) => requests.map(f);
  const payloads = col(({ def, payload }) => JSON.stringify(def.schema.parse(payload))); // refuse a bad payload before storing it
  await tx.$executeRaw`
    WITH input AS (
      SELECT * FROM unnest(${ids}::uuid[], ${col((r) => r.def.jobType)}::"JobType"[], ${col((r) => r.def.name)}::text[],
                           ${col((r) => r.def.queue)}::text[], ${col((r) => r.opts?.priority ?? 0)}::int[],
                           ${col((r) => r.opts?.nodeId ?? null)}::uuid[], ${col((r) => r.opts?.subjectId ?? null)}::uuid[],
                           ${payloads}::jsonb[], ${col((r) => JSON.stringify(r.opts?.dependsOn ?? []))}::jsonb[])
        WITH ORDINALITY AS t(id, job_type, name, queue, priority, node_id, subject_id, payload, depends_on, n)
    ), created AS (
      INSERT INTO jobs (id, tenant_id, job_type, name, queue, prefix, priority, materialnode_id, subject_id, payload,
                        depends_on, updated_at)
      SELECT id, ${tenantId}::uuid, job_type, name, queue, ${target.prefix}, priority, node_id, subject_id, payload,
             ARRAY(SELECT jsonb_array_elements_text(depends_on)::uuid), now()
      FROM input
      RETURNING 1
    ), entries AS (
      INSERT INTO job_outbox (job_id, prefix) SELECT id, ${target.prefix} FROM input ORDER BY n RETURNING 1
    )
    SELECT pg_notify(${OUTBOX_CHANNEL}, ${target.prefix}) FROM (SELECT count(*) FROM entries) e
    WHERE NOT EXISTS (
      -- Another fresh entry (a new one's next_attempt_at is its transaction's start; leased and backed-off entries
      -- lie in the future): by the (prefix, next_attempt_at) index, at most the entries of the last moment.
      SELECT 1 FROM job_outbox o
      WHERE o.prefix = ${target.prefix}
        AND o.next_attempt_at > statement_timestamp() - make_interval(secs => ${NOTIFY_QUIET_MS / 1000})
        AND o.next_attempt_at <= statement_timestamp())`;
  return ids.map((id) => ({ id }));
}
