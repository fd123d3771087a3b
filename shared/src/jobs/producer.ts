// Enqueueing is a database write: the job row and its outbox entry are written in the caller's transaction,
// together with the data they concern. The outbox relay hands them to BullMQ (DESIGN.md §2).
import type { z } from 'zod';
import type { Prisma } from '../db/client.js';
import { newId } from '../db/ids.js';
import type { JobDefinition } from './definitions.js';

export interface EnqueueOptions {
  nodeId?: string | null;
  subjectId?: string | null;
  priority?: number;
  dependsOn?: string[];
  /** Use a pre-allocated id (e.g. when a material row must reference its job in the same transaction). */
  id?: string;
}

export async function enqueue<S extends z.ZodType>(
  tx: Prisma.TransactionClient,
  tenantId: string,
  def: JobDefinition<S>,
  payload: z.input<S>,
  opts: EnqueueOptions = {},
) {
  const parsed = def.schema.parse(payload) as Prisma.InputJsonValue; // refuse a bad payload before storing it
  const id = opts.id ?? newId();
  const job = await tx.job.create({
    data: {
      id,
      tenantId,
      jobType: def.jobType,
      name: def.name,
      queue: def.queue,
      priority: opts.priority ?? 0,
      nodeId: opts.nodeId ?? null,
      subjectId: opts.subjectId ?? null,
      payload: parsed,
      dependsOn: opts.dependsOn ?? [],
    },
  });
  await tx.jobOutbox.create({ data: { jobId: id } });
  return job;
}
