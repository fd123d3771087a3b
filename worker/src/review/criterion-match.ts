// Deciding one criterion against the submission, deterministically:
//   keyword evidence — the criterion's content terms (stemmed) found on submission lines, plus code idioms
//     (code-idioms.ts) that cover terms a construct implies ("default argument" ← `def f(x=1):`);
//     coverage = covered terms / terms;
//   semantic similarity — cosine between the criterion's embedding and the best window of 4 lines (local
//     lexical embeddings: shared words and word fragments, not meaning).
//   met  ⇔  coverage ≥ 0.6,  or  coverage ≥ 0.34 and similarity ≥ 0.25,  or (no content terms) similarity ≥ 0.4.
// Evidence: up to 3 lines, greedily chosen to cover the most terms (ties: file order), quoted verbatim.
//
// What counts as evidence (code-view.ts says what is code):
//   a code criterion (one a code idiom applies to: functions, loops, defaults, …) is evidenced by code only —
//     never by comments, docstrings, string literals or prose files, nor by functions with empty bodies;
//   any other criterion also by text (comments, strings, prose), except text that merely restates the criteria:
//     a line whose content words are mostly the criteria's own words (RESTATEMENT_SHARE) proves nothing — the
//     same test applies to code-looking lines of prose files (a PDF report's listing), which count as code.
import { idiomsFor } from './code-idioms.js';
import { codeView, languageFromPath } from './code-view.js';
import { quoteLine, type Quote } from './evidence.js';
import { contentTerms, cosine, hasTerm, sameTerm, stemSet, type Term } from './review-text.js';
import type { CriterionSpec } from './review-inputs.js';

export const MATCH_THRESHOLDS = { coverageMet: 0.6, coverageAssisted: 0.34, similarityAssist: 0.25, similarityAlone: 0.4 };
const MAX_QUOTES = 3;
/** A text line whose content words are at least this share of criterion words restates the criteria. */
export const RESTATEMENT_SHARE = 0.6;
const WINDOW = 4;
const STRIDE = 2;

export interface IndexedLine {
  file: number;
  line: number; // 1-based
  /** The line as submitted (quotes are taken from it). */
  text: string;
  /** Its code: comments and string contents blanked; '' in prose and in empty-bodied functions. */
  code: string;
  codeStems: Set<string>;
  /** Stems of its text (comments, strings, prose) unless that text restates the criteria. */
  textStems: Set<string>;
  constructs: Set<string>;
  hasComment: boolean;
}

interface Windows {
  code: { vector: number[]; first: number; last: number }[]; // indices into lines
  all: { vector: number[]; first: number; last: number }[];
}

export interface SubmissionIndex {
  files: { path: string; text: string }[];
  lines: IndexedLine[];
  windows: Windows;
}

export interface SyncEmbedder {
  embedSync(texts: readonly string[]): { vectors: number[][] };
}

export async function indexSubmission(
  files: { path: string; text: string; language?: string }[],
  embedder: SyncEmbedder,
  specs: readonly CriterionSpec[],
): Promise<SubmissionIndex> {
  const criterionStems = specs.flatMap((s) => s.terms.map((t) => t.stem));
  const restates = (text: string) => {
    const terms = contentTerms(text);
    if (!terms.length) return false;
    const shared = terms.filter((t) => criterionStems.some((c) => sameTerm(c, t.stem))).length;
    return shared / terms.length >= RESTATEMENT_SHARE;
  };
  const lines: IndexedLine[] = [];
  for (const [fi, f] of files.entries()) {
    const view = await codeView(f.text, f.language ?? languageFromPath(f.path));
    f.text.split('\n').forEach((text, i) => {
      if (!text.trim()) return;
      const v = view[i]!;
      const code = v.hollow || (v.fromProse && restates(v.code)) ? '' : v.code;
      lines.push({
        file: fi,
        line: i + 1,
        text,
        code,
        codeStems: stemSet(code),
        textStems: v.text && !restates(v.text) ? stemSet(v.text) : new Set(),
        constructs: v.hollow ? new Set() : v.constructs,
        hasComment: v.hasComment,
      });
    });
  }
  const codeOnly = (l: IndexedLine) => l.code;
  const withText = (l: IndexedLine) => (l.textStems.size ? l.text : l.code);
  const spansOf = (pick: (l: IndexedLine) => string) => {
    const spans: { first: number; last: number; text: string }[] = [];
    files.forEach((_, fi) => {
      const idx = lines.flatMap((l, i) => (l.file === fi && pick(l).trim() ? [i] : []));
      for (let w = 0; w < Math.max(1, idx.length - WINDOW + STRIDE); w += STRIDE) {
        const part = idx.slice(w, w + WINDOW);
        if (!part.length) break;
        spans.push({ first: part[0]!, last: part[part.length - 1]!, text: part.map((i) => pick(lines[i]!)).join('\n') });
      }
    });
    return spans;
  };
  const code = spansOf(codeOnly);
  const all = spansOf(withText);
  const texts = [...code, ...all].map((s) => s.text);
  const vectors = texts.length ? embedder.embedSync(texts).vectors : [];
  return {
    files,
    lines,
    windows: {
      code: code.map((s, i) => ({ first: s.first, last: s.last, vector: vectors[i]! })),
      all: all.map((s, i) => ({ first: s.first, last: s.last, vector: vectors[code.length + i]! })),
    },
  };
}

export interface CriterionResult {
  met: boolean;
  coverage: number;
  similarity: number;
  found: Term[];
  missing: Term[];
  quotes: Quote[];
}

export function matchCriterion(spec: CriterionSpec, vector: number[], index: SubmissionIndex): CriterionResult {
  const idioms = idiomsFor(spec.stems);
  const codeCriterion = idioms.some((i) => i.name !== 'comment');
  const windows = codeCriterion ? index.windows.code : index.windows.all;
  const hits: { line: IndexedLine; covered: Set<string>; focus: number; idiom: boolean }[] = [];
  for (const line of index.lines) {
    const covered = new Set<string>();
    let focus = -1;
    let idiomHit = false;
    for (const term of spec.terms) {
      if (hasTerm(line.codeStems, term.stem) || (!codeCriterion && hasTerm(line.textStems, term.stem))) covered.add(term.stem);
    }
    for (const idiom of idioms) {
      const m = idiom.name === 'comment' ? (line.hasComment ? { index: 0 } : null) : idiom.pattern.exec(line.code);
      if (!m && !line.constructs.has(idiom.name)) continue;
      focus = m ? m.index : 0;
      idiomHit = true;
      for (const term of spec.terms) if (idiom.covers.some((c) => sameTerm(c, term.stem))) covered.add(term.stem);
    }
    if (covered.size) hits.push({ line, covered, idiom: idiomHit, focus: focus === -1 ? firstTermOffset(line.text, spec.terms) : focus });
  }

  let similarity = 0;
  let bestWindow = -1;
  windows.forEach((w, i) => {
    const s = cosine(vector, w.vector);
    if (s > similarity) [similarity, bestWindow] = [s, i];
  });

  // Greedy evidence: the hit covering most terms first (code constructs before comments), then hits adding terms.
  const rank = (h: (typeof hits)[number]) => (h.idiom ? 2 : 0) + (h.line.code ? 1 : 0);
  const ordered = [...hits].sort(
    (a, b) => b.covered.size - a.covered.size || rank(b) - rank(a) || a.line.file - b.line.file || a.line.line - b.line.line,
  );
  const chosen: typeof hits = [];
  const covered = new Set<string>();
  for (const h of ordered) {
    if (chosen.length >= MAX_QUOTES) break;
    if ([...h.covered].some((s) => !covered.has(s))) {
      chosen.push(h);
      h.covered.forEach((s) => covered.add(s));
    }
  }
  const total = spec.terms.length;
  const coverage = total ? covered.size / total : 0;
  const t = MATCH_THRESHOLDS;
  let met = total
    ? coverage >= t.coverageMet || (coverage >= t.coverageAssisted && similarity >= t.similarityAssist)
    : similarity >= t.similarityAlone;
  if (!total && met && bestWindow >= 0) {
    const w = windows[bestWindow]!;
    const line = index.lines.slice(w.first, w.last + 1).sort((a, b) => b.text.trim().length - a.text.trim().length)[0];
    if (line) chosen.push({ line, covered: new Set(), focus: 0, idiom: false });
  }
  const quotes = chosen
    .sort((a, b) => a.line.file - b.line.file || a.line.line - b.line.line)
    .map((h) => ({ path: index.files[h.line.file]!.path, line: h.line.line, quote: quoteLine(h.line.text, Math.max(0, h.focus)) }));
  if (met && quotes.length === 0) met = false; // a criterion is never "met" without a quote to show for it
  return {
    met,
    coverage,
    similarity,
    found: spec.terms.filter((x) => covered.has(x.stem)),
    missing: spec.terms.filter((x) => !covered.has(x.stem)),
    quotes,
  };
}

function firstTermOffset(text: string, terms: Term[]): number {
  const lower = text.toLowerCase();
  for (const t of terms) {
    const at = lower.indexOf(t.stem.slice(0, 5));
    if (at !== -1) return at;
  }
  return 0;
}
