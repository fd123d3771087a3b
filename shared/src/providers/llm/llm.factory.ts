// createLlmProvider: plain options in (the lead maps config onto them), a provider out.
import type { CostRecorder } from '../http/cost.js';
import type { LlmProvider } from './llm-provider.js';
import { LocalLlmProvider } from './local-llm.provider.js';
import { OpenAILlmProvider, type OpenAILlmOptions } from './openai-llm.provider.js';

export type LlmProviderOptions = { kind: 'local'; model?: string; recorder?: CostRecorder } | ({ kind: 'openai' } & OpenAILlmOptions);

export function createLlmProvider(opts: LlmProviderOptions): LlmProvider {
  switch (opts.kind) {
    case 'local':
      return new LocalLlmProvider(opts);
    case 'openai':
      return new OpenAILlmProvider(opts);
    default:
      throw new TypeError(`Unknown LLM provider kind: ${String((opts as { kind: unknown }).kind)}`);
  }
}

/**
 * Parses a fallback-chain setting: `"gpt-4o,gpt-4o-mini"` → ['gpt-4o', 'gpt-4o-mini'] (blank entries dropped,
 * duplicates removed, order kept). For config code mapping e.g. LLM_MODELS_STRUCTURING onto `models`.
 */
export function parseModelChain(text: string | undefined): string[] {
  if (!text) return [];
  return [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
}
