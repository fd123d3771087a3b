// A permanent failure caused by the input itself — a material's file (extraction) or a homework submission
// (unpacking, review limits): retrying cannot help, so the ingest and check handlers throw BullMQ's
// UnrecoverableError with its message, and the job fails for good (shared/src/jobs/subject-failure.ts). Messages
// are written for the material's author or the student and never contain file contents. `code` says what was
// wrong; an extraction code becomes a submission code where a submission's document is extracted.

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

export type SubmissionErrorCode =
  | 'unsupported_type' // extension not in the homework allowlist
  | 'unsafe_archive' // absolute path, "..", encrypted entry, zip bomb (lying sizes)
  | 'too_large' // more than maxUnpackedBytes unpacked
  | 'too_many_entries'
  | 'too_deep' // more than maxDepth directories
  | 'invalid_utf8'
  | 'not_text' // a source file that holds binary data
  | 'too_much_text' // over the text budget (never truncated)
  | 'corrupt' // unreadable archive / notebook / document
  | 'empty';

export type InputErrorCode = ExtractionErrorCode | SubmissionErrorCode;

export class InputError extends Error {
  override readonly name = 'InputError';
  /** Always true: the handlers fail the job without retrying. */
  readonly permanent = true;
  constructor(
    readonly code: InputErrorCode,
    message: string,
  ) {
    super(message);
  }

  toJSON(): { name: string; code: InputErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

export const isInputError = (err: unknown): err is InputError => err instanceof InputError;
