// The production client against a local node:http server speaking the OpenAI chat-completions protocol.
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { COURSE_STRUCTURE_SCHEMA_NAME, CourseStructure } from '../../generation/course-structure.js';
import { startLocalServer, type LocalServer } from '../../net/local-server.test-support.js';
import { MemoryCostRecorder } from '../http/cost.js';
import { ProviderError } from '../http/provider-error.js';
import { OpenAILlmProvider, type OpenAILlmOptions } from './openai-llm.provider.js';

const KEY = 'sk-test-abcdefghijklmnop1234';
const ctx = { tenantId: 'tenant-a', jobId: 'job-1' };
const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const Answer = z.object({ topic: z.string().min(3), level: z.enum(['easy', 'hard']), note: z.string().optional() });

interface ChatBody {
  model: string;
  messages: { role: string; content: string }[];
  response_format: { type: string; json_schema: { name: string; strict: boolean; schema: Record<string, unknown> } };
}

type Reply = { status?: number; headers?: Record<string, string>; content?: string; raw?: string; refusal?: string; delayMs?: number };

/** A chat-completions endpoint answering from a script (one entry per request, in order; the last repeats). */
async function stub(script: (body: ChatBody, n: number) => Reply) {
  const bodies: ChatBody[] = [];
  const server = await startLocalServer(async (req, res: ServerResponse, raw) => {
    if (req.url !== '/v1/chat/completions' || req.method !== 'POST') return res.writeHead(404).end('{"error":{"message":"no such route"}}');
    if (req.headers.authorization !== `Bearer ${KEY}`) return res.writeHead(401).end('{"error":{"message":"bad key"}}');
    const body = JSON.parse(raw.toString()) as ChatBody;
    bodies.push(body);
    const r = script(body, bodies.length - 1);
    if (r.delayMs) await new Promise((resolve) => setTimeout(resolve, r.delayMs));
    if (res.destroyed) return;
    if (r.status && r.status !== 200) {
      return res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers }).end(JSON.stringify({ error: { message: `status ${r.status} for ${body.model} (key ${KEY})` } }));
    }
    if (r.raw !== undefined) return res.writeHead(200, { 'content-type': 'application/json' }).end(r.raw);
    const promptTokens = body.messages.reduce((s, m) => s + m.content.length, 0);
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: `chatcmpl-${bodies.length}`,
        object: 'chat.completion',
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: r.refusal ? null : (r.content ?? ''), refusal: r.refusal ?? null }, finish_reason: 'stop' }],
        usage: { prompt_tokens: promptTokens, completion_tokens: (r.content ?? '').length, total_tokens: promptTokens + (r.content ?? '').length },
      }),
    );
  });
  servers.push(server);
  return { server, bodies };
}

function client(server: LocalServer, extra: Partial<OpenAILlmOptions> = {}) {
  const recorder = new MemoryCostRecorder();
  const delays: number[] = [];
  const provider = new OpenAILlmProvider({
    baseUrl: `${server.origin}/v1`,
    apiKey: KEY,
    models: { default: ['model-a'] },
    prices: { 'model-a': { inputUsdPer1M: 1, outputUsdPer1M: 2 }, 'model-b': { inputUsdPer1M: 10, outputUsdPer1M: 20 } },
    recorder,
    retry: { maxAttempts: 3, baseDelayMs: 1 },
    sleep: async (ms) => void delays.push(ms),
    ...extra,
  });
  return { provider, recorder, delays };
}

const ask = (provider: OpenAILlmProvider, action: 'structuring' | 'review' = 'structuring') =>
  provider.complete({ action, schema: Answer, schemaName: 'answer', system: 'You answer in JSON.', user: 'Topic of lists?', ctx, promptRef: 'structure.v1' });

const good = JSON.stringify({ topic: 'Python lists', level: 'easy', note: null });

describe('OpenAILlmProvider', () => {
  it('sends a strict json_schema request and accepts a valid structured answer', async () => {
    const { server, bodies } = await stub(() => ({ content: good }));
    const { provider, recorder } = client(server);
    const out = await ask(provider);
    expect(out.value).toEqual({ topic: 'Python lists', level: 'easy' }); // the null of an optional field is dropped
    expect(out).toMatchObject({ provider: 'openai', model: 'model-a', promptRef: 'structure.v1', attempts: 1 });
    const body = bodies[0]!;
    expect(body.model).toBe('model-a');
    expect(body.messages).toEqual([
      { role: 'system', content: 'You answer in JSON.' },
      { role: 'user', content: 'Topic of lists?' },
    ]);
    expect(body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'answer', strict: true } });
    const schema = body.response_format.json_schema.schema as { required: string[]; additionalProperties: boolean; properties: Record<string, { type: unknown }> };
    expect(schema.required.sort()).toEqual(['level', 'note', 'topic']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.note!.type).toEqual(['string', 'null']);
    expect(JSON.stringify(schema)).not.toMatch(/minLength|\$schema/);

    const promptTokens = 'You answer in JSON.'.length + 'Topic of lists?'.length;
    expect(recorder.rows).toEqual([
      expect.objectContaining({
        tenantId: 'tenant-a',
        jobId: 'job-1',
        action: 'structuring',
        provider: 'openai',
        model: 'model-a',
        promptRef: 'structure.v1',
        unitsIn: promptTokens,
        unitsOut: good.length,
        success: true,
      }),
    ]);
    expect(recorder.rows[0]!.costUsd).toBeCloseTo((promptTokens * 1 + good.length * 2) / 1e6, 12);
    expect(out.costUsd).toBeCloseTo(recorder.rows[0]!.costUsd, 12);
  });

  it('accepts a CourseStructure answer under its strict schema', async () => {
    const structure = {
      course: {
        title: 'Python basics',
        summary: 'Lists.',
        modules: [
          {
            title: 'Lists',
            summary: '',
            source_node_id: null,
            lessons: [
              {
                title: 'Creating lists',
                summary: 'How lists are made.',
                source_node_id: null,
                concepts: [{ name: 'List', definition: 'A list is an ordered collection.', source_refs: [{ material_id: 'm1', chunk_id: 'c1', page: 2, slide: null, start_seconds: null, end_seconds: null }] }],
                exercises: [{ title: 'Explain lists', prompt: 'Explain what a list is.', difficulty: 'easy', concept_names: ['list'] }],
                timecodes: null,
                slide_refs: null,
              },
            ],
          },
        ],
      },
    };
    const { server, bodies } = await stub(() => ({ content: JSON.stringify(structure) }));
    const { provider } = client(server);
    const out = await provider.complete({ action: 'structuring', schema: CourseStructure, schemaName: COURSE_STRUCTURE_SCHEMA_NAME, system: 's', user: 'u', ctx });
    expect(out.value.course.modules[0]!.lessons[0]!.concepts[0]!.source_refs[0]).toEqual({ material_id: 'm1', chunk_id: 'c1', page: 2 });
    expect(out.value.course.modules[0]!.lessons[0]!).not.toHaveProperty('timecodes');
    const sent = JSON.stringify(bodies[0]!.response_format.json_schema.schema);
    expect(sent).toContain('"additionalProperties":false');
    expect(sent).not.toContain('"maxLength"');
  });

  it('feeds invalid JSON back with the parse error, then accepts the repaired answer', async () => {
    const { server, bodies } = await stub((_b, n) => ({ content: n === 0 ? '{"topic": "Python lists", "level": ' : good }));
    const { provider, recorder } = client(server);
    const out = await ask(provider);
    expect(out.value.topic).toBe('Python lists');
    expect(bodies).toHaveLength(2);
    const repair = bodies[1]!.messages;
    expect(repair.slice(0, 2)).toEqual(bodies[0]!.messages);
    expect(repair[2]).toEqual({ role: 'assistant', content: '{"topic": "Python lists", "level": ' });
    expect(repair[3]!.role).toBe('user');
    expect(repair[3]!.content).toMatch(/not valid JSON/);
    expect(repair[3]!.content).toContain('"answer"');
    expect(recorder.rows.map((r) => r.success)).toEqual([false, true]);
    expect(recorder.rows[0]!.error).toMatch(/not valid JSON/);
    expect(recorder.rows[0]!.unitsOut).toBeGreaterThan(0); // the invalid answer was billed all the same
    expect(out.costUsd).toBeCloseTo(recorder.rows[0]!.costUsd + recorder.rows[1]!.costUsd, 12);
  });

  it('feeds schema violations back with their paths', async () => {
    const { server, bodies } = await stub((_b, n) => ({ content: n === 0 ? JSON.stringify({ topic: 'x', level: 'medium' }) : good }));
    const { provider, recorder } = client(server);
    await ask(provider);
    const message = bodies[1]!.messages[3]!.content;
    expect(message).toMatch(/- topic: .*3/);
    expect(message).toMatch(/- level: /);
    expect(recorder.rows).toHaveLength(2);
  });

  it('bounds the repairs, then moves to the next model', async () => {
    const { server, bodies } = await stub((b) => ({ content: b.model === 'model-a' ? 'not json at all' : good }));
    const { provider, recorder } = client(server, { maxRepairs: 2, models: { default: ['model-a', 'model-b'] } });
    const out = await ask(provider);
    expect(out.model).toBe('model-b');
    expect(bodies.map((b) => b.model)).toEqual(['model-a', 'model-a', 'model-a', 'model-b']);
    expect(bodies[3]!.messages).toHaveLength(2); // a fresh conversation for the next model
    expect(recorder.rows.map((r) => `${r.model}:${r.success}`)).toEqual(['model-a:false', 'model-a:false', 'model-a:false', 'model-b:true']);

    const only = client(server, { maxRepairs: 1 });
    const e = await ask(only.provider).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e).toMatchObject({ code: 'invalid_response', permanent: true });
    expect(only.recorder.rows).toHaveLength(2);
  });

  it('retries 429 honouring Retry-After, then succeeds', async () => {
    const { server, bodies } = await stub((_b, n) => (n === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { content: good }));
    const { provider, recorder, delays } = client(server);
    const out = await ask(provider);
    expect(out.attempts).toBe(2);
    expect(bodies).toHaveLength(2);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(2000);
    expect(delays[0]).toBeLessThanOrEqual(2200);
    expect(recorder.rows.map((r) => r.success)).toEqual([false, true]);
    expect(recorder.rows[0]).toMatchObject({ unitsIn: 0, unitsOut: 0, costUsd: 0, tenantId: 'tenant-a', jobId: 'job-1', promptRef: 'structure.v1' });
    expect(recorder.rows[0]!.error).toContain('429');
    expect(recorder.rows[0]!.error).not.toContain(KEY);
  });

  it('moves from model A to model B at once on 400, and per action', async () => {
    const { server, bodies } = await stub((b) => (b.model === 'model-a' ? { status: 400 } : { content: good }));
    const { provider, recorder } = client(server, { models: { structuring: ['model-a', 'model-b'], default: ['model-c'] } });
    const out = await ask(provider);
    expect(out.model).toBe('model-b');
    expect(bodies.map((b) => b.model)).toEqual(['model-a', 'model-b']);
    expect(recorder.rows.map((r) => [r.model, r.success, r.tenantId, r.jobId])).toEqual([
      ['model-a', false, 'tenant-a', 'job-1'],
      ['model-b', true, 'tenant-a', 'job-1'],
    ]);
    expect(out.costUsd).toBeCloseTo(recorder.rows[1]!.costUsd, 12);
    await ask(provider, 'review');
    expect(bodies[2]!.model).toBe('model-c');
  });

  it('retries 5xx with backoff before falling back, and reports every model when all fail', async () => {
    const { server, bodies } = await stub((b) => (b.model === 'model-a' ? { status: 503 } : { status: 404 }));
    const { provider, recorder } = client(server, { models: { default: ['model-a', 'model-b'] } });
    const e = (await ask(provider).catch((x: unknown) => x)) as ProviderError;
    expect(bodies.map((b) => b.model)).toEqual(['model-a', 'model-a', 'model-a', 'model-b']);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e.message).toContain('model-a');
    expect(e.message).toContain('model-b');
    expect(e.message).not.toContain(KEY);
    expect(e.permanent).toBe(false); // model-a's failure was transient: the job may retry later
    expect(e.attempts).toBe(4);
    expect(recorder.rows).toHaveLength(4);
    expect(recorder.rows.every((r) => !r.success && r.costUsd === 0)).toBe(true);
  });

  it('times out a slow answer, retries, and succeeds when the server recovers', async () => {
    const { server, bodies } = await stub((_b, n) => (n === 0 ? { delayMs: 1000, content: good } : { content: good }));
    const { provider, recorder } = client(server, { timeoutMs: 150 });
    const started = Date.now();
    const out = await ask(provider);
    expect(Date.now() - started).toBeLessThan(900);
    expect(out.value.topic).toBe('Python lists');
    expect(bodies).toHaveLength(2);
    expect(recorder.rows.map((r) => r.success)).toEqual([false, true]);
    expect(recorder.rows[0]!.error).toMatch(/no answer within 150 ms/);
  });

  it('gives up after the retries when every attempt times out', async () => {
    const { server } = await stub(() => ({ delayMs: 500, content: good }));
    const { provider, recorder } = client(server, { timeoutMs: 100, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    const e = (await ask(provider).catch((x: unknown) => x)) as ProviderError;
    expect(e).toMatchObject({ code: 'timeout', permanent: false });
    expect(recorder.rows).toHaveLength(2);
  });

  it('treats a refusal as a failure of that model', async () => {
    const { server } = await stub((b) => (b.model === 'model-a' ? { refusal: 'I cannot help with that.' } : { content: good }));
    const { provider, recorder } = client(server, { models: { default: ['model-a', 'model-b'] } });
    const out = await ask(provider);
    expect(out.model).toBe('model-b');
    expect(recorder.rows[0]).toMatchObject({ model: 'model-a', success: false });
    expect(recorder.rows[0]!.error).toContain('refused');
  });

  it('retries a 200 that is not a chat completion', async () => {
    const { server } = await stub((_b, n) => (n === 0 ? { raw: '{"object":"error"}' } : { content: good }));
    const { provider, recorder } = client(server);
    await ask(provider);
    expect(recorder.rows.map((r) => r.success)).toEqual([false, true]);
    expect(recorder.rows[0]!.error).toMatch(/no choices/);
  });

  it('can ask for json_object with the schema in the system message', async () => {
    const { server, bodies } = await stub(() => ({ content: good }));
    const { provider } = client(server, { responseFormat: 'json_object' });
    expect((await ask(provider)).value.topic).toBe('Python lists');
    expect(bodies[0]!.response_format).toEqual({ type: 'json_object' });
    expect(bodies[0]!.messages[0]!.content).toMatch(/^You answer in JSON\.\n\nAnswer with one JSON object that matches this JSON Schema \("answer"\):\n\{/);
  });

  it('needs a model for the action', async () => {
    expect(() => new OpenAILlmProvider({ baseUrl: 'http://127.0.0.1:1', models: {} })).toThrow(/model/);
    const p = new OpenAILlmProvider({ baseUrl: 'http://127.0.0.1:1', models: { review: ['m'] } });
    await expect(ask(p, 'structuring')).rejects.toMatchObject({ code: 'not_configured', permanent: true });
  });
});
