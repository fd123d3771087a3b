// Evidence strings: one quote per line, `path:line: `quote`` (a longer backtick fence when the quote itself has
// backticks). Quotes are verbatim substrings of the submission's text; line numbers are 1-based in that text.
// Also the reverse: finding where a quote occurs, and pulling the quotes out of an evidence string written by an
// LLM (backtick spans, or the whole string when it has none).

export interface SourceFile {
  path: string;
  text: string;
}

export interface Quote {
  path: string;
  /** 1-based line where the quote starts. */
  line: number;
  quote: string;
}

export const MAX_QUOTE_CHARS = 160;
/** Shorter quotes ("a", "=") prove nothing and are not accepted as evidence. */
export const MIN_QUOTE_CHARS = 3;

export function codeSpan(text: string): string {
  const runs = text.match(/`+/g) ?? [];
  if (runs.length === 0) return `\`${text}\``;
  const fence = '`'.repeat(Math.max(...runs.map((r) => r.length)) + 1);
  return `${fence} ${text} ${fence}`;
}

export function formatEvidence(quotes: readonly Quote[]): string {
  return quotes.map((q) => `${q.path}:${q.line}: ${codeSpan(q.quote)}`).join('\n');
}

/** A quote of one line: the trimmed line, or a window of it around `focus` when it is long. */
export function quoteLine(line: string, focus = 0): string {
  const trimmed = line.trim();
  if (trimmed.length <= MAX_QUOTE_CHARS) return trimmed;
  const offset = line.indexOf(trimmed);
  const start = Math.max(0, Math.min(focus - offset - 40, trimmed.length - MAX_QUOTE_CHARS));
  return trimmed.slice(start, start + MAX_QUOTE_CHARS).trim();
}

/** Where a quote occurs (the preferred file first), or null when it occurs nowhere. */
export function locateQuote(files: readonly SourceFile[], quote: string, preferPath?: string): Quote | null {
  const ordered = preferPath ? [...files.filter((f) => f.path === preferPath), ...files.filter((f) => f.path !== preferPath)] : files;
  for (const f of ordered) {
    const at = f.text.indexOf(quote);
    if (at === -1) continue;
    let line = 1;
    for (let i = f.text.indexOf('\n'); i !== -1 && i < at; i = f.text.indexOf('\n', i + 1)) line++;
    return { path: f.path, line, quote };
  }
  return null;
}

export interface ClaimedQuote {
  /** The file the evidence line named, if any. */
  path?: string;
  quote: string;
}

const SPAN_RE = /(`+)([\s\S]*?[^`])\1(?!`)/g;
const WHERE_RE = /^\s*(?:[-*•]\s+)?([^\s:`][^:`\n]*?):(\d+)(?:-\d+)?:\s*/;

/**
 * The quotes of an evidence string: every backtick span (it may run over several lines; a one-space pad inside a
 * multi-backtick fence is removed), plus every non-empty line that has no span, quoted whole (bullet, location
 * prefix and surrounding quote marks dropped). A `path:line:` prefix on the line where a quote starts names its file.
 */
export function parseEvidence(evidence: string): ClaimedQuote[] {
  const found: { at: number; claim: ClaimedQuote }[] = [];
  const covered: [number, number][] = [];
  const lineStart = (at: number) => evidence.lastIndexOf('\n', at - 1) + 1;
  for (const m of evidence.matchAll(SPAN_RE)) {
    const start = m.index;
    const end = start + m[0].length;
    covered.push([lineStart(start), evidence.indexOf('\n', end) === -1 ? evidence.length : evidence.indexOf('\n', end)]);
    const quote = (m[1]!.length > 1 ? m[2]!.replace(/^ ([\s\S]*) $/, '$1') : m[2]!).trim();
    const path = WHERE_RE.exec(evidence.slice(lineStart(start), start))?.[1];
    found.push({ at: start, claim: path ? { path, quote } : { quote } });
  }
  let offset = 0;
  for (const raw of evidence.split('\n')) {
    const start = offset;
    offset += raw.length + 1;
    if (!raw.trim() || covered.some(([a, b]) => start >= a && start <= b)) continue;
    const where = WHERE_RE.exec(raw);
    const rest = (where ? raw.slice(where[0].length) : raw.replace(/^\s*[-*•]\s+/, '')).trim();
    const quote = rest.replace(/^["'“”«]+|["'“”»]+$/g, '').trim();
    if (quote) found.push({ at: start, claim: where ? { path: where[1]!, quote } : { quote } });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.claim);
}
