// REVIEW_PROVIDER=openai against a local server speaking the chat-completions protocol: the model claims every
// criterion is met, quoting one line that is not in the submission; code drops that quote, marks the criterion
// unmet, recomputes the score, and records the call as a cost row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../../../../test/support/api.js';
import { startTestWorker } from '../../../../test/support/worker.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { Client } from '../../../../test/support/flow.js';
import { CRITERIA, homeworkEnv, prepareCourse, submit, TWO_OF_THREE, waitForSubmission } from '../../../../test/support/homework.js';
import { startLocalServer, type LocalServer } from '../../../../shared/src/net/local-server.test-support.js';
import type { WorkerRuntime } from '../../runtime.js';

let api: TestApi;
let worker: WorkerRuntime;
let client: Client;
let tenantId: string;
let model: LocalServer;
const prompts: string[] = [];

const answer = {
  summary: 'Excellent work, everything is done.',
  criteria: [
    { criterion: CRITERIA[0], met: true, evidence: 'def add(a, b):', comment: 'Defines add.' },
    { criterion: CRITERIA[1], met: true, evidence: 'return total', comment: 'Returns the sum.' },
    { criterion: CRITERIA[2], met: true, evidence: 'def add(a, b=1):', comment: 'Uses a default.' }, // not in the file
  ],
  strengths: ['Clear names'],
  issues: [],
  suggestions: ['Add tests'],
  references: [],
};

beforeAll(async () => {
  model = await startLocalServer((req, res, body) => {
    const request = JSON.parse(body.toString('utf8')) as { messages: { content: string }[]; model: string };
    prompts.push(request.messages.map((m) => m.content).join('\n'));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        model: request.model,
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: JSON.stringify(answer) } }],
        usage: { prompt_tokens: 420, completion_tokens: 80, total_tokens: 500 },
      }),
    );
  });
  api = await startTestApi({
    BULLMQ_PREFIX: uniquePrefix('hw-llm'),
    ...homeworkEnv(),
    REVIEW_PROVIDER: 'openai',
    LLM_BASE_URL: model.origin,
    LLM_API_KEY: 'test-key',
    LLM_MODELS: 'stub-model',
    PROVIDER_PRICES: JSON.stringify({ 'stub-model': { input_usd_per_1m: 1, output_usd_per_1m: 2 } }),
  });
  worker = await startTestWorker(api.config);
  const t = await createTestTenant(api.deps.prisma);
  tenantId = t.tenant.id;
  client = new Client(api.url, t.key);
}, 90_000);
afterAll(async () => {
  await worker?.close();
  await api?.close();
  await model?.close();
});

describe('review by a model, checked by code', () => {
  it('drops a fabricated quote, recomputes the score and records the call', async () => {
    const course = await prepareCourse(client);
    const r = await submit(client, { course: course.course, node: course.functions }, TWO_OF_THREE, { criteria: CRITERIA });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const s = await waitForSubmission(client, r.body.submission_id, ['reviewed', 'delivered', 'failed'], 60_000);
    expect(s.status, s.failure_reason).toBe('reviewed');
    expect(s.review.criteria.map((c: { met: boolean }) => c.met)).toEqual([true, true, false]);
    expect(s.review.criteria[2].comment).toMatch(/evidence not found in submission/);
    expect(s.score).toBe(67);
    expect(s.review).toMatchObject({ score: 67, verdict: 'partial', passed: true });
    expect(prompts.at(-1)).toContain('def add(a, b):'); // the model saw the submission
    const calls = await api.deps.prisma.providerCall.findMany({ where: { tenantId, action: 'review' } });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ kind: 'llm', provider: 'openai', model: 'stub-model', promptRef: 'review.v1', unitsIn: 420, unitsOut: 80, success: true });
    expect(Number(calls[0]?.costUsd)).toBeCloseTo((420 * 1 + 80 * 2) / 1e6, 9);
  }, 90_000);
});
