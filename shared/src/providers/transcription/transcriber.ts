// The transcription contract: an audio file in, timed segments out.

export interface TranscriptSegment {
  /** Seconds from the start of the audio. */
  start: number;
  end: number;
  text: string;
}

export interface Transcript {
  segments: TranscriptSegment[];
  /** ISO 639-1 code when known (`en`), else what the provider said. */
  language: string;
  durationSeconds: number;
}

export interface TranscribeOptions {
  /** ISO 639-1 hint (`en`, `uk`); improves accuracy and speed. */
  language?: string;
  tenantId: string;
  jobId?: string | null;
  /** Recorded with the cost row. Default `transcribe`. */
  action?: string;
}

export interface Transcriber {
  readonly name: string;
  readonly model: string;
  transcribe(audioPath: string, opts: TranscribeOptions): Promise<Transcript>;
}
