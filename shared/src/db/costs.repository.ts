// Cost rows: every provider call (each attempt) becomes one provider_calls row.
import type { PrismaClient } from './client.js';
import { newId } from './ids.js';
import type { CostRecorder, CostRow } from '../providers/http/cost.js';

export type ProviderKind = 'embedding' | 'llm' | 'transcription';

export function dbCostRecorder(prisma: PrismaClient, kind: ProviderKind): CostRecorder {
  return {
    async record(row: CostRow) {
      await prisma.providerCall.create({
        data: {
          id: newId(),
          tenantId: row.tenantId,
          jobId: row.jobId ?? null,
          kind,
          action: row.action,
          provider: row.provider,
          model: row.model,
          promptRef: row.promptRef ?? null,
          unitsIn: Math.round(row.unitsIn),
          unitsOut: Math.round(row.unitsOut),
          costUsd: row.costUsd,
          latencyMs: Math.round(row.latencyMs),
          success: row.success,
          error: row.error?.slice(0, 500) ?? null,
        },
      });
    },
  };
}
