// A permanent extraction failure: the file itself is the problem (encrypted, corrupt, too big, not text…), so
// retrying cannot help. The message is written for the material's author and is safe to show them — it never
// contains file contents. The ingest processor maps this to BullMQ's UnrecoverableError.

export type ExtractionErrorCode =
  | 'empty_file'
  | 'unsupported_format'
  | 'not_text'
  | 'invalid_utf8'
  | 'too_much_text'
  | 'too_large'
  | 'no_text'
  | 'encrypted'
  | 'corrupt'
  | 'unsafe_archive'
  | 'no_transcriber'
  | 'no_audio'
  | 'media_failed'
  | 'transcription_failed'
  | 'timeout'
  | 'crashed';

export class ExtractionError extends Error {
  override readonly name = 'ExtractionError';
  /** Always true: the lead's processor throws UnrecoverableError for these. */
  readonly permanent = true;
  constructor(
    readonly code: ExtractionErrorCode,
    message: string,
  ) {
    super(message);
  }

  toJSON(): { name: string; code: ExtractionErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

export function isExtractionError(err: unknown): err is ExtractionError {
  return err instanceof ExtractionError;
}
