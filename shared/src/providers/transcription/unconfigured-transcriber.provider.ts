// The default when no transcription provider is configured: there are no local speech models here, and a fake
// transcript would be worse than none. Every call fails permanently with a reason that says how to fix it.
import { ProviderError } from '../http/provider-error.js';
import type { Transcriber, Transcript } from './transcriber.js';

export const NO_TRANSCRIBER_MESSAGE =
  'No transcription provider is configured. Configure an OpenAI-compatible one (TRANSCRIPTION_PROVIDER=openai with ' +
  'TRANSCRIPTION_BASE_URL, TRANSCRIPTION_API_KEY and TRANSCRIPTION_MODEL), or upload the subtitles (.vtt or .srt) for this video.';

export class UnconfiguredTranscriber implements Transcriber {
  readonly name = 'none';
  readonly model = 'none';

  async transcribe(): Promise<Transcript> {
    throw new ProviderError(NO_TRANSCRIBER_MESSAGE, { provider: 'none', code: 'not_configured', permanent: true });
  }
}
