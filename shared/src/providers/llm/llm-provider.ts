// The structured-completion contract shared by the local (deterministic) and OpenAI-compatible providers.
// A call asks for a value of a zod schema; the provider returns it validated, with what it cost.
import type { ZodType } from 'zod';

export type LlmAction = 'structuring' | 'reconcile' | 'refine' | 'review';
export const LLM_ACTIONS: readonly LlmAction[] = ['structuring', 'reconcile', 'refine', 'review'];

export interface LlmContext {
  tenantId: string;
  jobId?: string | null;
}

/** What the local provider returns instead of a model's answer. */
export interface LocalCompletion<T> {
  value: T;
  /** Units of work, recorded in the cost row (the local builder counts words read and written). */
  unitsIn: number;
  unitsOut: number;
}

export interface LlmRequest<T> {
  action: LlmAction;
  schema: ZodType<T>;
  /** `json_schema.name`: a-z, A-Z, 0-9, _ and -, at most 64 characters. */
  schemaName: string;
  system: string;
  user: string;
  ctx: LlmContext;
  /** Versioned prompt used ("structure.v1"), recorded in cost rows and returned. */
  promptRef?: string;
  /**
   * The deterministic computation the local provider runs instead of a model. HTTP providers ignore it; the
   * local provider fails (permanently) without it.
   */
  local?: () => LocalCompletion<T> | Promise<LocalCompletion<T>>;
}

export interface LlmResult<T> {
  value: T;
  provider: string;
  /** The model that produced `value` (after any fallbacks). */
  model: string;
  promptRef?: string;
  /** Tokens (or local units) of the successful attempt. */
  unitsIn: number;
  unitsOut: number;
  /** Cost of ALL attempts of this call (failed attempts, repairs and fallbacks included). */
  costUsd: number;
  /** Wall time of the whole call, retries and waits included. */
  latencyMs: number;
  /** HTTP attempts made (1 for the local provider). */
  attempts: number;
}

export interface LlmProvider {
  /** `local`, `openai` … — recorded as the cost row's provider. */
  readonly name: string;
  /** The models tried for an action, in order (the local provider: its one model id). */
  modelsFor(action: LlmAction): readonly string[];
  complete<T>(request: LlmRequest<T>): Promise<LlmResult<T>>;
}
