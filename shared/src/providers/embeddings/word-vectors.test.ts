import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWordVectors, ensureWordVectorFile, loadWordVectors, wordVectorFile } from './word-vectors.js';

// A small source in wink's JSON shape: {dimensions, words, vectors: {word: [d0..dN-1, l2norm, index]}}.
const dir = mkdtempSync(path.join(tmpdir(), 'wordvec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dims = 8;
const words = ['the', ',', 'car', 'automobile', 'banana', 'не', 'car'];
function vec(w: string): number[] {
  const seed = [...w].reduce((h, c) => h * 31 + c.charCodeAt(0), 7);
  const base = w === 'automobile' ? vec('car').slice(0, dims) : Array.from({ length: dims }, (_, d) => Math.sin(seed * (d + 1)));
  return [...base.map((x, d) => (w === 'automobile' ? x + 0.01 * d : x)), 1, 0];
}
const source = { file: path.join(dir, 'src.json'), version: '0.0.1-test' };
writeFileSync(source.file, JSON.stringify({ dimensions: dims, size: words.length, words, vectors: Object.fromEntries(words.map((w) => [w, vec(w)])) }));

describe('word vectors: conversion and loading', () => {
  it('converts once under a lock — concurrent callers wait and reuse the same file — then only loads', async () => {
    const cacheDir = path.join(dir, 'cache');
    const conversions: string[] = [];
    const onConvert = ({ target }: { target: string }) => void conversions.push(target);
    const files = await Promise.all([1, 2, 3, 4].map(() => ensureWordVectorFile({ cacheDir, source, onConvert })));
    expect(new Set(files)).toEqual(new Set([wordVectorFile(cacheDir, '0.0.1-test')]));
    expect(conversions).toHaveLength(1);
    const before = statSync(files[0]!);
    await ensureWordVectorFile({ cacheDir, source, onConvert });
    await loadWordVectors({ cacheDir, source, onConvert });
    expect(conversions).toHaveLength(1);
    expect(statSync(files[0]!).mtimeMs).toBe(before.mtimeMs);
  });

  it('keeps frequency order, skips punctuation and duplicates, looks words up exactly (also Cyrillic)', async () => {
    const wv = await loadWordVectors({ cacheDir: path.join(dir, 'cache'), source });
    expect(wv.count).toBe(5);
    expect([0, 1, 2, 3, 4].map((r) => wv.word(r))).toEqual(['the', 'car', 'automobile', 'banana', 'не']);
    expect(wv.lookup('car')).toBe(1);
    expect(wv.lookup('не')).toBe(4);
    expect(wv.lookup(',')).toBe(-1);
    expect(wv.lookup('ca')).toBe(-1);
    expect(wv.lookup('cars')).toBe(-1);
    const row = (w: string) => {
      const out = new Float32Array(dims);
      wv.addRow(wv.lookup(w), 1, out, 0);
      return out;
    };
    const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0) / Math.hypot(...a) / Math.hypot(...b);
    // (centring and removing the top components on five words moves them a little; the order must stay)
    expect(cos(row('car'), row('automobile'))).toBeGreaterThan(0.9);
    expect(cos(row('car'), row('banana'))).toBeLessThan(cos(row('car'), row('automobile')) - 0.3);
  });

  it('refuses a file that is not one of ours or is cut short', () => {
    const file = wordVectorFile(path.join(dir, 'cache'), '0.0.1-test');
    const bytes = readFileSync(file);
    expect(() => decodeWordVectors(bytes.subarray(0, bytes.length - 4))).toThrow(/expected/);
    const bad = Buffer.from(bytes);
    bad[0] = 0;
    expect(() => decodeWordVectors(bad)).toThrow(/not a CSWV file/);
  });
});
