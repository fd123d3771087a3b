// The default, offline LLM provider: it calls no model. The caller supplies the deterministic computation
// (`request.local`, e.g. the local structure builder); this provider validates its value against the request's
// schema and reports the call like any other — one cost row with provider "local" and cost 0 — so snapshots and
// the cost report show local work next to paid calls, labelled as heuristic by its model id.
import type { CostRecorder } from '../http/cost.js';
import { ProviderError } from '../http/provider-error.js';
import type { LlmProvider, LlmRequest, LlmResult } from './llm-provider.js';
import { describeIssues } from '../../validation/describe-issues.js';

export const LOCAL_LLM_MODEL = 'heuristic-v1';

export interface LocalLlmOptions {
  /** Model id recorded in cost rows and snapshots. Default `heuristic-v1`. */
  model?: string;
  recorder?: CostRecorder;
}

export class LocalLlmProvider implements LlmProvider {
  readonly name = 'local';
  readonly model: string;

  constructor(private readonly opts: LocalLlmOptions = {}) {
    this.model = opts.model ?? LOCAL_LLM_MODEL;
  }

  modelsFor(): readonly string[] {
    return [this.model];
  }

  async complete<T>(req: LlmRequest<T>): Promise<LlmResult<T>> {
    const started = performance.now();
    let unitsIn = 0;
    let unitsOut = 0;
    let value: T | undefined;
    let failure: ProviderError | undefined;
    try {
      if (!req.local) {
        throw new ProviderError(`local: no local implementation for ${req.action} (configure an LLM provider for it)`, {
          provider: this.name,
          code: 'not_configured',
          permanent: true,
        });
      }
      const out = await req.local();
      unitsIn = out.unitsIn;
      unitsOut = out.unitsOut;
      const parsed = req.schema.safeParse(out.value);
      if (!parsed.success) {
        throw new ProviderError(`local: ${req.action} produced an invalid ${req.schemaName}:\n${describeIssues(parsed.error.issues)}`, {
          provider: this.name,
          code: 'invalid_response',
          permanent: true,
        });
      }
      value = parsed.data;
    } catch (e) {
      failure = e instanceof ProviderError ? e : new ProviderError(`local: ${req.action} failed: ${(e as Error).message}`, { provider: this.name, code: 'invalid_response', permanent: true, cause: e });
    }
    const latencyMs = Math.round(performance.now() - started);
    await this.opts.recorder?.record({
      tenantId: req.ctx.tenantId,
      jobId: req.ctx.jobId ?? null,
      action: req.action,
      provider: this.name,
      model: this.model,
      ...(req.promptRef === undefined ? {} : { promptRef: req.promptRef }),
      unitsIn,
      unitsOut,
      costUsd: 0,
      latencyMs,
      success: failure === undefined,
      ...(failure === undefined ? {} : { error: failure.message.slice(0, 500) }),
    });
    if (failure) throw failure;
    return {
      value: value as T,
      provider: this.name,
      model: this.model,
      ...(req.promptRef === undefined ? {} : { promptRef: req.promptRef }),
      unitsIn,
      unitsOut,
      costUsd: 0,
      latencyMs,
      attempts: 1,
    };
  }
}
