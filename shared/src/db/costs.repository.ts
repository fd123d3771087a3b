// Cost rows: every provider call (each attempt) becomes one provider_calls row.
import type { PrismaClient } from './client.js';
import { newId } from './ids.js';
import type { CostRecorder, CostRow } from '../providers/http/cost.js';
import { metrics } from '../metrics/index.js';

export type ProviderKind = 'embedding' | 'llm' | 'transcription';

export function dbCostRecorder(prisma: PrismaClient, kind: ProviderKind): CostRecorder {
  return {
    async record(row: CostRow) {
      const m = metrics();
      m.providerCalls.inc({ kind, provider: row.provider, model: row.model, status: row.success ? 'ok' : 'error' });
      if (row.costUsd > 0) m.providerCost.inc({ kind, provider: row.provider, model: row.model }, row.costUsd);
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
