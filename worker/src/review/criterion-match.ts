// Deciding one criterion against the submission, deterministically:
//   keyword evidence — the criterion's content terms (stemmed) found on submission lines, plus code idioms
//     (code-idioms.ts) that cover terms a construct implies ("default argument" ← `def f(x=1):`);
//     coverage = covered terms / terms;
//   semantic similarity — cosine between the criterion's embedding and the best window of 4 lines (local
//     lexical embeddings: shared words and word fragments, not meaning).
//   met  ⇔  coverage ≥ 0.6,  or  coverage ≥ 0.34 and similarity ≥ 0.25,  or (no content terms) similarity ≥ 0.4.
// Evidence: up to 3 lines, greedily chosen to cover the most terms (ties: file order), quoted verbatim.
import { idiomsFor } from './code-idioms.js';
import { quoteLine, type Quote } from './evidence.js';
import { cosine, hasTerm, sameTerm, stemSet, type Term } from './review-text.js';
import type { CriterionSpec } from './review-inputs.js';

export const MATCH_THRESHOLDS = { coverageMet: 0.6, coverageAssisted: 0.34, similarityAssist: 0.25, similarityAlone: 0.4 };
const MAX_QUOTES = 3;
const COMMENT_RE = /^\s*(?:#|\/\/|\/\*|\*|--|<!--)/;
const WINDOW = 4;
const STRIDE = 2;

export interface IndexedLine {
  file: number;
  line: number; // 1-based
  text: string;
  stems: Set<string>;
}

export interface SubmissionIndex {
  files: { path: string; text: string }[];
  lines: IndexedLine[];
  windows: { vector: number[]; first: number; last: number }[]; // indices into lines
}

export interface SyncEmbedder {
  embedSync(texts: readonly string[]): { vectors: number[][] };
}

export function indexSubmission(files: { path: string; text: string }[], embedder: SyncEmbedder): SubmissionIndex {
  const lines: IndexedLine[] = [];
  const windowTexts: string[] = [];
  const spans: { first: number; last: number }[] = [];
  files.forEach((f, fi) => {
    const start = lines.length;
    f.text.split('\n').forEach((text, i) => {
      if (text.trim()) lines.push({ file: fi, line: i + 1, text, stems: stemSet(text) });
    });
    const count = lines.length - start;
    for (let w = 0; w < Math.max(1, count - WINDOW + STRIDE); w += STRIDE) {
      const first = start + w;
      const last = Math.min(lines.length, first + WINDOW) - 1;
      if (last < first) break;
      spans.push({ first, last });
      windowTexts.push(lines.slice(first, last + 1).map((l) => l.text).join('\n'));
    }
  });
  const vectors = windowTexts.length ? embedder.embedSync(windowTexts).vectors : [];
  return { files, lines, windows: spans.map((s, i) => ({ ...s, vector: vectors[i]! })) };
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
  const hits: { line: IndexedLine; covered: Set<string>; focus: number; idiom: boolean }[] = [];
  for (const line of index.lines) {
    const covered = new Set<string>();
    let focus = -1;
    let idiomHit = false;
    for (const term of spec.terms) if (hasTerm(line.stems, term.stem)) covered.add(term.stem);
    for (const idiom of idioms) {
      const m = idiom.pattern.exec(line.text);
      if (!m) continue;
      focus = m.index;
      idiomHit = true;
      for (const term of spec.terms) if (idiom.covers.some((c) => sameTerm(c, term.stem))) covered.add(term.stem);
    }
    if (covered.size) hits.push({ line, covered, idiom: idiomHit, focus: focus === -1 ? firstTermOffset(line.text, spec.terms) : focus });
  }

  let similarity = 0;
  let bestWindow = -1;
  index.windows.forEach((w, i) => {
    const s = cosine(vector, w.vector);
    if (s > similarity) [similarity, bestWindow] = [s, i];
  });

  // Greedy evidence: the hit covering most terms first (code constructs before comments), then hits adding terms.
  const rank = (h: (typeof hits)[number]) => (h.idiom ? 2 : 0) + (COMMENT_RE.test(h.line.text) ? 0 : 1);
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
    const w = index.windows[bestWindow]!;
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
