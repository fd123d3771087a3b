// Reading an OpenAI-compatible chat-completions response: the first choice's content (a string, or text parts
// as some compatible servers send), an explicit refusal, the finish reason and the token usage.
import { ProviderError } from '../http/provider-error.js';

export interface ChatAnswer {
  content: string | null;
  refusal: string | null;
  finishReason: string | null;
  promptTokens: number | undefined;
  completionTokens: number | undefined;
}

const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined);

/** Usage is read even from otherwise broken bodies (tokens were billed all the same). */
export function readUsage(json: unknown): { promptTokens: number | undefined; completionTokens: number | undefined } {
  const usage = (json as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } } | null)?.usage;
  return { promptTokens: count(usage?.prompt_tokens), completionTokens: count(usage?.completion_tokens) };
}

/** Throws a retryable ProviderError (`invalid_response`) when the body is not a chat completion. */
export function parseChatResponse(json: unknown, provider: string): ChatAnswer {
  const bad = (message: string) => new ProviderError(`${provider}: invalid chat completion: ${message}`, { provider, code: 'invalid_response', permanent: false });
  const body = json as { choices?: unknown } | null;
  if (!body || typeof body !== 'object' || !Array.isArray(body.choices)) throw bad('no choices array');
  const choice = body.choices[0] as { message?: { content?: unknown; refusal?: unknown }; finish_reason?: unknown } | undefined;
  if (!choice || typeof choice !== 'object' || !choice.message || typeof choice.message !== 'object') throw bad('no message in the first choice');
  const raw = choice.message.content;
  let content: string | null;
  if (typeof raw === 'string') content = raw;
  else if (Array.isArray(raw)) {
    content = raw
      .map((p: unknown) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : ''))
      .join('');
  } else if (raw === null || raw === undefined) content = null;
  else throw bad('message content is neither text nor null');
  const refusal = typeof choice.message.refusal === 'string' && choice.message.refusal.trim() ? choice.message.refusal.trim() : null;
  return {
    content,
    refusal,
    finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
    ...readUsage(json),
  };
}

/** A fenced ```json block or surrounding prose is tolerated: the outermost JSON object is taken. */
export function extractJsonText(content: string): string {
  const trimmed = content.trim();
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(trimmed);
  if (fenced) return fenced[1]!.trim();
  return trimmed;
}
