// A permanent failure caused by the submitted file itself (unsafe archive, wrong encoding, too much text …).
// Retrying cannot help: the check processor marks the submission failed with `message` as the reason (and throws
// BullMQ's UnrecoverableError). Messages are written for the student/LMS and never contain file contents.

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
  | 'empty'; // nothing reviewable left

export class SubmissionError extends Error {
  override readonly name = 'SubmissionError';
  /** Always true: the check processor fails the submission without retrying. */
  readonly permanent = true;
  constructor(
    readonly code: SubmissionErrorCode,
    message: string,
  ) {
    super(message);
  }

  toJSON(): { name: string; code: SubmissionErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

export const isSubmissionError = (e: unknown): e is SubmissionError => e instanceof SubmissionError;
