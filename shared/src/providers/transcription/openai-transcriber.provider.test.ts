// The production client against a local server that parses the multipart upload with busboy, as OpenAI would.
import busboy from 'busboy';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../net/local-server.test-support.js';
import { MemoryCostRecorder } from '../http/cost.js';
import { ProviderError } from '../http/provider-error.js';
import { OpenAITranscriber } from './openai-transcriber.provider.js';
import { createTranscriber } from './transcriber.factory.js';
import { NO_TRANSCRIBER_MESSAGE } from './unconfigured-transcriber.provider.js';

const KEY = 'sk-transcribe-0123456789abcdef';
let dir = '';
let audioPath = '';
let audioSha = '';
const servers: LocalServer[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'transcribe-'));
  audioPath = join(dir, 'lecture 1.mp3');
  const bytes = Buffer.alloc(300_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
  writeFileSync(audioPath, bytes);
  audioSha = createHash('sha256').update(bytes).digest('hex');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface Upload {
  fields: Record<string, string[]>;
  file?: { name: string; field: string; mimeType: string; sha256: string; bytes: number };
}

function parseMultipart(req: IncomingMessage): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const up: Upload = { fields: {} };
    const bb = busboy({ headers: req.headers });
    bb.on('field', (name, value) => (up.fields[name] ??= []).push(value));
    bb.on('file', (field, stream, info) => {
      const hash = createHash('sha256');
      let bytes = 0;
      stream.on('data', (c: Buffer) => (hash.update(c), (bytes += c.length)));
      stream.on('end', () => (up.file = { name: info.filename ?? '', field, mimeType: info.mimeType, sha256: hash.digest('hex'), bytes }));
    });
    bb.on('close', () => resolve(up));
    bb.on('error', reject);
    req.pipe(bb);
  });
}

const VERBOSE = {
  task: 'transcribe',
  language: 'english',
  duration: 95.5,
  text: 'Welcome to the course. Today we talk about vectors.',
  segments: [
    { id: 0, seek: 0, start: 0, end: 4.2, text: ' Welcome to the course.', tokens: [1], temperature: 0, avg_logprob: -0.2, compression_ratio: 1, no_speech_prob: 0 },
    { id: 1, seek: 0, start: 4.2, end: 95.5, text: ' Today we talk about vectors.', tokens: [2], temperature: 0, avg_logprob: -0.2, compression_ratio: 1, no_speech_prob: 0 },
  ],
};

async function stub(script: ((res: ServerResponse) => void)[] = []) {
  const uploads: Upload[] = [];
  let n = 0;
  const server = await startLocalServer(
    async (req, res) => {
      const step = script[n++];
      const up = await parseMultipart(req);
      uploads.push(up);
      if (req.url !== '/v1/audio/transcriptions' || req.headers.authorization !== `Bearer ${KEY}`) return res.writeHead(401).end();
      if (step) return step(res);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(VERBOSE));
    },
    { readBody: false },
  );
  servers.push(server);
  return { server, uploads };
}

const make = (server: LocalServer, recorder = new MemoryCostRecorder()) =>
  new OpenAITranscriber({
    baseUrl: `${server.origin}/v1`,
    apiKey: KEY,
    model: 'whisper-1',
    prices: { 'whisper-1': { usdPerMinute: 0.006 } },
    recorder,
    retry: { baseDelayMs: 10 },
  });

describe('OpenAITranscriber', () => {
  it('uploads the file as multipart with the verbose_json fields and returns timed segments', async () => {
    const { server, uploads } = await stub();
    const recorder = new MemoryCostRecorder();
    const t = await make(server, recorder).transcribe(audioPath, { language: 'en', tenantId: 't1', jobId: 'j1' });
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.fields).toEqual({
      model: ['whisper-1'],
      response_format: ['verbose_json'],
      'timestamp_granularities[]': ['segment'],
      language: ['en'],
    });
    expect(uploads[0]!.file).toEqual({ name: 'lecture 1.mp3', field: 'file', mimeType: 'audio/mpeg', sha256: audioSha, bytes: 300_000 });
    expect(t).toEqual({
      language: 'en',
      durationSeconds: 95.5,
      segments: [
        { start: 0, end: 4.2, text: 'Welcome to the course.' },
        { start: 4.2, end: 95.5, text: 'Today we talk about vectors.' },
      ],
    });
    expect(recorder.rows).toEqual([
      expect.objectContaining({ tenantId: 't1', jobId: 'j1', action: 'transcribe', provider: 'openai', model: 'whisper-1', unitsIn: 96, success: true, costUsd: expect.closeTo((0.006 * 95.5) / 60, 12) }),
    ]);
  });

  it('retries 429 (Retry-After) and 500, re-sending the whole file; one cost row per call', async () => {
    const { server, uploads } = await stub([
      (res) => void res.writeHead(429, { 'retry-after': '0' }).end('{"error":{"message":"slow down"}}'),
      (res) => void res.writeHead(500).end(),
    ]);
    const recorder = new MemoryCostRecorder();
    const t = await make(server, recorder).transcribe(audioPath, { tenantId: 't1' });
    expect(t.segments).toHaveLength(2);
    expect(uploads.map((u) => u.file?.sha256)).toEqual([audioSha, audioSha, audioSha]);
    expect(uploads[0]!.fields.language).toBeUndefined();
    expect(recorder.rows.map((r) => [r.success, r.costUsd > 0])).toEqual([
      [false, false],
      [false, false],
      [true, true],
    ]);
  });

  it('400 is permanent: one call, one cost row', async () => {
    const { server, uploads } = await stub([(res) => void res.writeHead(400).end('{"error":{"message":"Invalid file format."}}')]);
    const recorder = new MemoryCostRecorder();
    const e = await make(server, recorder).transcribe(audioPath, { tenantId: 't1' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e).toMatchObject({ permanent: true, status: 400, message: 'openai answered 400: Invalid file format.' });
    expect(uploads).toHaveLength(1);
    expect(recorder.rows).toHaveLength(1);
  });

  it('refuses a file over the upload limit without sending it', async () => {
    const { server, uploads } = await stub();
    const t = new OpenAITranscriber({ baseUrl: server.origin, maxFileBytes: 1000 });
    await expect(t.transcribe(audioPath, { tenantId: 't1' })).rejects.toMatchObject({ code: 'invalid_input', permanent: true });
    expect(uploads).toHaveLength(0);
  });

  it('without a configured provider fails permanently and says how to fix it', async () => {
    const t = createTranscriber({ kind: 'none' });
    await expect(t.transcribe(audioPath, { tenantId: 't1' })).rejects.toMatchObject({ permanent: true, code: 'not_configured', message: NO_TRANSCRIBER_MESSAGE });
  });
});
