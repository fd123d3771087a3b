// Cost accounting for provider calls: every HTTP attempt (and every local-provider call) is reported exactly once
// to an injected CostRecorder, which the application turns into a cost row (GET /reports/cost).
import { z } from 'zod';

export interface CostRow {
  tenantId: string;
  jobId: string | null;
  /** What the call was for: `embed`, `search`, `check`, `transcribe`, `structuring` … */
  action: string;
  provider: string;
  model: string;
  /** Billed input units: tokens for embeddings/LLMs, audio seconds for transcription. 0 for failed attempts. */
  unitsIn: number;
  /** Billed output units: completion tokens for LLMs, transcript tokens for transcription, 0 for embeddings. */
  unitsOut: number;
  costUsd: number;
  latencyMs: number;
  success: boolean;
  /** Short reason for a failed attempt (never a key or input text). */
  error?: string;
  /** Versioned prompt file used, for LLM calls. */
  promptRef?: string;
}

export interface CostRecorder {
  record(row: CostRow): void | Promise<void>;
}

export const noopCostRecorder: CostRecorder = { record: () => {} };

/** Collects rows in memory (tests, benchmarks). */
export class MemoryCostRecorder implements CostRecorder {
  readonly rows: CostRow[] = [];
  record(row: CostRow): void {
    this.rows.push(row);
  }
}

export interface ModelPrice {
  inputUsdPer1M?: number;
  outputUsdPer1M?: number;
  usdPerMinute?: number;
}

/** Prices by model id. Models missing from the table cost 0 (and are still recorded). */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * Config shape for a price table, e.g. PROVIDER_PRICES=
 * `{"text-embedding-3-small":{"input_usd_per_1m":0.02},"whisper-1":{"usd_per_minute":0.006}}`
 */
export const priceTableSchema = z
  .record(
    z.string().min(1),
    z
      .object({
        input_usd_per_1m: z.number().nonnegative().optional(),
        output_usd_per_1m: z.number().nonnegative().optional(),
        usd_per_minute: z.number().nonnegative().optional(),
      })
      .strict(),
  )
  .transform(
    (t): PriceTable =>
      Object.fromEntries(
        Object.entries(t).map(([model, p]) => [
          model,
          { inputUsdPer1M: p.input_usd_per_1m, outputUsdPer1M: p.output_usd_per_1m, usdPerMinute: p.usd_per_minute },
        ]),
      ),
  );

const round = (usd: number) => Math.round(usd * 1e10) / 1e10;

export function tokenCost(prices: PriceTable | undefined, model: string, unitsIn: number, unitsOut = 0): number {
  const p = prices?.[model];
  if (!p) return 0;
  return round(((p.inputUsdPer1M ?? 0) * unitsIn + (p.outputUsdPer1M ?? 0) * unitsOut) / 1_000_000);
}

export function audioCost(prices: PriceTable | undefined, model: string, seconds: number): number {
  const p = prices?.[model];
  if (!p?.usdPerMinute) return 0;
  return round((p.usdPerMinute * seconds) / 60);
}
