// Zip submissions, read defensively in two passes:
//  1. the central directory only: every entry's name and type goes through the entry policy (absolute paths,
//     "..", depth, entry counts, vendored folders, links), and the declared sizes of the entries to read are
//     summed — a zip bomb is refused here, before a single byte is inflated;
//  2. the admitted entries are inflated one at a time as streams; yauzl's validateEntrySizes aborts an entry that
//     inflates past its declared size (a lying header) and every byte counts against maxUnpackedBytes, so memory
//     stays bounded whatever the archive claims.
// Names are decoded by us (decodeStrings: false) so that unsafe names get our own clear reasons.
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { FileKind } from './entry-policy.js';
import { InputError } from '../input-error.js';
import type { EntryType, UnpackContext } from './unpack-context.js';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const DOS_DIRECTORY = 0x10;

function entryType(entry: Entry, name: string): EntryType {
  const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (mode === S_IFLNK) return 'link';
  if (mode === S_IFDIR || name.endsWith('/') || name.endsWith('\\') || (mode === 0 && entry.externalFileAttributes & DOS_DIRECTORY)) {
    return 'dir';
  }
  if (mode !== 0 && mode !== S_IFREG) return 'special';
  return 'file';
}

function entryName(entry: Entry): string {
  const raw = entry.fileNameRaw ?? (entry.fileName as unknown as Buffer);
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
}

function readError(err: unknown): InputError {
  if (err instanceof InputError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/too many bytes in the stream|too few bytes/i.test(msg)) {
    return new InputError('unsafe_archive', 'the archive was refused: an entry inflates to a different size than declared (a zip bomb?)');
  }
  if (/end of central directory record signature not found/i.test(msg)) return new InputError('corrupt', 'the file is not a zip archive');
  return new InputError('corrupt', 'the zip archive is damaged and could not be read');
}

export async function unpackZip(path: string, ctx: UnpackContext): Promise<void> {
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true });
  } catch (err) {
    throw readError(err);
  }
  try {
    if (zip.entryCount > ctx.limits.maxArchiveEntries) {
      throw new InputError(
        'too_many_entries',
        `the archive was refused: it has ${zip.entryCount.toLocaleString('en-US')} entries, more than the limit of ${ctx.limits.maxArchiveEntries.toLocaleString('en-US')}`,
      );
    }
    const toRead: { entry: Entry; path: string; kind: FileKind }[] = [];
    let declared = 0;
    try {
      for await (const entry of zip.eachEntry()) {
        const admission = ctx.admit(entryName(entry), entryType(entry, entryName(entry)));
        if (!admission.read) continue;
        if (entry.isEncrypted()) {
          throw new InputError('unsafe_archive', `the archive was refused: "${admission.path}" is password-protected`);
        }
        if (!entry.canDecodeFileData()) {
          ctx.notes.add('unsupported', admission.path);
          continue;
        }
        declared += entry.uncompressedSize;
        ctx.reserve(declared, admission.path);
        toRead.push({ entry, path: admission.path, kind: admission.kind });
      }
    } catch (err) {
      throw readError(err);
    }
    for (const item of toRead) {
      const parts: Buffer[] = [];
      let size = 0;
      try {
        const stream = await zip.openReadStreamPromise(item.entry);
        try {
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            ctx.countBytes(chunk.length, item.path);
            size += chunk.length;
            parts.push(chunk);
          }
        } finally {
          stream.destroy();
        }
      } catch (err) {
        throw readError(err);
      }
      await ctx.addBytes(item.path, item.kind, Buffer.concat(parts, size));
    }
  } finally {
    zip.close();
  }
}
