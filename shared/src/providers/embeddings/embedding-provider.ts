// The embedding provider contract shared by the local and HTTP implementations and the caching wrapper.

export interface EmbedContext {
  tenantId: string;
  jobId?: string | null;
  /** What the embedding is for, recorded with its cost: `embed` (materials), `search`, `check` … */
  action: string;
}

export interface EmbeddingProvider {
  /** `local`, `openai` … — recorded as the cost row's provider. */
  readonly name: string;
  readonly model: string;
  readonly dimensions: number;
  /** One vector per text, in input order, each of length `dimensions`. */
  embed(texts: readonly string[], ctx: EmbedContext): Promise<number[][]>;
}
