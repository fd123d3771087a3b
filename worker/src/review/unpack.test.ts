import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { makePdf, makeTmpDir, makeZip, rawEntry, rawZip, write, zerosBomb } from '../ingestion/fixtures.test-support.js';
import { InputError } from '../input-error.js';
import { unpackSubmission, type UnpackOptions } from './unpack.js';
import { makeTar, makeTarGz, makeZipWithModes } from './unpack.test-support.js';

let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
beforeAll(async () => {
  tmp = await makeTmpDir();
});
afterAll(() => tmp.cleanup());

let n = 0;
async function unpack(name: string, data: Buffer | string, opts: Partial<UnpackOptions> = {}) {
  const path = tmp.file(`${n++}-${name.replace(/[^\w.]/g, '_')}`);
  await write(path, data);
  return unpackSubmission(path, { filename: name, ...opts });
}

async function refusal(p: Promise<unknown>): Promise<InputError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

const MAIN_PY = 'def add(a, b):\n    return a + b\n';

describe('unpackSubmission: single files', () => {
  it('returns a source file as UTF-8 text with its language, BOM and CRLF normalised', async () => {
    const r = await unpack('main.py', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('x = 1\r\ny = 2\r\n')]));
    expect(r.files).toEqual([{ path: 'main.py', text: 'x = 1\ny = 2\n', language: 'python' }]);
  });

  it('refuses invalid UTF-8 naming the file and the byte offset', async () => {
    const e = await refusal(unpack('notes.txt', Buffer.from([0x61, 0x62, 0xc3, 0x28, 0x63])));
    expect(e.code).toBe('invalid_utf8');
    expect(e.message).toContain('"notes.txt" is not valid UTF-8');
    expect(e.message).toContain('offset 2');
  });

  it('refuses UTF-16 text and binary data in a source file with reasons', async () => {
    expect((await refusal(unpack('a.py', Buffer.from('\ufeffx = 1', 'utf16le')))).message).toMatch(/UTF-16/);
    const e = await refusal(unpack('a.c', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1])));
    expect(e.code).toBe('not_text');
  });

  it('refuses an extension outside the allowlist', async () => {
    const e = await refusal(unpack('setup.exe', 'MZ'));
    expect(e.code).toBe('unsupported_type');
    expect(e.message).toContain('"exe"');
  });

  it('refuses more text than the budget instead of truncating', async () => {
    const e = await refusal(unpack('long.md', 'word '.repeat(1000), { limits: { maxTextChars: 1000 } }));
    expect(e.code).toBe('too_much_text');
    expect(e.message).toContain('1,000 characters');
  });

  it('turns a notebook into its code and markdown cells with cell numbers', async () => {
    const nb = {
      nbformat: 4,
      metadata: { kernelspec: { language: 'python' } },
      cells: [
        { cell_type: 'markdown', source: ['# Homework 2\n', 'Adding numbers'] },
        { cell_type: 'code', source: 'def add(a, b):\n    return a + b', outputs: [{ text: 'SECRET OUTPUT' }] },
        { cell_type: 'raw', source: 'raw stuff' },
        { cell_type: 'code', source: [] },
        { cell_type: 'code', source: ['print(add(1, 2))'] },
      ],
    };
    const r = await unpack('hw.ipynb', JSON.stringify(nb));
    expect(r.files).toEqual([
      { path: 'hw.ipynb#cell-1', text: '# Homework 2\nAdding numbers', language: 'markdown' },
      { path: 'hw.ipynb#cell-2', text: 'def add(a, b):\n    return a + b', language: 'python' },
      { path: 'hw.ipynb#cell-5', text: 'print(add(1, 2))', language: 'python' },
    ]);
    expect(JSON.stringify(r.files)).not.toContain('SECRET OUTPUT');
    expect((await refusal(unpack('bad.ipynb', '{not json'))).code).toBe('corrupt');
  });

  it('extracts a PDF through the ingestion extractor', async () => {
    const r = await unpack('report.pdf', await makePdf([['Functions return values'], ['Default arguments']]));
    expect(r.files).toHaveLength(1);
    expect(r.files[0]!.path).toBe('report.pdf');
    expect(r.files[0]!.text).toContain('Functions return values');
    expect(r.files[0]!.text).toContain('Default arguments');
  });
});

describe('unpackSubmission: archives', () => {
  it('unpacks a project zip, skipping node_modules, .git, __MACOSX, binaries and nested archives', async () => {
    const vendored = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`proj/node_modules/pkg${i}/index.js`, 'module.exports = 1;']));
    const zip = await makeZip({
      'proj/src/main.py': MAIN_PY,
      'proj/README.md': '# My project\n',
      'proj/Makefile': 'run:\n\tpython src/main.py\n',
      'proj/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]),
      'proj/data.bin.unknown': Buffer.from([1, 2, 0, 3]),
      'proj/old.zip': Buffer.from('PK\x03\x04'),
      'proj/.git/config': '[core]',
      '__MACOSX/proj/._main.py': Buffer.from([0, 5, 22, 7]),
      'proj/src/__pycache__/main.cpython-311.pyc': Buffer.from([0x42, 0x0d, 0, 0]),
      ...vendored,
    });
    const r = await unpack('project.zip', zip);
    expect(r.files.map((f) => f.path).sort()).toEqual(['proj/Makefile', 'proj/README.md', 'proj/src/main.py']);
    expect(r.files.find((f) => f.path === 'proj/src/main.py')).toEqual({ path: 'proj/src/main.py', text: MAIN_PY, language: 'python' });
    const notes = r.notes.join('\n');
    expect(notes).toContain('proj/node_modules/');
    expect(notes).toContain('proj/.git/');
    expect(notes).toContain('__MACOSX/');
    expect(notes).toContain('proj/src/__pycache__/');
    expect(notes).toMatch(/Skipped binary files: .*proj\/logo\.png/);
    expect(notes).toContain('proj/data.bin.unknown');
    expect(notes).toMatch(/Nested archives not expanded: proj\/old\.zip/);
    expect(r.stats.entries).toBeLessThan(20); // vendored entries are not counted against maxEntries
  });

  it('refuses a zip bomb from its directory, before inflating, quickly', async () => {
    const bomb = zerosBomb(1024); // 1 GiB of zeros in ~1 MiB
    const zip = rawZip([rawEntry('readme.txt', 'hi'), { name: 'zeros.txt', deflated: bomb.deflated, crc: bomb.crc, declaredSize: bomb.size }]);
    const started = performance.now();
    const e = await refusal(unpack('bomb.zip', zip));
    expect(e.code).toBe('too_large');
    expect(e.message).toMatch(/unpacks to more than 10 MiB .*zip bomb/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses a zip entry whose header lies about its size', async () => {
    const bomb = zerosBomb(64);
    const zip = rawZip([{ name: 'small.txt', deflated: bomb.deflated, crc: bomb.crc, declaredSize: 100 }]);
    const e = await refusal(unpack('liar.zip', zip));
    expect(e.code).toBe('unsafe_archive');
    expect(e.message).toMatch(/inflates to a different size than declared/);
  });

  it('refuses "../" and absolute entry names with clear reasons', async () => {
    const dotdot = await refusal(unpack('evil.zip', rawZip([rawEntry('ok.py', 'x=1'), rawEntry('src/../../etc/cron.d/x', 'boom')])));
    expect(dotdot.code).toBe('unsafe_archive');
    expect(dotdot.message).toContain('"src/../../etc/cron.d/x" points outside the archive ("..")');
    const backslash = await refusal(unpack('evil2.zip', rawZip([rawEntry('..\\windows\\x.py', 'x')])));
    expect(backslash.message).toContain('points outside the archive');
    const abs = await refusal(unpack('abs.zip', rawZip([rawEntry('/etc/passwd', 'root')])));
    expect(abs.message).toContain('"/etc/passwd" has an absolute path');
    const drive = await refusal(unpack('drive.zip', rawZip([rawEntry('C:/Windows/x.py', 'x')])));
    expect(drive.message).toContain('has an absolute path');
    const tarAbs = await refusal(unpack('abs.tar.gz', await makeTarGz([{ name: '/etc/shadow', data: 'x' }])));
    expect(tarAbs.message).toContain('"/etc/shadow" has an absolute path');
    const tarUp = await refusal(unpack('up.tgz', await makeTarGz([{ name: 'a/../../x.py', data: 'x' }])));
    expect(tarUp.message).toContain('points outside the archive');
  });

  it('ignores symlinks (zip and tar) and says so in the notes, never reading their target', async () => {
    const zip = await makeZipWithModes([
      { name: 'p/main.py', data: MAIN_PY },
      { name: 'p/passwd.txt', data: '/etc/passwd', mode: 0o120777 },
    ]);
    const r = await unpack('links.zip', zip);
    expect(r.files.map((f) => f.path)).toEqual(['p/main.py']);
    expect(r.notes.join('\n')).toMatch(/Ignored symbolic\/hard links \(not followed\): p\/passwd\.txt/);

    const tgz = await makeTarGz([
      { name: 'p/main.py', data: MAIN_PY },
      { name: 'p/secret.txt', type: 'symlink', linkname: '/etc/passwd' },
      { name: 'p/hard.txt', type: 'link', linkname: 'p/main.py' },
      { name: 'p/dev', type: 'character-device' },
    ]);
    const t = await unpack('links.tar.gz', tgz);
    expect(t.files.map((f) => f.path)).toEqual(['p/main.py']);
    expect(t.notes.join('\n')).toContain('p/secret.txt, p/hard.txt');
    expect(t.notes.join('\n')).toContain('Ignored special entries (devices, FIFOs): p/dev');
  });

  it('accepts 3 folders of depth and refuses 4', async () => {
    const ok = await unpack('ok.zip', await makeZip({ 'a/b/c/main.py': MAIN_PY }));
    expect(ok.files.map((f) => f.path)).toEqual(['a/b/c/main.py']);
    const e = await refusal(unpack('deep.zip', await makeZip({ 'a/b/c/d/main.py': MAIN_PY })));
    expect(e.code).toBe('too_deep');
    expect(e.message).toContain('"a/b/c/d/main.py" is nested 4 folders deep; at most 3 are allowed');
    const t = await refusal(unpack('deep.tgz', await makeTarGz([{ name: 'a/b/c/d/e.py', data: 'x' }])));
    expect(t.code).toBe('too_deep');
  });

  it('refuses 10,000 tiny entries quickly without big memory (zip and tar.gz)', async () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `f${i}.txt`);
    const zip = rawZip(names.map((name) => rawEntry(name, 'x')));
    const tgz = await makeTarGz(names.map((name) => ({ name, data: 'x' })));
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    const z = await refusal(unpack('many.zip', zip));
    expect(z.code).toBe('too_many_entries');
    expect(z.message).toContain('more than 2,000 entries');
    const t = await refusal(unpack('many.tar.gz', tgz));
    expect(t.code).toBe('too_many_entries');
    expect(performance.now() - started).toBeLessThan(3000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 1024 * 1024);
    // The hard cap on all entries (vendored ones included) is checked from the zip directory at once.
    const e = await refusal(unpack('many2.zip', zip, { limits: { maxArchiveEntries: 5000 } }));
    expect(e.message).toContain('10,000 entries, more than the limit of 5,000');
  });

  it('unpacks a .tar.gz project and a gzipped tar/single file; refuses a gzip bomb', async () => {
    const tgz = await makeTarGz([
      { name: './proj/', type: 'directory' },
      { name: './proj/app.js', data: 'export const add = (a, b) => a + b;\n' },
      { name: './proj/dist/app.min.js', data: 'x' },
    ]);
    const r = await unpack('proj.tgz', tgz);
    expect(r.files).toEqual([{ path: 'proj/app.js', text: 'export const add = (a, b) => a + b;\n', language: 'javascript' }]);
    expect(r.notes.join('\n')).toContain('proj/dist/');

    const tarGz = gzipSync(await makeTar([{ name: 'x/main.py', data: MAIN_PY }]));
    expect((await unpack('hw.gz', tarGz)).files.map((f) => f.path)).toEqual(['x/main.py']);
    expect((await unpack('main.py.gz', gzipSync(MAIN_PY))).files).toEqual([{ path: 'main.py', text: MAIN_PY, language: 'python' }]);

    const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024));
    const e1 = await refusal(unpack('bomb.txt.gz', bomb));
    expect(e1.code).toBe('too_large');
    const e2 = await refusal(unpack('bomb.tar.gz', bomb));
    expect(e2.code).toBe('too_large');
    expect(e2.message).toContain('gzip bomb');
    const e3 = await refusal(unpack('junk.tgz', Buffer.from('not gzip at all')));
    expect(e3.code).toBe('corrupt');
  });

  it('refuses an archive with nothing to review, listing what was skipped', async () => {
    const e = await refusal(unpack('empty.zip', await makeZip({ 'node_modules/a.js': 'x', 'pic.png': Buffer.from([0x89, 0x50, 0, 0]) })));
    expect(e.code).toBe('empty');
    expect(e.message).toContain('pic.png');
  });

  it('keeps the first of two entries with the same path', async () => {
    const r = await unpack('dup.zip', rawZip([rawEntry('a.py', 'x = 1'), rawEntry('./a.py', 'x = 2')]));
    expect(r.files).toEqual([{ path: 'a.py', text: 'x = 1', language: 'python' }]);
    expect(r.notes.join('\n')).toContain('Skipped repeated entries (the first copy was kept): a.py');
  });

  it('refuses a source file inside an archive that is not UTF-8, naming it', async () => {
    const e = await refusal(unpack('enc.zip', await makeZip({ 'src/util.py': Buffer.from('# caf\xe9\n', 'latin1') })));
    expect(e.code).toBe('invalid_utf8');
    expect(e.message).toContain('"src/util.py"');
  });
});
