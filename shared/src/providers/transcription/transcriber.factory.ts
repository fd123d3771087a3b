// createTranscriber: plain options in (the lead maps config onto them), a Transcriber out.
import { OpenAITranscriber, type OpenAITranscriberOptions } from './openai-transcriber.provider.js';
import type { Transcriber } from './transcriber.js';
import { UnconfiguredTranscriber } from './unconfigured-transcriber.provider.js';

export type TranscriberOptions = { kind: 'none' } | ({ kind: 'openai' } & OpenAITranscriberOptions);

export function createTranscriber(opts: TranscriberOptions): Transcriber {
  switch (opts.kind) {
    case 'none':
      return new UnconfiguredTranscriber();
    case 'openai':
      return new OpenAITranscriber(opts);
    default:
      throw new TypeError(`Unknown transcription provider kind: ${String((opts as { kind: unknown }).kind)}`);
  }
}
