// Splitting inputs into requests that respect an embeddings API's limits (OpenAI: 2,048 inputs and 300k tokens
// per request). Batches are contiguous so results can be written back by offset.

export interface BatchLimits {
  maxInputs: number;
  maxTokens: number;
}

export interface Batch {
  start: number;
  end: number; // exclusive
  tokens: number;
}

export function planBatches(tokenCounts: readonly number[], limits: BatchLimits): Batch[] {
  const batches: Batch[] = [];
  let start = 0;
  let tokens = 0;
  for (let i = 0; i < tokenCounts.length; i++) {
    const t = tokenCounts[i]!;
    if (t > limits.maxTokens) throw new RangeError(`input ${i} has ${t} tokens, more than ${limits.maxTokens} per request`);
    if (i > start && (i - start >= limits.maxInputs || tokens + t > limits.maxTokens)) {
      batches.push({ start, end: i, tokens });
      start = i;
      tokens = 0;
    }
    tokens += t;
  }
  if (tokenCounts.length > start) batches.push({ start, end: tokenCounts.length, tokens });
  return batches;
}
