// Review object → Markdown for `review_markdown` (and the webhook's `review_text`). Headings in the review's
// response_language (en fallback). Text that came from clients or models is escaped so it cannot inject
// headings, links or HTML; evidence quotes are shown as code spans.
import type { Review } from '../../../shared/src/review/review.schema.js';
import { codeSpan, parseEvidence } from './evidence.js';
import { phrasesFor } from './review-i18n.js';

/** Escapes Markdown and HTML metacharacters in one line of plain text. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/[\\`*_{}[\]()#+!|<>~]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([-=]{3,}|\d+\.)/, '$1\\$2');
}

function evidenceLines(evidence: string): string[] {
  return evidence
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const where = /^([^`]*?:\d+):\s*/.exec(line);
      const quotes = parseEvidence(line);
      if (!quotes.length) return escapeMarkdown(line);
      return `${where ? `${escapeMarkdown(where[1]!)}: ` : ''}${quotes.map((q) => codeSpan(q.quote)).join(' … ')}`;
    });
}

export function renderReviewMarkdown(review: Review): string {
  const t = phrasesFor(review.response_language);
  const out: string[] = [];
  const status = review.passed ? t.passed : t.notPassed;
  out.push(`## ${t.headings.score}: ${review.score}/100 — ${t.verdict[review.verdict]} (${status})`, '');
  if (review.summary) out.push(escapeMarkdown(review.summary), '');

  if (review.criteria.length) {
    out.push(`### ${t.headings.criteria}`, '');
    for (const c of review.criteria) {
      out.push(`- ${c.met ? '✅' : '❌'} **${escapeMarkdown(c.criterion)}**${c.comment ? ` — ${escapeMarkdown(c.comment)}` : ''}`);
      for (const line of evidenceLines(c.evidence)) out.push(`  - ${t.headings.evidence}: ${line}`);
    }
    out.push('');
  }
  const section = (title: string, items: string[]) => {
    if (!items.length) return;
    out.push(`### ${title}`, '', ...items.map((i) => `- ${escapeMarkdown(i)}`), '');
  };
  section(t.headings.strengths, review.strengths);
  section(t.headings.issues, review.issues);
  section(t.headings.suggestions, review.suggestions);
  if (review.references.length) {
    out.push(`### ${t.headings.references}`, '');
    for (const r of review.references) {
      out.push(
        `- ${t.material} ${escapeMarkdown(r.material_id)}, ${t.chunk} ${escapeMarkdown(r.chunk_id)} (${r.similarity.toFixed(2)}): ${escapeMarkdown(r.excerpt)}`,
      );
    }
    out.push('');
  }
  return `${out.join('\n').trim()}\n`;
}
