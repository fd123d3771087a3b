// Real documentation prose for the search bench: text nobody on this project wrote, so the embedder's vectors
// spread the way real course material does (the synthetic corpus of corpus.ts is lexical near-duplicates).
// Sources, in this order, as far as they are present: test/fixtures/real (always; see its README), the Node.js
// API docs of Debian's nodejs package (/usr/share/doc/nodejs/api/*.md, MIT), the Git manuals of Debian's git
// package (/usr/share/doc/git/*.txt, GPL-2) and the Python 3.11 documentation of Debian's python3.11-doc
// (`apt-get install python3.11-doc`; /usr/share/doc/python3.11/html, PSF licence). Markup is stripped crudely
// (tags, entities, code fences kept as words): good enough for vectors, not an extractor.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './env.js';

const SOURCES: { dir: string; ext: RegExp; recursive: boolean }[] = [
  { dir: join(ROOT, 'test/fixtures/real'), ext: /\.(html|md)$/i, recursive: true },
  { dir: '/usr/share/doc/nodejs/api', ext: /\.md$/, recursive: false },
  { dir: '/usr/share/doc/git', ext: /\.txt$/, recursive: false },
  { dir: '/usr/share/doc/python3.11/html/library', ext: /\.html$/, recursive: false },
  { dir: '/usr/share/doc/python3.11/html/reference', ext: /\.html$/, recursive: false },
  { dir: '/usr/share/doc/python3.11/html/howto', ext: /\.html$/, recursive: false },
  { dir: '/usr/share/doc/python3.11/html/faq', ext: /\.html$/, recursive: false },
];

function files(dir: string, ext: RegExp, recursive: boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return recursive ? files(p, ext, true) : [];
      return ext.test(name) ? [p] : [];
    });
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', para: '', '#39': "'" };

function plain(text: string, html: boolean): string {
  if (!html) return text;
  return text
    .replace(/<(script|style|head|nav|footer)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&([a-z]+|#\d+);/gi, (_, e: string) => ENTITIES[e.toLowerCase()] ?? (e.startsWith('#') ? String.fromCharCode(Number(e.slice(1))) : ' '));
}

export interface ProseCorpus {
  /** Every word of every document, in order (documents concatenated). */
  words: string[];
  files: number;
  sources: string[];
}

let cached: ProseCorpus | null = null;

export function proseCorpus(): ProseCorpus {
  if (cached) return cached;
  const words: string[] = [];
  let n = 0;
  const sources: string[] = [];
  for (const s of SOURCES) {
    const fs = files(s.dir, s.ext, s.recursive);
    if (!fs.length) continue;
    sources.push(`${s.dir} (${fs.length})`);
    for (const f of fs) {
      const text = plain(readFileSync(f, 'utf8'), /\.html$/i.test(f));
      for (const w of text.split(/\s+/)) if (w && w.length <= 40) words.push(w);
      n += 1;
    }
  }
  cached = { words, files: n, sources };
  return cached;
}

/**
 * The text of global chunk j (about `size` words): consecutive windows of the word stream, so a lesson (a run of
 * consecutive chunks) is a passage of one or two documents. Past the end the stream wraps, shifted by 17 more words
 * each pass (mod the chunk size), so no two chunks are equal within 60 passes; a tenant's 10k chunks of 60 words stay within one pass of
 * a ≥ 600k-word corpus, and only chunks of different tenants overlap (as when two schools upload one textbook).
 */
export function proseChunk(corpus: ProseCorpus, j: number, size = 60): string {
  const n = corpus.words.length;
  const start = j * size;
  const pass = Math.floor(start / n);
  const at = (start + ((pass * 17) % size)) % n;
  const out: string[] = [];
  for (let i = 0; i < size; i++) out.push(corpus.words[(at + i) % n] as string);
  return out.join(' ');
}

/** A window of `size` words starting `offset` words into global chunk j (queries taken from a lesson's text). */
export function proseWindow(corpus: ProseCorpus, j: number, offset: number, size: number, chunkSize = 60): string {
  const n = corpus.words.length;
  const start = j * chunkSize;
  const pass = Math.floor(start / n);
  const at = (start + ((pass * 17) % chunkSize) + offset) % n;
  const out: string[] = [];
  for (let i = 0; i < size; i++) out.push(corpus.words[(at + i) % n] as string);
  return out.join(' ');
}
