// Transcription through any OpenAI-compatible `POST {baseUrl}/audio/transcriptions` (OpenAI whisper-1, Groq,
// speaches/faster-whisper-server, whisper.cpp server …): multipart upload with `response_format=verbose_json`
// and `timestamp_granularities[]=segment`, so segments come back with timecodes. The server must support
// verbose_json (OpenAI's gpt-4o-*-transcribe models do not). Same retry and permanent-error rules as the
// embeddings client; every attempt is one cost row, priced per minute of audio.
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { Logger } from '../../logger/index.js';
import { audioCost, type CostRecorder, type PriceTable } from '../http/cost.js';
import { ProviderError } from '../http/provider-error.js';
import { postToProvider, type ProviderEndpoint } from '../http/provider-http.js';
import { DEFAULT_RETRY_POLICY, withRetries, type RetryPolicy } from '../http/retry.js';
import { toLanguageCode } from './language-codes.js';
import type { TranscribeOptions, Transcriber, Transcript } from './transcriber.js';

export interface OpenAITranscriberOptions {
  baseUrl: string;
  apiKey?: string;
  /** Default `whisper-1`. */
  model?: string;
  /** Per-request timeout. Default 10 minutes (uploads of long audio). */
  timeoutMs?: number;
  /** Files over this are refused before upload (OpenAI: 25 MB). Default 25 MiB. */
  maxFileBytes?: number;
  retry?: Partial<RetryPolicy>;
  prices?: PriceTable;
  recorder?: CostRecorder;
  logger?: Logger;
  providerName?: string;
  dispatcher?: Dispatcher;
  sleep?: (ms: number) => Promise<void>;
}

const verboseJson = z.object({
  language: z.string().optional(),
  duration: z.coerce.number().nonnegative().optional(),
  text: z.string().optional(),
  segments: z.array(z.object({ start: z.number(), end: z.number(), text: z.string() })).optional(),
});

const AUDIO_TYPES: Record<string, string> = {
  '.mp3': 'audio/mpeg', '.mpga': 'audio/mpeg', '.m4a': 'audio/mp4', '.mp4': 'video/mp4', '.wav': 'audio/wav',
  '.webm': 'audio/webm', '.ogg': 'audio/ogg', '.oga': 'audio/ogg', '.flac': 'audio/flac', '.mpeg': 'audio/mpeg',
};

export class OpenAITranscriber implements Transcriber {
  readonly name: string;
  readonly model: string;
  private readonly endpoint: ProviderEndpoint;
  private readonly policy: RetryPolicy;

  constructor(private readonly opts: OpenAITranscriberOptions) {
    if (!opts.baseUrl) throw new TypeError('openai transcription: baseUrl is required');
    this.name = opts.providerName ?? 'openai';
    this.model = opts.model ?? 'whisper-1';
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    this.endpoint = { provider: this.name, baseUrl: opts.baseUrl, apiKey: opts.apiKey, timeoutMs: opts.timeoutMs ?? 600_000, dispatcher: opts.dispatcher };
  }

  async transcribe(audioPath: string, opts: TranscribeOptions): Promise<Transcript> {
    const size = (await stat(audioPath)).size;
    const max = this.opts.maxFileBytes ?? 25 * 1024 * 1024;
    if (size > max) {
      throw new ProviderError(`${this.name}: audio is ${size} bytes, over the ${max}-byte upload limit; split it into shorter parts`, {
        provider: this.name,
        code: 'invalid_input',
        permanent: true,
      });
    }
    const type = AUDIO_TYPES[extname(audioPath).toLowerCase()] ?? 'application/octet-stream';
    const blob = await openAsBlob(audioPath, { type });

    return withRetries(
      async () => {
        const started = performance.now();
        // Node's own FormData: undici 7's cannot stream the file-backed Blob of Node 24's openAsBlob
        // ("action is not a function"); undici's request() sends either kind the same way.
        const form = new FormData();
        form.append('file', blob, basename(audioPath));
        form.append('model', this.model);
        form.append('response_format', 'verbose_json');
        form.append('timestamp_granularities[]', 'segment');
        if (opts.language) form.append('language', opts.language);
        try {
          const res = await postToProvider(this.endpoint, '/audio/transcriptions', { form });
          const transcript = this.parse(res.json, opts.language);
          const text = transcript.segments.map((s) => s.text).join(' ');
          await this.record(opts, started, true, transcript.durationSeconds, countTokens(text));
          return transcript;
        } catch (e) {
          if (e instanceof ProviderError) await this.record(opts, started, false, 0, 0, e.message);
          throw e;
        }
      },
      this.policy,
      {
        sleep: this.opts.sleep,
        onRetry: (e, attempt, delayMs) =>
          this.opts.logger?.warn({ provider: this.name, model: this.model, status: e.status, code: e.code, attempt, delayMs }, 'transcription request failed; retrying'),
      },
    );
  }

  private parse(json: unknown, requested: string | undefined): Transcript {
    const r = verboseJson.safeParse(json);
    if (!r.success) {
      throw new ProviderError(`${this.name}: invalid transcription response (${r.error.issues[0]?.message ?? 'shape'})`, {
        provider: this.name,
        code: 'invalid_response',
        permanent: false,
      });
    }
    const v = r.data;
    let segments = (v.segments ?? [])
      .map((s) => ({ start: Math.max(0, s.start), end: Math.max(s.start, s.end), text: s.text.trim() }))
      .filter((s) => s.text !== '');
    const duration = v.duration ?? segments.at(-1)?.end ?? 0;
    if (!v.segments && v.text?.trim()) {
      // A server that ignores timestamp_granularities: keep the text, as one segment over the whole audio.
      segments = [{ start: 0, end: duration, text: v.text.trim() }];
    }
    return { segments, language: toLanguageCode(v.language) ?? toLanguageCode(requested) ?? 'und', durationSeconds: duration };
  }

  private async record(opts: TranscribeOptions, started: number, success: boolean, seconds: number, tokensOut: number, error?: string): Promise<void> {
    await this.opts.recorder?.record({
      tenantId: opts.tenantId,
      jobId: opts.jobId ?? null,
      action: opts.action ?? 'transcribe',
      provider: this.name,
      model: this.model,
      unitsIn: Math.ceil(seconds),
      unitsOut: tokensOut,
      costUsd: audioCost(this.opts.prices, this.model, seconds),
      latencyMs: Math.round(performance.now() - started),
      success,
      ...(error === undefined ? {} : { error: error.slice(0, 500) }),
    });
  }
}
