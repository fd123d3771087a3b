// The production client against a local node:http server speaking the OpenAI embeddings protocol.
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../net/local-server.test-support.js';
import { MemoryCostRecorder } from '../http/cost.js';
import { ProviderError } from '../http/provider-error.js';
import { OpenAIEmbeddingProvider, type OpenAIEmbeddingOptions } from './openai-embedding.provider.js';

const KEY = 'sk-test-abcdefghijklmnop1234';
const DIMS = 8;
const ctx = { tenantId: 'tenant-a', jobId: 'job-1', action: 'embed' };
const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface Seen {
  inputs: number;
  tokens: number;
  body: Record<string, unknown>;
}

/** An embeddings endpoint: vector[0] = the number found in each input, answered in reverse order. */
async function stub(script: ((n: number, req: IncomingMessage, res: ServerResponse) => boolean | void)[] = [], opts: { delayMs?: number } = {}) {
  const seen: Seen[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let n = 0;
  const server = await startLocalServer(async (req, res, raw) => {
    const i = n++;
    if (req.url !== '/v1/embeddings' || req.headers.authorization !== `Bearer ${KEY}`) return res.writeHead(401).end('{"error":{"message":"bad auth"}}');
    const step = script[i];
    if (step && step(i, req, res) !== false) return;
    const body = JSON.parse(raw.toString()) as { input: string[]; dimensions?: number; model: string };
    const tokens = body.input.reduce((s, t) => s + countTokens(t), 0);
    seen.push({ inputs: body.input.length, tokens, body });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    inFlight--;
    const data = body.input.map((t, index) => ({ object: 'embedding', index, embedding: [Number(/\d+/.exec(t)?.[0] ?? -1), ...Array(DIMS - 1).fill(0.5)] }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({ object: 'list', model: body.model, data: data.reverse(), usage: { prompt_tokens: tokens, total_tokens: tokens } }),
    );
  });
  servers.push(server);
  return { server, seen, maxInFlight: () => maxInFlight };
}

function client(server: LocalServer, extra: Partial<OpenAIEmbeddingOptions> = {}) {
  const recorder = new MemoryCostRecorder();
  const delays: number[] = [];
  const provider = new OpenAIEmbeddingProvider({
    baseUrl: `${server.origin}/v1`,
    apiKey: KEY,
    model: 'text-embedding-3-small',
    dimensions: DIMS,
    prices: { 'text-embedding-3-small': { inputUsdPer1M: 0.02 } },
    recorder,
    retry: { baseDelayMs: 10 },
    ...extra,
  });
  return { provider, recorder, delays };
}

describe('OpenAIEmbeddingProvider', () => {
  it('splits 5,000 inputs into requests of at most 2,048 and returns vectors in input order', async () => {
    const { server, seen } = await stub();
    const { provider, recorder } = client(server);
    const texts = Array.from({ length: 5000 }, (_, i) => `chunk ${i}`);
    const out = await provider.embed(texts, ctx);
    expect(seen.map((s) => s.inputs).sort((a, b) => b - a)).toEqual([2048, 2048, 904]);
    expect(out.map((v) => v[0])).toEqual(texts.map((_, i) => i));
    expect(seen[0]!.body).toMatchObject({ model: 'text-embedding-3-small', encoding_format: 'float', dimensions: DIMS });
    expect(recorder.rows).toHaveLength(server.requests.length);
  });

  it('keeps every request within 300k tokens and bounds concurrency', async () => {
    const { server, seen, maxInFlight } = await stub([], { delayMs: 30 });
    const { provider, recorder } = client(server, { concurrency: 2 });
    const long = ' alpha'.repeat(999); // ~1,000 tokens each
    const texts = Array.from({ length: 700 }, (_, i) => `${i}${long}`);
    const total = texts.reduce((s, t) => s + countTokens(t), 0);
    const out = await provider.embed(texts, ctx);
    expect(total).toBeGreaterThan(600_000);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (const s of seen) expect(s.tokens).toBeLessThanOrEqual(300_000);
    expect(seen.reduce((s, x) => s + x.inputs, 0)).toBe(700);
    expect(out.map((v) => v[0])).toEqual(texts.map((_, i) => i));
    expect(maxInFlight()).toBe(2); // parallel, but never more than the limit
    expect(recorder.rows.map((r) => r.unitsIn).reduce((a, b) => a + b, 0)).toBe(total);
  });

  it('waits as Retry-After says on 429, then succeeds; one cost row per HTTP call', async () => {
    const { server } = await stub([(_n, _req, res) => void res.writeHead(429, { 'retry-after': '1' }).end('{"error":{"message":"Rate limit reached"}}')]);
    const { provider, recorder } = client(server);
    const t0 = Date.now();
    const out = await provider.embed(['a 1', 'b 2'], ctx);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(out.map((v) => v[0])).toEqual([1, 2]);
    expect(server.requests).toHaveLength(2);
    expect(recorder.rows).toHaveLength(2);
    expect(recorder.rows[0]).toMatchObject({ success: false, unitsIn: 0, costUsd: 0, tenantId: 'tenant-a', jobId: 'job-1', action: 'embed', provider: 'openai' });
    expect(recorder.rows[0]!.error).toMatch(/429/);
    const tokens = countTokens('a 1') + countTokens('b 2');
    expect(recorder.rows[1]).toMatchObject({ success: true, unitsIn: tokens, unitsOut: 0, costUsd: expect.closeTo((tokens * 0.02) / 1e6, 12), model: 'text-embedding-3-small' });
  });

  it('honours x-ratelimit-reset-* when there is no Retry-After', async () => {
    const { server } = await stub([
      (_n, _req, res) => void res.writeHead(429, { 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '1.2s', 'x-ratelimit-reset-requests': '5ms' }).end('{}'),
    ]);
    const delays: number[] = [];
    const { provider } = client(server, { sleep: async (ms) => void delays.push(ms) });
    await provider.embed(['x 1'], ctx);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(1200);
    expect(delays[0]).toBeLessThanOrEqual(1320);
  });

  it('retries 500s and network-level failures', async () => {
    const { server } = await stub([
      (_n, _req, res) => void res.writeHead(500).end('{"error":{"message":"internal"}}'),
      (_n, _req, res) => void res.writeHead(503).end('upstream down'),
      (_n, _req, res) => void res.socket?.destroy(),
    ]);
    const { provider, recorder } = client(server);
    const out = await provider.embed(['q 7'], ctx);
    expect(out[0]![0]).toBe(7);
    expect(server.requests).toHaveLength(4);
    expect(recorder.rows.map((r) => r.success)).toEqual([false, false, false, true]);
  });

  it.each([400, 401, 403, 404])('%i is a permanent error: no retry, one cost row, key never echoed', async (status) => {
    const { server } = await stub([(_n, _req, res) => void res.writeHead(status).end(JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}` } }))]);
    const { provider, recorder } = client(server);
    const e = await provider.embed(['x 1'], ctx).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e).toMatchObject({ permanent: true, status, code: 'http_status' });
    expect(String((e as Error).message)).not.toContain(KEY);
    expect(String((e as Error).message)).toContain('[redacted]');
    expect(server.requests).toHaveLength(1);
    expect(recorder.rows).toHaveLength(1);
    expect(recorder.rows[0]!.error).not.toContain(KEY);
  });

  it('gives up after maxAttempts with a non-permanent error', async () => {
    const fail = (_n: number, _req: IncomingMessage, res: ServerResponse) => void res.writeHead(502).end();
    const { server } = await stub([fail, fail, fail, fail]);
    const { provider, recorder } = client(server, { retry: { maxAttempts: 3, baseDelayMs: 5 } });
    const e = await provider.embed(['x 1'], ctx).catch((x: unknown) => x);
    expect(e).toMatchObject({ permanent: false, attempts: 3, status: 502 });
    expect(server.requests).toHaveLength(3);
    expect(recorder.rows).toHaveLength(3);
  });

  it('times out a request that never answers, and retries it', async () => {
    const hang = () => true; // never respond
    const { server } = await stub([hang, hang]);
    const { provider, recorder } = client(server, { timeoutMs: 150, retry: { maxAttempts: 2, baseDelayMs: 5 } });
    const e = await provider.embed(['x 1'], ctx).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'timeout', permanent: false, attempts: 2 });
    expect(recorder.rows).toHaveLength(2);
  });

  it('validates the response: wrong dimension is permanent, a short list is retried', async () => {
    const wrongDims = (_n: number, _req: IncomingMessage, res: ServerResponse) =>
      void res.writeHead(200).end(JSON.stringify({ data: [{ index: 0, embedding: [1, 2, 3] }], usage: { prompt_tokens: 3 } }));
    const short = (_n: number, _req: IncomingMessage, res: ServerResponse) => void res.writeHead(200).end(JSON.stringify({ data: [] }));
    const a = await stub([wrongDims]);
    const ca = client(a.server);
    const e = await ca.provider.embed(['x 1'], ctx).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'invalid_response', permanent: true });
    expect(ca.recorder.rows).toEqual([expect.objectContaining({ success: false, unitsIn: 3, costUsd: expect.closeTo((3 * 0.02) / 1e6, 12) })]);

    const b = await stub([short]);
    const cb = client(b.server);
    expect((await cb.provider.embed(['y 5'], ctx))[0]![0]).toBe(5);
    expect(cb.recorder.rows.map((r) => r.success)).toEqual([false, true]);
  });

  it('refuses empty and over-long inputs before sending anything', async () => {
    const { server } = await stub();
    const { provider, recorder } = client(server, { maxTokensPerInput: 50 });
    await expect(provider.embed(['ok', '  '], ctx)).rejects.toMatchObject({ code: 'invalid_input', permanent: true });
    await expect(provider.embed(['word '.repeat(100)], ctx)).rejects.toMatchObject({ code: 'invalid_input', permanent: true });
    expect(server.requests).toHaveLength(0);
    expect(recorder.rows).toHaveLength(0);
  });

  it('omits dimensions when told to', async () => {
    const { server, seen } = await stub();
    const { provider } = client(server, { sendDimensions: false });
    await provider.embed(['x 1'], ctx);
    expect(seen[0]!.body).not.toHaveProperty('dimensions');
  });
});
