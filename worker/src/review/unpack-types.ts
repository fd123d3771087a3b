// Shapes and limits of the homework unpacker (unpack.ts).
import { DEFAULT_SKIP_DIRS } from './entry-policy.js';

export interface SubmissionFile {
  /**
   * Path inside the submission (`src/main.py`); the original file name for a single file; `nb.ipynb#cell-3` for a
   * notebook cell.
   */
  path: string;
  /** UTF-8 text, BOM removed, line ends normalised to "\n". Evidence quotes and line numbers refer to this text. */
  text: string;
  /** `python`, `javascript`, `markdown` … when known from the extension (or the notebook's kernel). */
  language?: string;
}

export interface UnpackResult {
  files: SubmissionFile[];
  /** What was skipped or ignored, in plain English (vendored folders, binaries, links, nested archives). */
  notes: string[];
  stats: { entries: number; bytes: number; chars: number };
}

export interface UnpackLimits {
  /** Bytes unpacked from archive entries that are read (declared sizes are checked first). Default 10 MiB. */
  maxUnpackedBytes: number;
  /** Entries outside vendored folders (files, folders, links). Default 2,000. */
  maxEntries: number;
  /** Every entry, vendored ones included (checked from a zip's directory before reading anything). Default 20,000. */
  maxArchiveEntries: number;
  /** Bytes of a .tar.gz stream decompressed in total, skipped vendored content included. Default 64 MiB. */
  maxScannedBytes: number;
  /** Folders above a file inside an archive. Default 3 (`a/b/c/file.py`). */
  maxDepth: number;
  /** Characters of text across all files; over → InputError, never truncated. Default 500,000. */
  maxTextChars: number;
  /** Folder names skipped wherever they appear (case-insensitive). */
  skipDirs: readonly string[];
}

export const DEFAULT_UNPACK_LIMITS: UnpackLimits = {
  maxUnpackedBytes: 10 * 1024 * 1024,
  maxEntries: 2_000,
  maxArchiveEntries: 20_000,
  maxScannedBytes: 64 * 1024 * 1024,
  maxDepth: 3,
  maxTextChars: 500_000,
  skipDirs: DEFAULT_SKIP_DIRS,
};
