// .tar.gz / .tgz / .gz submissions, streamed: file → gunzip → byte counter → tar-stream. Entries are judged by
// their header before their data is read (names, types, depth, counts, declared size); skipped entries are
// drained, never buffered. The decompressed stream as a whole is capped at maxScannedBytes (so a gzip bomb stops
// early), and the entries actually read count against maxUnpackedBytes.
import { createReadStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { InputError } from '../input-error.js';
import type { EntryType, UnpackContext } from './unpack-context.js';

const mib = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;

function tarEntryType(type: tar.Header['type'] | null | undefined): EntryType {
  switch (type) {
    case 'file':
    case 'contiguous-file':
    case undefined:
      return 'file';
    case 'directory':
      return 'dir';
    case 'link':
    case 'symlink':
      return 'link';
    default:
      return 'special';
  }
}

function streamError(err: unknown, what: string): InputError {
  if (err instanceof InputError) return err;
  const code = (err as { code?: string }).code ?? '';
  if (code.startsWith('Z_') || /incorrect header check|unexpected end of file/i.test(String((err as Error)?.message))) {
    return new InputError('corrupt', `the ${what} is damaged or not gzip-compressed`);
  }
  return new InputError('corrupt', `the ${what} is damaged or not a tar archive`);
}

/** True when `bytes` starts with a POSIX/GNU tar header. */
export function looksLikeTar(bytes: Buffer): boolean {
  return bytes.length >= 512 && bytes.subarray(257, 262).toString('latin1') === 'ustar';
}

/** Reads a tar stream (gzip-compressed when `gzipped`) into the context. */
export async function unpackTar(source: Readable, gzipped: boolean, ctx: UnpackContext): Promise<void> {
  let failure: unknown = null;
  let scanned = 0;
  const limit = ctx.limits.maxScannedBytes;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      scanned += chunk.length;
      if (scanned > limit) {
        cb((failure ??= new InputError('too_large', `the archive was refused: it decompresses to more than ${mib(limit)} (a gzip bomb?)`)) as Error);
      } else cb(null, chunk);
    },
  });
  const extract = tar.extract();
  const stages = gzipped ? [source, createGunzip(), counter, extract] : [source, counter, extract];
  const piping = (pipeline as (...s: unknown[]) => Promise<void>)(...stages).catch((e: unknown) => {
    failure ??= e;
  });
  try {
    for await (const entry of extract) {
      const header = entry.header;
      const admission = ctx.admit(header.name, tarEntryType(header.type));
      if (!admission.read) {
        entry.resume();
        continue;
      }
      ctx.reserve(header.size ?? 0, admission.path);
      const parts: Buffer[] = [];
      let size = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        ctx.countBytes(chunk.length, admission.path);
        size += chunk.length;
        parts.push(chunk);
      }
      await ctx.addBytes(admission.path, admission.kind, Buffer.concat(parts, size));
    }
  } catch (err) {
    source.destroy();
    extract.destroy();
    await piping;
    if (err instanceof InputError) throw err;
    throw streamError(failure ?? err, gzipped ? 'archive' : 'tar archive');
  }
  await piping;
  if (failure) throw streamError(failure, gzipped ? 'archive' : 'tar archive');
}

export function unpackTarGzFile(path: string, ctx: UnpackContext): Promise<void> {
  return unpackTar(createReadStream(path), true, ctx);
}

/** A plain .gz: decompressed into memory, at most `limit` bytes. */
export async function gunzipFile(path: string, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  const source = createReadStream(path);
  const gunzip = createGunzip();
  source.pipe(gunzip);
  source.on('error', (e) => gunzip.destroy(e));
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        throw new InputError('too_large', `the file was refused: it decompresses to more than ${mib(limit)} (a gzip bomb?)`);
      }
      parts.push(chunk);
    }
  } catch (err) {
    throw streamError(err, 'file');
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  return Buffer.concat(parts, size);
}

export function unpackTarBuffer(bytes: Buffer, ctx: UnpackContext): Promise<void> {
  return unpackTar(Readable.from([bytes]), false, ctx);
}
