import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MemoryCostRecorder } from '../http/cost.js';
import { createLlmProvider, parseModelChain } from './llm.factory.js';
import { LocalLlmProvider } from './local-llm.provider.js';
import { OpenAILlmProvider } from './openai-llm.provider.js';

const S = z.object({ n: z.number().int() });
const ctx = { tenantId: 't1', jobId: 'j1' };

describe('LocalLlmProvider', () => {
  it('runs the local computation, validates it and records one zero-cost row', async () => {
    const recorder = new MemoryCostRecorder();
    const p = new LocalLlmProvider({ recorder });
    const out = await p.complete({ action: 'structuring', schema: S, schemaName: 's', system: '', user: '', ctx, promptRef: 'structure.v1', local: () => ({ value: { n: 3 }, unitsIn: 120, unitsOut: 40 }) });
    expect(out).toMatchObject({ value: { n: 3 }, provider: 'local', model: 'heuristic-v1', promptRef: 'structure.v1', unitsIn: 120, unitsOut: 40, costUsd: 0, attempts: 1 });
    expect(recorder.rows).toEqual([
      expect.objectContaining({ tenantId: 't1', jobId: 'j1', action: 'structuring', provider: 'local', model: 'heuristic-v1', promptRef: 'structure.v1', unitsIn: 120, unitsOut: 40, costUsd: 0, success: true }),
    ]);
  });

  it('fails permanently without a local computation or with an invalid value, recording the failure once', async () => {
    const recorder = new MemoryCostRecorder();
    const p = new LocalLlmProvider({ recorder });
    await expect(p.complete({ action: 'review', schema: S, schemaName: 's', system: '', user: '', ctx })).rejects.toMatchObject({ code: 'not_configured', permanent: true });
    await expect(p.complete({ action: 'refine', schema: S, schemaName: 's', system: '', user: '', ctx, local: () => ({ value: { n: 1.5 }, unitsIn: 1, unitsOut: 1 }) })).rejects.toMatchObject({
      code: 'invalid_response',
      permanent: true,
    });
    await expect(p.complete({ action: 'refine', schema: S, schemaName: 's', system: '', user: '', ctx, local: () => { throw new Error('boom'); } })).rejects.toThrow(/boom/);
    expect(recorder.rows.map((r) => [r.action, r.success])).toEqual([
      ['review', false],
      ['refine', false],
      ['refine', false],
    ]);
    expect(recorder.rows[1]!.error).toMatch(/- n: /);
  });
});

describe('createLlmProvider', () => {
  it('builds the configured kind', () => {
    expect(createLlmProvider({ kind: 'local' })).toBeInstanceOf(LocalLlmProvider);
    const p = createLlmProvider({ kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', models: { default: ['a'], structuring: parseModelChain(' x, y ,,x') } });
    expect(p).toBeInstanceOf(OpenAILlmProvider);
    expect((p as OpenAILlmProvider).modelsFor('structuring')).toEqual(['x', 'y']);
    expect((p as OpenAILlmProvider).modelsFor('review')).toEqual(['a']);
    expect(() => createLlmProvider({ kind: 'nope' } as never)).toThrow(/Unknown LLM provider/);
  });
});
