// The default reviewer: deterministic, offline, explainable. The same input always gives the same Review.
//
// 1. What to check (review-inputs.ts): the client's criteria; else the lesson's key concepts; else the task's
//    sentences; else the top course chunks.
// 2. Each criterion is decided by keyword evidence + code idioms + semantic similarity (criterion-match.ts) — from
//    code only for code criteria; comments, strings and text restating the criteria never count (code-view.ts) — and
//    quoted with file and line ("main.py:12: `def add(a, b):`"); quotes are verbatim substrings of the files.
// 3. Score (shared/src/review/review.schema.ts): score = round(100 × met / total); verdict correct ≥ 85,
//    partial ≥ 50, else incorrect; passed ⇔ score ≥ 60. No partial credit inside a criterion: a half-covered
//    criterion counts as not met (its comment says what was found and what is missing), so anyone can recompute
//    the score from `criteria`, and the LLM reviewer's score is recomputed by exactly the same rule.
// 4. Strengths (met criteria), issues (unmet ones), suggestions ("Revisit <concept> (material …, chunk …)" with
//    the course chunk closest to each unmet criterion), references (those chunks plus the top retrieved ones).
import { LocalEmbeddingProvider } from '../../../shared/src/providers/embeddings/local-embedding.provider.js';
import { ReviewSchema, scoreCriteria, type Review, type ReviewReference } from '../../../shared/src/review/review.schema.js';
import { formatEvidence } from './evidence.js';
import { indexSubmission, matchCriterion, type CriterionResult, type SyncEmbedder } from './criterion-match.js';
import { phrasesFor, type Phrases } from './review-i18n.js';
import { cosine } from './review-text.js';
import { criterionSpecs, excerptOf, type CriterionSpec, type ReviewInput, type ReviewReferenceInput } from './review-inputs.js';

export type { ReviewInput } from './review-inputs.js';

export interface LocalReviewOptions {
  /** Default: the local lexical embedding provider (384 dimensions). */
  embedder?: SyncEmbedder;
  /** References listed in the review. Default 5. */
  maxReferences?: number;
  /** Characters of each reference excerpt. Default 300. */
  excerptChars?: number;
}

/** Below this, a concept is not named in a "Revisit" suggestion (the criterion itself is). */
const CONCEPT_MIN_SIMILARITY = 0.2;

let defaultEmbedder: LocalEmbeddingProvider | null = null;

export async function reviewLocally(input: ReviewInput, opts: LocalReviewOptions = {}): Promise<Review> {
  const embedder = opts.embedder ?? (defaultEmbedder ??= new LocalEmbeddingProvider({ dimensions: 384 }));
  const t = phrasesFor(input.responseLanguage);
  const { basis, specs } = criterionSpecs(input, t);
  const index = await indexSubmission(input.files, embedder, specs);
  const refs = input.references;
  const concepts = (input.concepts ?? []).filter((c) => c.name.trim());

  const vectors = embedder.embedSync([
    ...specs.map((s) => s.semanticText),
    ...refs.map((r) => r.text),
    ...concepts.map((c) => `${c.name}. ${c.definition ?? ''}`),
  ]).vectors;
  const specVec = vectors.slice(0, specs.length);
  const refVec = vectors.slice(specs.length, specs.length + refs.length);
  const conceptVec = vectors.slice(specs.length + refs.length);

  const results = specs.map((s, i) => matchCriterion(s, specVec[i]!, index));
  const bestRef = specs.map((_, i) => argmax(refVec.map((v) => cosine(specVec[i]!, v))));

  const criteria = specs.map((s, i) => ({
    criterion: s.display,
    met: results[i]!.met,
    evidence: formatEvidence(results[i]!.quotes),
    comment: commentFor(results[i]!, t),
  }));
  const { score, verdict, passed } = scoreCriteria(criteria);

  const suggestions: string[] = [];
  specs.forEach((s, i) => {
    if (results[i]!.met) return;
    const ref = bestRef[i]!.index >= 0 ? refs[bestRef[i]!.index]! : null;
    if (!ref) return void suggestions.push(t.addWork(s.display));
    suggestions.push(t.revisit(topicFor(s, specVec[i]!, concepts, conceptVec), ref.material_id, ref.chunk_id));
  });
  if (suggestions.length === 0 && refs.length && specs.length) {
    const top = sortRefs(refs)[0]!;
    suggestions.push(t.compare(top.material_id, top.chunk_id));
  }

  const unmet = specs.filter((_, i) => !results[i]!.met).map((s) => s.display);
  const summary = specs.length
    ? [t.summary(criteria.length - unmet.length, criteria.length, score, verdict, basis), unmet.length ? t.missing(shortList(unmet)) : '']
        .join(' ')
        .trim()
    : t.nothingToCheck;

  return ReviewSchema.parse({
    passed,
    score,
    verdict,
    summary,
    criteria,
    strengths: specs.filter((_, i) => results[i]!.met).map((s) => t.strength(s.display)),
    issues: unmet.map((c) => t.issue(c)),
    suggestions,
    references: pickReferences(refs, bestRef.map((b) => b.index), opts.maxReferences ?? 5, opts.excerptChars ?? 300),
    response_language: t.lang,
  });
}

/** At most 5 names of at most 100 characters each, then "+N". */
function shortList(items: string[]): string[] {
  const shown = items.slice(0, 5).map((x) => (x.length > 100 ? `${x.slice(0, 99)}…` : x));
  return items.length > 5 ? [...shown, `+${items.length - 5}`] : shown;
}

function commentFor(r: CriterionResult, t: Phrases): string {
  const words = (xs: { word: string }[]) => xs.map((x) => x.word);
  const base = r.met
    ? r.found.length
      ? t.metComment(words(r.found))
      : t.similarity(r.similarity)
    : r.found.length
      ? t.partlyComment(words(r.found), words(r.missing))
      : t.unmetComment(words(r.missing));
  return r.met && r.found.length && r.missing.length ? `${base} ${t.similarity(r.similarity)}` : base;
}

function argmax(values: number[]): { index: number; value: number } {
  let best = { index: -1, value: -Infinity };
  values.forEach((v, i) => {
    if (v > best.value) best = { index: i, value: v };
  });
  return best;
}

function topicFor(spec: CriterionSpec, vec: number[], concepts: { name: string }[], conceptVec: number[][]): string {
  const best = argmax(conceptVec.map((v) => cosine(vec, v)));
  return best.index >= 0 && best.value >= CONCEPT_MIN_SIMILARITY ? concepts[best.index]!.name.trim() : spec.topic;
}

const sortRefs = (refs: ReviewReferenceInput[]) =>
  [...refs].sort((a, b) => b.similarity - a.similarity || a.chunk_id.localeCompare(b.chunk_id));

function pickReferences(refs: ReviewReferenceInput[], best: number[], max: number, excerptChars: number): ReviewReference[] {
  const chosen = new Set<ReviewReferenceInput>();
  for (const i of best) if (i >= 0 && chosen.size < max) chosen.add(refs[i]!);
  for (const r of sortRefs(refs)) if (chosen.size < max) chosen.add(r);
  return sortRefs([...chosen]).map((r) => ({
    material_id: r.material_id,
    chunk_id: r.chunk_id,
    excerpt: excerptOf(r.text, excerptChars),
    similarity: Math.round(Math.max(-1, Math.min(1, r.similarity)) * 10_000) / 10_000,
  }));
}
