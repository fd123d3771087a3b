// A zip container (DOCX, PPTX) opened defensively, BEFORE any parsing:
//  - the central directory is checked first: entry count, the sum of declared uncompressed sizes, the
//    compression ratio of big entries, encrypted entries, and entry paths (absolute, "..", backslashes);
//  - entries are then read one at a time as streams, and yauzl's validateEntrySizes aborts an entry whose data
//    inflates past its declared size (a lying header) — so memory is bounded by zipMaxXmlBytes, whatever the
//    archive claims. A zip bomb is refused after reading only its directory (or one declared size of data).
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { fileTypeFromFile } from 'file-type';
import { InputError } from '../input-error.js';
import type { ExtractionLimits } from './document.js';
import { assertNonEmpty } from './text-input.js';

const BIG_ENTRY = 1024 * 1024;

export interface SafeZip {
  readonly entryNames: string[];
  has(name: string): boolean;
  /** Inflates one entry as UTF-8 text, counting its bytes against the archive's XML budget; null when absent. */
  readText(name: string): Promise<string | null>;
  /** Inflates one entry as bytes (same budget). */
  readBytes(name: string): Promise<Buffer | null>;
  close(): void;
}

export async function openSafeZip(path: string, limits: ExtractionLimits, kind: string): Promise<SafeZip> {
  await assertNonEmpty(path);
  const sniffed = await fileTypeFromFile(path).catch(() => undefined);
  if (sniffed?.ext === 'cfb') {
    throw new InputError(
      'encrypted',
      `the ${kind} file is password-protected (or an old binary Office format); remove the password or save it as ${kind} and upload it again`,
    );
  }
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
  } catch (err) {
    throw new InputError('corrupt', `the file is not a valid ${kind} document (${zipReason(err)})`);
  }
  try {
    if (zip.entryCount > limits.zipMaxEntries) {
      throw unsafe(kind, `it has ${zip.entryCount} entries, more than the limit of ${limits.zipMaxEntries}`);
    }
    const entries = await readDirectory(zip, limits, kind);
    return new SafeZipImpl(zip, entries, limits.zipMaxXmlBytes, kind);
  } catch (err) {
    zip.close();
    throw err;
  }
}

async function readDirectory(zip: ZipFile, limits: ExtractionLimits, kind: string): Promise<Map<string, Entry>> {
  const entries = new Map<string, Entry>();
  let declared = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (entry.isEncrypted()) throw unsafe(kind, `entry "${short(name)}" is encrypted`);
      if (name.startsWith('/') || name.split('/').includes('..') || name.includes('\\') || /^[a-z]:/i.test(name)) {
        throw unsafe(kind, `entry "${short(name)}" has a path outside the archive`);
      }
      declared += entry.uncompressedSize;
      if (declared > limits.zipMaxUncompressedBytes) {
        throw unsafe(kind, `it would unpack to more than ${mib(limits.zipMaxUncompressedBytes)} (a zip bomb?)`);
      }
      const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
      if (entry.uncompressedSize > BIG_ENTRY && ratio > limits.zipMaxCompressionRatio) {
        throw unsafe(kind, `entry "${short(name)}" is compressed ${Math.round(ratio)}:1 (a zip bomb?)`);
      }
      if (!name.endsWith('/')) entries.set(name, entry);
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw unsafe(kind, zipReason(err));
  }
  return entries;
}

class SafeZipImpl implements SafeZip {
  private budget: number;
  constructor(
    private readonly zip: ZipFile,
    private readonly entries: Map<string, Entry>,
    budget: number,
    private readonly kind: string,
  ) {
    this.budget = budget;
  }

  get entryNames(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  async readText(name: string): Promise<string | null> {
    const bytes = await this.readBytes(name);
    return bytes === null ? null : bytes.toString('utf8');
  }

  async readBytes(name: string): Promise<Buffer | null> {
    const entry = this.entries.get(name);
    if (!entry) return null;
    if (entry.uncompressedSize > this.budget) {
      throw unsafe(this.kind, `its XML parts are larger than ${mib(this.budget)} in total`);
    }
    const parts: Buffer[] = [];
    let total = 0;
    try {
      const stream = await this.zip.openReadStreamPromise(entry);
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > this.budget) {
          stream.destroy();
          throw unsafe(this.kind, `its XML parts are larger than ${mib(this.budget)} in total`);
        }
        parts.push(chunk);
      }
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw unsafe(this.kind, `entry "${short(name)}": ${zipReason(err)}`);
    }
    this.budget -= total;
    return Buffer.concat(parts, total);
  }

  close(): void {
    this.zip.close();
  }
}

function unsafe(kind: string, why: string): InputError {
  return new InputError('unsafe_archive', `the ${kind} file was refused as unsafe: ${why}`);
}

/** yauzl's messages, made readable; never includes file contents. */
function zipReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/too many bytes in the stream/i.test(msg)) return 'an entry inflates to more than its declared size (a zip bomb?)';
  if (/end of central directory record signature not found/i.test(msg)) return 'it is not a zip archive';
  if (/invalid relative path|absolute path|invalid characters in fileName/i.test(msg)) return 'an entry has a path outside the archive';
  if (/invalid|unexpected|corrupt|signature|truncated/i.test(msg)) return 'the zip structure is damaged';
  return 'the zip structure could not be read';
}

const short = (name: string) => (name.length > 80 ? `${name.slice(0, 77)}...` : name);
const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;
