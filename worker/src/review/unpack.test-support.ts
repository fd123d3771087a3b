// Test support for the unpacker: zips with file modes (symlinks), tar / tar.gz archives with any entry type.
import { gzipSync } from 'node:zlib';
import yazl from 'yazl';
import tar from 'tar-stream';

export interface ZipSpec {
  name: string;
  data: string | Buffer;
  /** Unix mode incl. type bits, e.g. 0o120777 for a symlink. */
  mode?: number;
}

export async function makeZipWithModes(entries: ZipSpec[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries) {
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data);
    zip.addBuffer(data, e.name, e.mode === undefined ? {} : { mode: e.mode });
  }
  zip.end();
  const parts: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts);
}

export interface TarSpec {
  name: string;
  data?: string | Buffer;
  type?: tar.Header['type'];
  linkname?: string;
}

export async function makeTar(entries: TarSpec[]): Promise<Buffer> {
  const pack = tar.pack();
  const out: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack as AsyncIterable<Buffer>) out.push(chunk);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = { name: e.name, type, ...(e.linkname ? { linkname: e.linkname } : {}) };
    if (type === 'file') pack.entry(header, e.data ?? '');
    else pack.entry({ ...header, size: 0 }, Buffer.alloc(0));
  }
  pack.finalize();
  await done;
  return Buffer.concat(out);
}

export async function makeTarGz(entries: TarSpec[]): Promise<Buffer> {
  return gzipSync(await makeTar(entries));
}
