// What video/audio ingestion needs from a transcription provider. The providers themselves (a local one, an
// OpenAI-compatible `/audio/transcriptions` client) live in shared/src/providers/transcription; any object of
// this shape can be passed to extractVideo.

export interface TranscriptSegment {
  /** Seconds from the start of the media. */
  start: number;
  end: number;
  text: string;
}

export interface Transcript {
  segments: TranscriptSegment[];
  /** Language code reported by the provider (e.g. "en"), or the one requested. */
  language: string | null;
  durationSeconds: number;
}

export interface Transcriber {
  transcribe(audioPath: string, options: { language?: string; signal?: AbortSignal }): Promise<Transcript>;
}

export const NO_TRANSCRIBER_MESSAGE =
  'no transcription provider configured: set TRANSCRIPTION_PROVIDER=openai (with TRANSCRIPTION_BASE_URL, ' +
  'TRANSCRIPTION_API_KEY and TRANSCRIPTION_MODEL) so videos can be transcribed, or upload the subtitles (.vtt/.srt) instead';
