// Deterministic synthetic course text: a vocabulary of made-up words, topics (a lesson's own words) and
// sentences mixing frequent common words with topic words, so lexical embeddings cluster by topic as real lessons
// do. Documents in Markdown, HTML and PDF (pdf-lib) of a requested size.
import { PDFDocument, StandardFonts } from 'pdf-lib';

export type Rng = () => number;

/** mulberry32: small, fast, seedable. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ter', 'vax', 'do', 'ren', 'sul', 'pi', 'qua', 'zen', 'bor', 'fi', 'gal', 'hu', 'jex', 'nor', 'op', 'ruk', 'tis', 'um', 'vel', 'wy', 'xa'];

export const VOCABULARY: readonly string[] = (() => {
  const r = rng(7);
  const out = new Set<string>();
  while (out.size < 6000) {
    const n = 2 + Math.floor(r() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
    out.add(w);
  }
  return [...out];
})();

const COMMON = VOCABULARY.slice(0, 300);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

/** A topic: 40 words of its own from the rarer part of the vocabulary. */
export function topicWords(seed: number): string[] {
  const r = rng(seed * 7919 + 1);
  return Array.from({ length: 40 }, () => VOCABULARY[300 + Math.floor(r() * (VOCABULARY.length - 300))] as string);
}

export function sentence(r: Rng, topic: readonly string[]): string {
  const n = 8 + Math.floor(r() * 10);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(r() < 0.45 ? pick(r, topic) : pick(r, COMMON));
  const s = words.join(' ');
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
}

export function paragraph(r: Rng, topic: readonly string[], sentences = 5): string {
  return Array.from({ length: sentences }, () => sentence(r, topic)).join(' ');
}

/** Words of text (about `words` of them) for a chunk. */
export function chunkText(r: Rng, topic: readonly string[], words: number): string {
  let out = '';
  while (out.split(' ').length < words) out += `${sentence(r, topic)} `;
  return out.trim();
}

export function markdownDoc(seed: number, bytes: number): string {
  const r = rng(seed);
  const parts: string[] = [`# Lesson ${seed}\n`];
  let size = parts[0]?.length ?? 0;
  let section = 0;
  while (size < bytes) {
    const topic = topicWords(seed * 100 + section);
    const block = `\n## ${pick(r, topic)} ${pick(r, topic)}\n\n${paragraph(r, topic)}\n\n${paragraph(r, topic)}\n\n- ${sentence(r, topic)}\n- ${sentence(r, topic)}\n`;
    parts.push(block);
    size += block.length;
    section += 1;
  }
  return parts.join('');
}

export function htmlDoc(seed: number, bytes: number): string {
  const r = rng(seed);
  const parts: string[] = [`<!doctype html><html><head><title>Lesson ${seed}</title><style>p{margin:0}</style></head><body><nav><a href="/">Home</a></nav><main><article><h1>Lesson ${seed}</h1>`];
  let size = parts[0]?.length ?? 0;
  let section = 0;
  while (size < bytes) {
    const topic = topicWords(seed * 100 + section);
    const block = `<section><h2>${pick(r, topic)} ${pick(r, topic)}</h2><p>${paragraph(r, topic)}</p><p>${paragraph(r, topic)}</p><ul><li>${sentence(r, topic)}</li></ul></section>\n`;
    parts.push(block);
    size += block.length;
    section += 1;
  }
  parts.push('</article></main><footer>bench</footer><script>var x = 1;</script></body></html>');
  return parts.join('');
}

/** A PDF of text pages (Helvetica, 11 pt), about `bytes` large. */
export async function pdfDoc(seed: number, bytes: number): Promise<Uint8Array> {
  const r = rng(seed);
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  let approx = 0;
  let page = 0;
  while (approx < bytes) {
    const p = doc.addPage([595, 842]);
    const topic = topicWords(seed * 100 + page);
    let y = 800;
    p.drawText(`Page ${page + 1}: ${pick(r, topic)}`, { x: 50, y, size: 14, font });
    y -= 24;
    while (y > 60) {
      const line = Array.from({ length: 11 }, () => (r() < 0.45 ? pick(r, topic) : pick(r, COMMON))).join(' ');
      p.drawText(line, { x: 50, y, size: 11, font });
      approx += line.length + 40; // text plus the operators around it
      y -= 15;
    }
    page += 1;
  }
  return doc.save();
}
