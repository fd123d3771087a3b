// The state of one unpacking run, shared by the zip and tar readers: the entry policy (admit), the byte and text
// budgets, and the files collected so far. Archive readers call admit() for every entry BEFORE reading its data,
// then countBytes() while reading, then addBytes() with the entry's content.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractFile } from '../ingestion/extract.js';
import { isInputError, InputError } from '../input-error.js';
import type { ExtractedDocument } from '../ingestion/document.js';
import { assertDepth, entrySegments, isJunkFile, kindOf, languageOf, vendoredPrefix, type FileKind } from './entry-policy.js';
import { notebookToFiles } from './notebook.js';
import { decodeRequiredText, decodeUtf8 } from './text-content.js';
import { UnpackNotes } from './unpack-notes.js';
import type { SubmissionFile, UnpackLimits } from './unpack-types.js';

export type EntryType = 'file' | 'dir' | 'link' | 'special';

/** docx/pdf → text. extractFile by default; the check processor may pass extractInSubprocess. */
export type DocumentExtractor = (path: string, opts: { filename: string; limits?: { maxChars?: number } }) => Promise<ExtractedDocument>;

export type Admission = { read: false } | { read: true; path: string; kind: FileKind };

const mib = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;

export class UnpackContext {
  readonly files: SubmissionFile[] = [];
  readonly notes = new UnpackNotes();
  entries = 0;
  rawEntries = 0;
  bytes = 0;
  chars = 0;
  private readonly skipDirs: ReadonlySet<string>;
  private tmp: string | null = null;
  private readonly paths = new Set<string>();

  constructor(
    readonly limits: UnpackLimits,
    private readonly extract: DocumentExtractor = extractFile,
  ) {
    this.skipDirs = new Set(limits.skipDirs.map((d) => d.toLowerCase()));
  }

  /** Decides what to do with an archive entry from its name and type alone. Throws for unsafe entries. */
  admit(rawName: string, type: EntryType): Admission {
    this.rawEntries++;
    if (this.rawEntries > this.limits.maxArchiveEntries) throw this.tooManyEntries(this.limits.maxArchiveEntries);
    const segments = entrySegments(rawName);
    if (segments.length === 0) return { read: false };
    const isDir = type === 'dir';
    const vendored = vendoredPrefix(segments, isDir, this.skipDirs);
    if (vendored) {
      this.notes.add('vendored', vendored);
      return { read: false };
    }
    this.entries++;
    if (this.entries > this.limits.maxEntries) throw this.tooManyEntries(this.limits.maxEntries);
    assertDepth(segments, isDir, this.limits.maxDepth, rawName);
    const path = segments.join('/');
    if (type === 'dir') return { read: false };
    if (type === 'link') return this.skip('link', path);
    if (type === 'special') return this.skip('special', path);
    if (isJunkFile(segments[segments.length - 1]!)) return this.skip('junk', path);
    const kind = kindOf(path);
    if (kind === 'archive') return this.skip('archive', path);
    if (kind === 'binary') return this.skip('binary', path);
    return { read: true, path, kind };
  }

  private skip(kind: Parameters<UnpackNotes['add']>[0], path: string): Admission {
    this.notes.add(kind, path);
    return { read: false };
  }

  private tooManyEntries(limit: number): InputError {
    return new InputError('too_many_entries', `the archive was refused: it has more than ${limit.toLocaleString('en-US')} entries`);
  }

  /** Checks a declared size before inflating (cheap zip-bomb refusal). */
  reserve(declaredBytes: number, name: string): void {
    if (this.bytes + declaredBytes > this.limits.maxUnpackedBytes) throw this.tooLarge(name);
  }

  /** Counts bytes actually inflated; throws as soon as the budget is crossed. */
  countBytes(n: number, name: string): void {
    this.bytes += n;
    if (this.bytes > this.limits.maxUnpackedBytes) throw this.tooLarge(name);
  }

  private tooLarge(name: string): InputError {
    return new InputError(
      'too_large',
      `the archive was refused: it unpacks to more than ${mib(this.limits.maxUnpackedBytes)} (at "${name.slice(0, 100)}"; a zip bomb?)`,
    );
  }

  /** Adds the content of a file admitted with `kind`. */
  async addBytes(path: string, kind: FileKind, bytes: Buffer): Promise<void> {
    if (kind === 'document') return this.addDocumentBytes(path, bytes);
    if (kind === 'notebook') {
      for (const f of notebookToFiles(decodeRequiredText(bytes, path), path)) this.addText(f);
      return;
    }
    if (kind === 'unknown') {
      const d = decodeUtf8(bytes);
      if (!d.ok) return void this.notes.add('binary', path);
      return this.addText({ path, text: d.text });
    }
    const language = languageOf(path);
    this.addText({ path, text: decodeRequiredText(bytes, path), ...(language ? { language } : {}) });
  }

  addText(file: SubmissionFile): void {
    const text = file.text.startsWith('\ufeff') ? file.text.slice(1) : file.text;
    if (text.trim() === '') return void this.notes.add('empty', file.path);
    if (this.paths.has(file.path)) return void this.notes.add('duplicate', file.path);
    this.paths.add(file.path);
    this.chars += text.length;
    if (this.chars > this.limits.maxTextChars) throw this.tooMuchText();
    this.files.push({ ...file, text });
  }

  private tooMuchText(): InputError {
    return new InputError(
      'too_much_text',
      `the submission has more than ${this.limits.maxTextChars.toLocaleString('en-US')} characters of text (the review limit); submit only the files to review`,
    );
  }

  /** docx / pdf already on disk (the submitted file itself). */
  async addDocumentFile(diskPath: string, path: string): Promise<void> {
    let doc: ExtractedDocument;
    try {
      doc = await this.extract(diskPath, { filename: path, limits: { maxChars: Math.max(1, this.limits.maxTextChars - this.chars) } });
    } catch (err) {
      if (!isInputError(err)) throw err;
      if (err.code === 'too_much_text') throw this.tooMuchText();
      throw new InputError(err.code === 'no_text' || err.code === 'empty_file' ? 'empty' : 'corrupt', `"${path}": ${err.message}`);
    }
    this.addText({ path, text: doc.blocks.map((b) => b.text).join('\n\n') });
  }

  private async addDocumentBytes(path: string, bytes: Buffer): Promise<void> {
    this.tmp ??= await mkdtemp(join(tmpdir(), 'cs-homework-'));
    const file = join(this.tmp, `doc-${this.files.length}-${path.endsWith('.pdf') ? 'f.pdf' : 'f.docx'}`);
    await writeFile(file, bytes);
    try {
      await this.addDocumentFile(file, path);
    } finally {
      await rm(file, { force: true });
    }
  }

  async dispose(): Promise<void> {
    if (this.tmp) await rm(this.tmp, { recursive: true, force: true });
    this.tmp = null;
  }
}
