// Inputs shared by the local and LLM reviewers, and what each criterion is checked against.
import { contentTerms, splitTask, stemSet, tokens, stem, type Term } from './review-text.js';
import type { Basis, Phrases } from './review-i18n.js';
import { STOPWORDS } from '../../../shared/src/providers/embeddings/stopwords.js';

export interface ReviewFile {
  path: string;
  text: string;
  /** From the unpacker (notebook cells carry the kernel's); else taken from the extension. */
  language?: string;
}

export interface ReviewConcept {
  name: string;
  definition?: string | null;
}

/** A course chunk found by vector search for this submission (most similar first). */
export interface ReviewReferenceInput {
  material_id: string;
  chunk_id: string;
  text: string;
  similarity: number;
}

export interface ReviewInput {
  files: ReviewFile[];
  taskDescription?: string | null;
  criteria?: string[] | null;
  /** The lesson's key concepts from its latest structure. */
  concepts?: ReviewConcept[] | null;
  references: ReviewReferenceInput[];
  /** ISO 639-1 language for the review's fixed phrases. */
  responseLanguage: string;
}

export interface CriterionSpec {
  /** What the review shows as `criterion`. */
  display: string;
  /** Content terms looked for in the submission. */
  terms: Term[];
  /** Every stem of the criterion (for idiom keys like "if"). */
  stems: Set<string>;
  /** Text embedded for semantic similarity. */
  semanticText: string;
  /** Name used in "Revisit …" suggestions. */
  topic: string;
}

export const MAX_CONCEPT_CRITERIA = 10;
export const MAX_TASK_CRITERIA = 8;
export const MATERIAL_CRITERIA = 3;

export function excerptOf(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

function spec(display: string, termSource: string, semanticText: string, topic = display): CriterionSpec {
  return { display, terms: contentTerms(termSource), stems: stemSet(termSource), semanticText, topic };
}

/** Most frequent content words of a chunk (ties: first occurrence), for material-based criteria. */
function topTerms(text: string, n: number): string {
  const counts = new Map<string, { word: string; count: number; first: number }>();
  tokens(text).forEach((t, i) => {
    if (STOPWORDS.has(t) || t.length < 3 || /^\d+$/.test(t)) return;
    const s = stem(t);
    const c = counts.get(s);
    if (c) c.count++;
    else counts.set(s, { word: t, count: 1, first: i });
  });
  return [...counts.values()]
    .sort((a, b) => b.count - a.count || a.first - b.first)
    .slice(0, n)
    .map((c) => c.word)
    .join(' ');
}

/**
 * What to check, in order of preference: the client's criteria; else the lesson's key concepts; else the task
 * description's sentences; else the top course chunks. Empty only when there is none of these.
 */
export function criterionSpecs(input: ReviewInput, t: Phrases): { basis: Basis; specs: CriterionSpec[] } {
  const criteria = (input.criteria ?? []).map((c) => c.trim()).filter(Boolean);
  if (criteria.length) return { basis: 'criteria', specs: criteria.map((c) => spec(c, c, c)) };
  const concepts = (input.concepts ?? []).filter((c) => c.name.trim()).slice(0, MAX_CONCEPT_CRITERIA);
  if (concepts.length) {
    return {
      basis: 'concepts',
      specs: concepts.map((c) => {
        const name = c.name.trim();
        const source = contentTerms(name).length ? name : `${name} ${c.definition ?? ''}`;
        return spec(name, source, `${name}. ${c.definition ?? ''}`.trim());
      }),
    };
  }
  const task = splitTask(input.taskDescription ?? '', MAX_TASK_CRITERIA);
  if (task.length) return { basis: 'task', specs: task.map((s) => spec(s, s, s)) };
  const refs = [...input.references].sort((a, b) => b.similarity - a.similarity).slice(0, MATERIAL_CRITERIA);
  return {
    basis: 'materials',
    specs: refs.map((r) => {
      const head = excerptOf(r.text, 80);
      return spec(t.materialCriterion(head), topTerms(r.text, 5), r.text, head);
    }),
  };
}
