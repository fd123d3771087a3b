// A submitted homework file (local temp path + original file name) → the text files to review.
//
//  - single files with a homework extension: strict UTF-8 text (BOM dropped, "\n" line ends);
//  - .ipynb: one file per code / markdown cell (`hw.ipynb#cell-3`), outputs left out;
//  - .docx / .pdf: the ingestion extractors (injectable: the check processor may pass extractInSubprocess);
//  - .zip, .tar.gz / .tgz, .gz (a gzipped tar is unpacked, any other gzipped file is that one file), with limits:
//    maxUnpackedBytes unpacked, maxEntries / maxArchiveEntries entries, maxDepth folders, no absolute paths, no
//    "..", links and devices ignored (named in the notes), vendored folders skipped (node_modules, .git,
//    __MACOSX, venv, .venv, dist, build, __pycache__ …), binary and unknown non-text entries skipped with a note,
//    nested archives not expanded (noted);
//  - more text than maxTextChars → InputError('too_much_text'), never silent truncation.
// Every refusal is a InputError (permanent) whose message says what was wrong.
import { readFile, stat } from 'node:fs/promises';
import { unpackZip } from './archive-zip.js';
import { gunzipFile, looksLikeTar, unpackTarBuffer, unpackTarGzFile } from './archive-tar.js';
import { extensionOf, HOMEWORK_EXTENSIONS, isAllowedUpload, kindOf } from './entry-policy.js';
import { InputError } from '../input-error.js';
import { UnpackContext, type DocumentExtractor } from './unpack-context.js';
import { DEFAULT_UNPACK_LIMITS, type UnpackLimits, type UnpackResult } from './unpack-types.js';

export interface UnpackOptions {
  /** The original file name as uploaded (its extension decides the type). */
  filename: string;
  limits?: Partial<UnpackLimits>;
  /** docx/pdf extractor; default extractFile (in-process). */
  extractDocument?: DocumentExtractor;
}

const mib = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;

/** The base name of an uploaded file name, whatever separators the client used. */
export function uploadBaseName(filename: string): string {
  const base = filename.replace(/\\/g, '/').split('/').filter(Boolean).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  return base.replace(/[\u0000-\u001f]/g, '').trim() || 'submission';
}

export async function unpackSubmission(path: string, opts: UnpackOptions): Promise<UnpackResult> {
  const limits: UnpackLimits = { ...DEFAULT_UNPACK_LIMITS, ...(opts.limits ?? {}) };
  const name = uploadBaseName(opts.filename);
  if (!isAllowedUpload(name)) {
    throw new InputError(
      'unsupported_type',
      `files of type "${extensionOf(name) || name}" are not accepted; allowed: ${HOMEWORK_EXTENSIONS.join(' ')}`,
    );
  }
  const ctx = new UnpackContext(limits, opts.extractDocument);
  try {
    const ext = extensionOf(name);
    if (ext === 'zip') await unpackZip(path, ctx);
    else if (ext === 'tar.gz' || ext === 'tgz') await unpackTarGzFile(path, ctx);
    else if (ext === 'gz') {
      const bytes = await gunzipFile(path, limits.maxUnpackedBytes);
      const inner = name.slice(0, -'.gz'.length) || 'submission';
      if (looksLikeTar(bytes)) await unpackTarBuffer(bytes, ctx);
      else await addSingle(ctx, inner, bytes);
    } else if (kindOf(name) === 'document') {
      await ctx.addDocumentFile(path, name);
    } else {
      const info = await stat(path);
      if (info.size > limits.maxUnpackedBytes) {
        throw new InputError('too_large', `the file is larger than ${mib(limits.maxUnpackedBytes)}`);
      }
      await addSingle(ctx, name, await readFile(path));
    }
    const notes = ctx.notes.toNotes();
    if (ctx.files.length === 0) {
      throw new InputError('empty', `the submission contains no text to review${notes.length ? ` (${notes.join('; ')})` : ''}`);
    }
    return { files: ctx.files, notes, stats: { entries: ctx.entries, bytes: ctx.bytes, chars: ctx.chars } };
  } finally {
    await ctx.dispose();
  }
}

async function addSingle(ctx: UnpackContext, name: string, bytes: Buffer): Promise<void> {
  const kind = kindOf(name);
  if (kind === 'archive') throw new InputError('unsupported_type', `"${name}" is an archive inside a compressed file; submit it directly`);
  if (kind === 'binary') throw new InputError('not_text', `"${name}" is not a text file`);
  ctx.countBytes(bytes.length, name);
  await ctx.addBytes(name, kind, bytes);
}
