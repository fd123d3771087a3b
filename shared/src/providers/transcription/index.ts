export type { Transcriber, Transcript, TranscriptSegment, TranscribeOptions } from './transcriber.js';
export { OpenAITranscriber, type OpenAITranscriberOptions } from './openai-transcriber.provider.js';
export { UnconfiguredTranscriber, NO_TRANSCRIBER_MESSAGE } from './unconfigured-transcriber.provider.js';
export { createTranscriber, type TranscriberOptions } from './transcriber.factory.js';
export { toLanguageCode } from './language-codes.js';
