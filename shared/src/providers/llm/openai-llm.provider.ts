// Structured completions from any OpenAI-compatible `POST {baseUrl}/chat/completions` endpoint (OpenAI, Azure-
// compatible gateways, vLLM, Ollama's /v1, LiteLLM, OpenRouter …) with `response_format: json_schema` (strict).
//
// Per call: the action's fallback chain of models is tried in order. For each model,
//   - 429 / 5xx / network errors / timeouts are retried with backoff honouring Retry-After (http/retry.ts),
//   - an answer that is not JSON or does not match the zod schema is "repaired": the model gets its answer back
//     with the validation errors as a follow-up user message, at most `maxRepairs` times,
//   - then the next model is tried: at once on 400/401/403/404 (and any other permanent status) or a refusal,
//     after the retries/repairs on everything else.
// Every HTTP attempt (each retry, each repair, each model) records exactly one cost row.
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import type { Dispatcher } from 'undici';
import type { ZodType } from 'zod';
import type { Logger } from '../../logger/index.js';
import { tokenCost, type CostRecorder, type PriceTable } from '../http/cost.js';
import { ProviderError } from '../http/provider-error.js';
import { postToProvider, type ProviderEndpoint } from '../http/provider-http.js';
import { DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy } from '../http/retry.js';
import { describeIssues } from '../../validation/describe-issues.js';
import { extractJsonText, parseChatResponse, readUsage } from './chat-response.js';
import type { LlmAction, LlmProvider, LlmRequest, LlmResult } from './llm-provider.js';
import { nullsToOptional, plainJsonSchema, toStrictJsonSchema } from './strict-json-schema.js';

export type ModelChains = Partial<Record<LlmAction | 'default', readonly string[]>>;

export interface OpenAILlmOptions {
  baseUrl: string;
  apiKey?: string;
  /** Fallback chain per action, e.g. `{ structuring: ['gpt-4o', 'gpt-4o-mini'], default: ['gpt-4o-mini'] }`. */
  models: ModelChains;
  /** Per-request timeout. Default 120 s. */
  timeoutMs?: number;
  /** Follow-up requests with the validation error after an invalid answer, per model. Default 2. */
  maxRepairs?: number;
  /** Sent only when set (some reasoning models reject it). */
  temperature?: number;
  /** Sent as `max_completion_tokens` (or `max_tokens`, see below) only when set. */
  maxOutputTokens?: number;
  /** Older compatible servers only know `max_tokens`. Default `max_completion_tokens`. */
  maxTokensParam?: 'max_completion_tokens' | 'max_tokens';
  /** `json_schema.strict`. Default true. */
  strict?: boolean;
  /**
   * `json_schema` (default): structured outputs. `json_object`: for compatible servers without json_schema
   * support — the schema is appended to the system message and the answer is validated (and repaired) the same.
   */
  responseFormat?: 'json_schema' | 'json_object';
  retry?: Partial<RetryPolicy>;
  prices?: PriceTable;
  recorder?: CostRecorder;
  logger?: Logger;
  /** Provider name in cost rows and errors. Default `openai`. */
  providerName?: string;
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
  sleep?: (ms: number) => Promise<void>;
}

interface Message {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

type Outcome<T> = { ok: true; value: T; unitsIn: number; unitsOut: number } | { ok: false; content: string; problem: string };

interface Tally {
  attempts: number;
  costUsd: number;
}

const MAX_PROBLEM_CHARS = 4000;

/** zod issues as `path: message` lines (what the model gets back to repair its answer). */
export function repairMessage(schemaName: string, problem: string): string {
  return (
    `Your previous answer is not valid for the JSON schema "${schemaName}":\n${problem}\n` +
    'Reply again with the complete, corrected JSON object only — no explanations.'
  );
}

export class OpenAILlmProvider implements LlmProvider {
  readonly name: string;
  private readonly endpoint: ProviderEndpoint;
  private readonly policy: RetryPolicy;
  private readonly schemas = new WeakMap<ZodType, { plain: Record<string, unknown>; strict: Record<string, unknown> }>();

  constructor(private readonly opts: OpenAILlmOptions) {
    if (!opts.baseUrl) throw new TypeError('openai llm: baseUrl is required');
    const chains = Object.values(opts.models ?? {});
    if (!chains.some((c) => c && c.length > 0)) throw new TypeError('openai llm: at least one model is required');
    this.name = opts.providerName ?? 'openai';
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    this.endpoint = {
      provider: this.name,
      baseUrl: opts.baseUrl,
      apiKey: opts.apiKey,
      timeoutMs: opts.timeoutMs ?? 120_000,
      dispatcher: opts.dispatcher,
      headers: opts.headers,
    };
  }

  /** The models tried for an action, in order. */
  modelsFor(action: LlmAction): readonly string[] {
    const chain = this.opts.models[action];
    return chain && chain.length > 0 ? chain : (this.opts.models.default ?? []);
  }

  async complete<T>(req: LlmRequest<T>): Promise<LlmResult<T>> {
    const models = this.modelsFor(req.action);
    if (models.length === 0) {
      throw new ProviderError(`${this.name}: no model configured for ${req.action}`, { provider: this.name, code: 'not_configured', permanent: true });
    }
    const started = performance.now();
    const tally: Tally = { attempts: 0, costUsd: 0 };
    const failures: { model: string; error: ProviderError }[] = [];
    for (const model of models) {
      try {
        const out = await this.completeWithModel(model, req, tally);
        return {
          value: out.value,
          provider: this.name,
          model,
          ...(req.promptRef === undefined ? {} : { promptRef: req.promptRef }),
          unitsIn: out.unitsIn,
          unitsOut: out.unitsOut,
          costUsd: Math.round(tally.costUsd * 1e10) / 1e10,
          latencyMs: Math.round(performance.now() - started),
          attempts: tally.attempts,
        };
      } catch (e) {
        if (!(e instanceof ProviderError) || e.code === 'invalid_input' || e.code === 'not_configured') throw e;
        failures.push({ model, error: e });
        const next = models[models.indexOf(model) + 1];
        if (next) {
          this.opts.logger?.warn({ provider: this.name, action: req.action, model, next, status: e.status, code: e.code }, 'llm model failed; trying the next model');
        }
      }
    }
    const last = failures[failures.length - 1]!.error;
    const detail = failures.map((f) => `${f.model}: ${f.error.message}`).join('; ');
    throw new ProviderError(`${this.name}: ${req.action} failed with every model (${detail})`.slice(0, 2000), {
      provider: this.name,
      code: last.code,
      permanent: failures.every((f) => f.error.permanent),
      status: last.status,
      attempts: tally.attempts,
      cause: last,
    });
  }

  private async completeWithModel<T>(model: string, req: LlmRequest<T>, tally: Tally): Promise<{ value: T; unitsIn: number; unitsOut: number }> {
    const system =
      this.opts.responseFormat === 'json_object'
        ? `${req.system}\n\nAnswer with one JSON object that matches this JSON Schema ("${req.schemaName}"):\n${JSON.stringify(this.jsonSchemasFor(req.schema).strict)}`
        : req.system;
    const messages: Message[] = [
      { role: 'system', content: system },
      { role: 'user', content: req.user },
    ];
    const maxRepairs = this.opts.maxRepairs ?? 2;
    for (let round = 0; ; round++) {
      const outcome = await withRetries(() => this.attempt(model, messages, req, tally), this.policy, {
        sleep: this.opts.sleep,
        onRetry: (e, attempt, delayMs) =>
          this.opts.logger?.warn({ provider: this.name, model, status: e.status, code: e.code, attempt, delayMs }, 'llm request failed; retrying'),
      });
      if (outcome.ok) return outcome;
      if (round >= maxRepairs) {
        throw new ProviderError(`${this.name}: ${model} gave no valid ${req.schemaName} in ${round + 1} answers: ${outcome.problem.slice(0, 500)}`, {
          provider: this.name,
          code: 'invalid_response',
          permanent: true,
        });
      }
      this.opts.logger?.warn({ provider: this.name, model, action: req.action, round: round + 1 }, 'llm answer invalid; asking for a repair');
      messages.push({ role: 'assistant', content: outcome.content }, { role: 'user', content: repairMessage(req.schemaName, outcome.problem) });
    }
  }

  private jsonSchemasFor(schema: ZodType): { plain: Record<string, unknown>; strict: Record<string, unknown> } {
    let json = this.schemas.get(schema);
    if (!json) {
      const plain = plainJsonSchema(schema);
      json = { plain, strict: toStrictJsonSchema(plain) };
      this.schemas.set(schema, json);
    }
    return json;
  }

  /** One HTTP attempt; records exactly one cost row whatever happens (unless the recorder itself throws). */
  private async attempt<T>(model: string, messages: readonly Message[], req: LlmRequest<T>, tally: Tally): Promise<Outcome<T>> {
    const body: Record<string, unknown> = {
      model,
      messages,
      response_format:
        this.opts.responseFormat === 'json_object'
          ? { type: 'json_object' }
          : { type: 'json_schema', json_schema: { name: req.schemaName, schema: this.jsonSchemasFor(req.schema).strict, strict: this.opts.strict ?? true } },
    };
    if (this.opts.temperature !== undefined) body.temperature = this.opts.temperature;
    if (this.opts.maxOutputTokens !== undefined) body[this.opts.maxTokensParam ?? 'max_completion_tokens'] = this.opts.maxOutputTokens;

    tally.attempts++;
    const started = performance.now();
    let outcome: Outcome<T> | undefined;
    let failure: ProviderError | undefined;
    let unitsIn = 0;
    let unitsOut = 0;
    try {
      const res = await postToProvider(this.endpoint, '/chat/completions', { json: body });
      const usage = readUsage(res.json);
      unitsIn = usage.promptTokens ?? 0;
      unitsOut = usage.completionTokens ?? 0;
      const answer = parseChatResponse(res.json, this.name);
      const content = answer.content ?? '';
      unitsIn = answer.promptTokens ?? countTokens(messages.map((m) => m.content).join('\n'));
      unitsOut = answer.completionTokens ?? countTokens(content);
      if (answer.refusal) {
        failure = new ProviderError(`${this.name}: ${model} refused: ${answer.refusal.slice(0, 300)}`, { provider: this.name, code: 'invalid_response', permanent: true });
      } else {
        outcome = this.validate(content, answer.finishReason, req.schema);
      }
    } catch (e) {
      if (!(e instanceof ProviderError)) throw e;
      failure = e;
    }

    const costUsd = tokenCost(this.opts.prices, model, unitsIn, unitsOut);
    tally.costUsd += costUsd;
    const error = failure?.message ?? (outcome && !outcome.ok ? `invalid answer: ${outcome.problem}` : undefined);
    await this.opts.recorder?.record({
      tenantId: req.ctx.tenantId,
      jobId: req.ctx.jobId ?? null,
      action: req.action,
      provider: this.name,
      model,
      ...(req.promptRef === undefined ? {} : { promptRef: req.promptRef }),
      unitsIn,
      unitsOut,
      costUsd,
      latencyMs: Math.round(performance.now() - started),
      success: error === undefined,
      ...(error === undefined ? {} : { error: error.slice(0, 500) }),
    });
    if (failure) throw failure;
    if (outcome?.ok) return { ...outcome, unitsIn, unitsOut };
    return outcome!;
  }

  private validate<T>(content: string, finishReason: string | null, schema: ZodType<T>): Outcome<T> {
    const cutOff = finishReason === 'length' ? ' (the answer was cut off at the output token limit; be more concise)' : '';
    if (!content.trim()) return { ok: false, content, problem: `the answer is empty${cutOff}` };
    let json: unknown;
    try {
      json = JSON.parse(extractJsonText(content));
    } catch (e) {
      return { ok: false, content, problem: `the answer is not valid JSON: ${(e as Error).message}${cutOff}`.slice(0, MAX_PROBLEM_CHARS) };
    }
    const parsed = schema.safeParse(nullsToOptional(json, this.jsonSchemasFor(schema).plain));
    if (!parsed.success) return { ok: false, content, problem: describeIssues(parsed.error.issues).slice(0, MAX_PROBLEM_CHARS) };
    return { ok: true, value: parsed.data, unitsIn: 0, unitsOut: 0 };
  }
}
