// Words for the local reviewer: tokenising code and prose alike (identifiers are split at "_" and camelCase),
// light stemming (English suffixes, common Ukrainian/Russian endings), and a tolerant term match (equal stems,
// or a long shared prefix: "param" ~ "parameter", "функція" ~ "функцію").
import { STOPWORDS } from '../../../shared/src/providers/embeddings/stopwords.js';

const WORD_RE = /[\p{L}\p{N}_']+/gu;

/** Words that say how a criterion is phrased, not what it asks for ("uses a …", "defines …", "правильно …"). */
const GENERIC = new Set(
  (
    'use uses using used make makes made making write writes written writing define defines defined defining ' +
    'implement implements implemented implementing create creates created creating contain contains contained ' +
    'include includes included show shows shown provide provides provided correct correctly proper properly ' +
    'least one two three code program programs solution submission student task exercise should must need needs ' +
    'able well good valid way statement statements keyword keywords operator construct ' +
    'використовує використати використано використовувати визначає визначити містить має мати написати написано ' +
    'реалізує реалізувати створює створити правильно коректно код програма програму рішення розв\'язок студент ' +
    'завдання хоча щонайменше один одна одне використовуя'
  ).split(/\s+/),
);

const EN_SUFFIXES: [string, string][] = [
  ['ational', 'at'], ['ations', 'at'], ['ation', 'at'], ['ments', ''], ['ment', ''], ['ings', ''], ['ing', ''],
  ['ies', 'i'], ['ied', 'i'], ['ers', ''], ['er', ''], ['edly', ''], ['ed', ''], ['es', ''], ['ly', ''], ['s', ''], ['e', ''],
];
const CYR_ENDINGS = [
  'ями', 'ами', 'ові', 'еві', 'ого', 'ому', 'ими', 'ій', 'ий', 'ої', 'ою', 'ею', 'ів', 'ах', 'ях', 'ам', 'ям', 'ом',
  'ем', 'ія', 'ії', 'ію', 'а', 'я', 'у', 'ю', 'і', 'и', 'е', 'о', 'ь', 'й', 'ї', 'ы',
];

export function stem(word: string): string {
  const w = word.toLowerCase().replace(/'/g, '');
  if (/[\u0400-\u04ff]/.test(w)) {
    for (const end of CYR_ENDINGS) if (w.endsWith(end) && w.length - end.length >= 4) return w.slice(0, -end.length);
    return w;
  }
  for (const [suffix, replacement] of EN_SUFFIXES) {
    if (w.endsWith(suffix) && w.length - suffix.length + replacement.length >= 3) return w.slice(0, -suffix.length) + replacement;
  }
  return w;
}

/** Splits text into lower-case word tokens; identifiers are split (`calc_total`, `calcTotal` → calc, total). */
export function tokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.normalize('NFKC').matchAll(WORD_RE)) {
    for (const part of m[0].split(/_+|(?<=[\p{Ll}\p{N}])(?=\p{Lu})/u)) {
      const p = part.replace(/^'+|'+$/g, '').toLowerCase();
      if (p.length >= 2 || /\p{N}/u.test(p)) out.push(p);
    }
  }
  return out;
}

export interface Term {
  stem: string;
  /** The word as written in the criterion (shown in comments). */
  word: string;
}

/** Content terms of a criterion: no stop words, no generic phrasing words, each stem once, in order. */
export function contentTerms(text: string): Term[] {
  const seen = new Set<string>();
  const out: Term[] = [];
  for (const t of tokens(text)) {
    if (STOPWORDS.has(t) || GENERIC.has(t) || /^\d+$/.test(t)) continue;
    const s = stem(t);
    if (seen.has(s)) continue;
    seen.add(s);
    out.push({ stem: s, word: t });
  }
  return out;
}

/** Every stem of a text (stop words included: code keywords like `if`, `for`, `return` matter). */
export function stemSet(text: string): Set<string> {
  return new Set(tokens(text).map(stem));
}

/** Same stem, or a long shared prefix (≥ 5 characters and all but the last two of the shorter stem). */
export function sameTerm(a: string, b: string): boolean {
  if (a === b) return true;
  const min = Math.min(a.length, b.length);
  if (min < 5) return false;
  let i = 0;
  while (i < min && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i >= Math.max(5, min - 2);
}

export function hasTerm(stems: Iterable<string>, term: string): boolean {
  for (const s of stems) if (sameTerm(s, term)) return true;
  return false;
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

/** Sentences or bullet points of a task description, for criteria when none were given. */
export function splitTask(text: string, max: number): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n+|(?<=[.!?])\s+(?=\p{Lu})/u)
    .map((s) => s.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').trim())
    .filter((s) => contentTerms(s).length > 0)
    .slice(0, max);
}
