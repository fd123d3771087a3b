import { describe, expect, it } from 'vitest';
import {
  MAX_FILENAME_BYTES,
  fileExtension,
  homeworkObjectKey,
  isKeyUnderPrefix,
  materialObjectKey,
  nodePrefix,
  safeFilename,
  tenantPrefix,
} from './object-keys.js';

const T = '0190b5a0-0000-7000-8000-000000000001';
const N = '0190b5a0-0000-7000-8000-000000000002';
const M = '0190b5a0-0000-7000-8000-000000000003';
const S = '0190b5a0-0000-7000-8000-000000000004';
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** What every safe name must satisfy, whatever the input. */
function expectSafe(name: string) {
  expect(name.length).toBeGreaterThan(0);
  expect(bytes(name)).toBeLessThanOrEqual(MAX_FILENAME_BYTES);
  expect(name).not.toMatch(/[/\\]/);
  expect(name).not.toMatch(/^\./);
  expect(name).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  expect(name).not.toBe('..');
  expect(name.normalize('NFC')).toBe(name);
}

describe('safeFilename', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\system32\\cmd.exe', 'cmd.exe'],
    ['a/b\\c', 'c'],
    ['C:\\Users\\me\\report.pdf', 'report.pdf'],
    ['notes/..', 'notes'],
    ['..', 'file'],
    ['.', 'file'],
    ['/', 'file'],
    ['', 'file'],
    ['   ', 'file'],
    ['.htaccess', 'htaccess'],
    ['...hidden.md', 'hidden.md'],
    ['name. ', 'name'],
    ['lesson 1.md', 'lesson 1.md'],
    ['a\tb\nc.txt', 'a_b_c.txt'],
    ['100% <done>?.txt', '100_ _done__.txt'],
  ])('%j → %j', (input, expected) => {
    const out = safeFilename(input);
    expect(out).toBe(expected);
    expectSafe(out);
  });

  it('treats null and undefined as empty', () => {
    expect(safeFilename(undefined)).toBe('file');
    expect(safeFilename(null)).toBe('file');
  });

  it('neutralises NUL bytes and other control characters', () => {
    const out = safeFilename('evil.php\u0000.pdf');
    expect(out).toBe('evil.php_.pdf');
    expect(out).not.toContain('\u0000');
    expect(safeFilename('\u0000\u0000')).toBe('file');
    expect(safeFilename('a\u0007\u007f\u009bb.txt')).toBe('a___b.txt');
  });

  it('neutralises bidi overrides and zero-width characters that disguise extensions', () => {
    const out = safeFilename('invoice\u202Efdp.exe');
    expect(out).toBe('invoice_fdp.exe');
    expect(safeFilename('a\u200Bb\uFEFF.md')).toBe('a_b_.md');
  });

  it('keeps unicode letters, normalised to NFC', () => {
    expect(safeFilename('Лекция 1 — введение.pdf')).toBe('Лекция 1 — введение.pdf');
    expect(safeFilename('講義ノート.docx')).toBe('講義ノート.docx');
    expect(safeFilename('cafe\u0301.txt')).toBe('caf\u00e9.txt');
    expect(safeFilename('😀 emoji.md')).toBe('😀 emoji.md');
  });

  it('caps 1000-character names in UTF-8 bytes and keeps the extension', () => {
    const out = safeFilename(`${'a'.repeat(1000)}.pdf`);
    expectSafe(out);
    expect(out.endsWith('.pdf')).toBe(true);
    expect(bytes(out)).toBe(MAX_FILENAME_BYTES);
    expect(out).toBe(`${'a'.repeat(MAX_FILENAME_BYTES - 4)}.pdf`);
  });

  it('never splits a multi-byte character when shortening', () => {
    const out = safeFilename(`${'я'.repeat(1000)}.md`); // 2 bytes each
    expectSafe(out);
    expect(out.endsWith('.md')).toBe(true);
    expect(out).not.toContain('\uFFFD');
    expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out);
    const emoji = safeFilename('😀'.repeat(500)); // 4 bytes each, surrogate pairs in JS
    expectSafe(emoji);
    expect(emoji).toBe('😀'.repeat(MAX_FILENAME_BYTES / 4));
  });

  it('shortens a name whose "extension" is itself too long as one piece', () => {
    const out = safeFilename(`x.${'b'.repeat(1000)}`);
    expectSafe(out);
    expect(bytes(out)).toBe(MAX_FILENAME_BYTES);
  });
});

describe('fileExtension', () => {
  it('is lower-case without the dot, and empty without one', () => {
    expect(fileExtension('Slides.PPTX')).toBe('pptx');
    expect(fileExtension('../x/notes.md')).toBe('md');
    expect(fileExtension('README')).toBe('');
    expect(fileExtension('.bashrc')).toBe('');
  });
});

describe('object keys', () => {
  it('lays out material and homework keys under the tenant', () => {
    expect(materialObjectKey(T, N, M, '../../etc/passwd')).toBe(`tenants/${T}/nodes/${N}/${M}/passwd`);
    expect(homeworkObjectKey(T, S, 'answer.py')).toBe(`tenants/${T}/homework/${S}/answer.py`);
    expect(tenantPrefix(T)).toBe(`tenants/${T}/`);
    expect(nodePrefix(T, N)).toBe(`tenants/${T}/nodes/${N}/`);
  });

  it('refuses ids that are not UUIDs (they could carry separators)', () => {
    expect(() => materialObjectKey('../x', N, M, 'a.md')).toThrow(TypeError);
    expect(() => nodePrefix(T, `${N}/..`)).toThrow(TypeError);
    expect(() => homeworkObjectKey(T, '', 'a.md')).toThrow(TypeError);
  });

  it('every built key lies under its node prefix', () => {
    for (const name of ['a.md', '../../x', '\u0000', '%2e%2e%2fsecret', 'x'.repeat(5000)]) {
      expect(isKeyUnderPrefix(materialObjectKey(T, N, M, name), nodePrefix(T, N))).toBe(true);
    }
  });
});

describe('isKeyUnderPrefix', () => {
  const prefix = nodePrefix(T, N);
  const other = '0190b5a0-0000-7000-8000-0000000000ff';

  it('accepts plain keys inside the prefix, with or without the trailing slash given', () => {
    expect(isKeyUnderPrefix(`${prefix}${M}/a.md`, prefix)).toBe(true);
    expect(isKeyUnderPrefix(`${prefix}${M}/a.md`, prefix.slice(0, -1))).toBe(true);
  });

  it.each([
    ['the prefix itself', `tenants/${T}/nodes/${N}/`],
    ['a sibling sharing the text prefix', `tenants/${T}/nodes/${N}x/a.md`],
    ['another tenant', `tenants/${other}/nodes/${N}/${M}/a.md`],
    ['dot-dot escape', `tenants/${T}/nodes/${N}/../../${other}/a.md`],
    ['dot-dot at the end', `tenants/${T}/nodes/${N}/${M}/..`],
    ['single dot segment', `tenants/${T}/nodes/${N}/./a.md`],
    ['empty segment', `tenants/${T}/nodes/${N}//a.md`],
    ['percent-encoded dots', `tenants/${T}/nodes/${N}/%2e%2e/%2e%2e/x`],
    ['percent-encoded slash', `tenants/${T}/nodes/${N}/..%2f..%2fx`],
    ['backslash escape', `tenants/${T}/nodes/${N}/..\\..\\x`],
    ['NUL byte', `tenants/${T}/nodes/${N}/a\u0000.md`],
    ['bidi control', `tenants/${T}/nodes/${N}/a\u202E.md`],
    ['non-NFC text', `tenants/${T}/nodes/${N}/cafe\u0301.md`],
    ['over 1024 bytes', `tenants/${T}/nodes/${N}/${'a'.repeat(1100)}`],
    ['a leading slash', `/tenants/${T}/nodes/${N}/a.md`],
  ])('refuses %s', (_what, key) => {
    expect(isKeyUnderPrefix(key, prefix)).toBe(false);
  });

  it('refuses non-strings and an empty or tricky prefix', () => {
    expect(isKeyUnderPrefix(undefined, prefix)).toBe(false);
    expect(isKeyUnderPrefix(42, prefix)).toBe(false);
    expect(isKeyUnderPrefix(['tenants'], prefix)).toBe(false);
    expect(isKeyUnderPrefix('anything/at/all', '')).toBe(false);
    expect(isKeyUnderPrefix(`tenants/${T}/x`, `tenants/${T}/nodes/../`)).toBe(false);
  });
});
