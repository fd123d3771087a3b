// One lesson of the local structure: concepts from the lesson's sub-headings and slide titles and from its most
// salient terms (TF-IDF), each defined by the best sentence of the chunk that mentions it most, with references
// to where it occurs; exercises from templates; timecodes from transcript chunks; slide references. A concept is
// a term of the text: an everyday English word alone (among the 2,500 most frequent: "guess", "small") only
// when the text defines it ("A list is …"), a heading names it, or it is an identifier or acronym (KeyError,
// snake_case, UTF-8). Definitions and summaries are
// complete sentences of the prose, never of code blocks, and nothing with markup, a URL or an entity is used.
import { LIMITS, normalizeName, type Concept, type Lesson, type SourceRef, type Timecode } from '../../../shared/src/generation/course-structure.js';
import { isCode, type ChunkRef, type CourseCorpus } from './course-corpus.js';
import { exercisesFor } from './exercise-templates.js';
import type { LessonPlan } from './lesson-plans.js';
import { isMedia } from './lesson-plans.js';
import { clip, isClean, isCompleteSentence, isEverydayWord, looksLikeCode, MAX_DEFINITION_CHARS, phraseKeys, sentences, stripSectionNumber, termOccurrences, tokenize, wordCount } from './text-analysis.js';

export interface LessonOptions {
  maxConcepts: number;
  maxExercises: number;
  /** Concept names (normalised) already used by earlier lessons → how often; lowers their rank here. */
  used?: Map<string, number>;
}

interface Candidate {
  name: string;
  keys: string[];
  /** Term key for term candidates ("list", "list comprehension"). */
  term?: string;
  score: number;
  /** Chunks under the heading, for heading candidates. */
  headingRefs?: ChunkRef[];
  first: number;
}

const DEFINING = /\b(is|are|means|refers? to|stores?|holds?|returns?|lets|allows?|represents?|describes?|defines?|contains?|consists? of|maps?|creates?|gives?)\b/i;

export function refOf(r: ChunkRef): SourceRef {
  const m = r.chunk.metadata ?? {};
  const ref: SourceRef = { material_id: r.material.id, chunk_id: r.chunk.id };
  const posInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1;
  const secs = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1e7;
  if (posInt(m.page)) ref.page = m.page;
  if (posInt(m.slide)) ref.slide = m.slide;
  if (secs(m.start_seconds)) ref.start_seconds = m.start_seconds;
  if (secs(m.end_seconds) && (ref.start_seconds === undefined || m.end_seconds! >= ref.start_seconds)) ref.end_seconds = m.end_seconds;
  return ref;
}

function sentenceKeys(text: string): Set<string> {
  return new Set(termOccurrences(text).map((o) => o.key));
}

function scoreSentence(text: string, keys: readonly string[], term: string | undefined, kind: string): number {
  const found = sentenceKeys(text);
  const has = term ? found.has(term) : keys.some((k) => found.has(k));
  if (!has) return -Infinity;
  let score = 0;
  const lower = text.toLowerCase();
  const firstKey = Math.min(...(term ? [term] : keys).map((k) => lower.indexOf(k.split(' ')[0]!)).filter((i) => i >= 0), lower.length);
  const verb = DEFINING.exec(text);
  if (verb && firstKey <= verb.index) score += 3;
  if (firstKey < 40) score += 1;
  if (!term && keys.every((k) => found.has(k))) score += 1;
  if (looksLikeCode(text)) score -= 4;
  if (text.endsWith('?')) score -= 2;
  if (text.length < 25) score -= 1;
  if (text.length > 350) score -= 1;
  if (wordCount(text) < 4) score -= 3;
  if (kind === 'paragraph' || kind === 'web_content' || kind === 'heading') score += 0.5;
  return score;
}

/** The best defining sentence among the given chunks (the first ones preferred), or undefined. */
function define(cands: readonly ChunkRef[], c: Candidate): { text: string; ref: ChunkRef } | undefined {
  let best: { text: string; ref: ChunkRef; score: number } | undefined;
  cands.filter((r) => !isCode(r)).slice(0, 3).forEach((ref, rank) => {
    const headings = new Set([c.name, ...(ref.chunk.metadata.heading_path ?? [])].map(normalizeName));
    for (const s of sentences(ref.chunk.text)) {
      if (headings.has(normalizeName(s.text)) || !isCompleteSentence(s.text) || s.text.length > MAX_DEFINITION_CHARS) continue; // a heading line, a fragment, a paragraph-long sentence
      const score = scoreSentence(s.text, c.keys, c.term, ref.chunk.kind) + (3 - rank) * 0.5;
      if (score > (best?.score ?? -2)) best = { text: s.text, ref, score };
    }
  });
  return best;
}

const SUBJECT = /^(?:(?:a|an|the)\s+)?([^,;:()]{1,40}?)\s+(?:is|are|means|refers to|returns|defines|adds|removes|maps|checks|sorts|ends|sends|lets|makes|turns|creates|builds|stores|holds|keeps|copies|changes|raises|describes|represents|contains|lists|shows|records|provides|allows|wraps|accepts)\b/i;

/** Terms that a sentence of the lesson defines or describes as its subject ("A list is …", "The pop method removes …"). */
function definedSubjects(plan: LessonPlan, tf: Map<string, number>): Set<string> {
  const out = new Set<string>();
  for (const r of plan.refs) {
    if (isCode(r)) continue;
    for (const s of sentences(r.chunk.text)) {
      const m = SUBJECT.exec(s.text);
      if (!m) continue;
      const words = tokenize(m[1]!);
      if (words.some((w) => !w.content)) continue; // "This can be useful when you are …" has no subject term
      const keys = phraseKeys(m[1]!);
      const key = keys.join(' ');
      if (keys.length >= 1 && keys.length <= 2 && tf.has(key)) out.add(key);
    }
  }
  return out;
}

function candidates(plan: LessonPlan, corpus: CourseCorpus, tf: Map<string, number>, used: ReadonlyMap<string, number>): Candidate[] {
  const out: Candidate[] = [];
  const firstSeen = new Map<string, number>();
  for (const r of plan.refs) for (const key of corpus.chunkStats(r.chunk.id)?.counts.keys() ?? []) if (!firstSeen.has(key)) firstSeen.set(key, r.order);
  const defined = definedSubjects(plan, tf);
  const headingTexts = new Set<string>(plan.titlePath);
  for (const r of plan.refs) for (const h of r.chunk.metadata.heading_path ?? []) if (!isMedia(r)) headingTexts.add(stripSectionNumber(h));
  const inHeading = new Set([...headingTexts].flatMap((h) => termOccurrences(h).map((o) => o.key)));
  const penalty = (name: string) => 0.5 ** (used.get(normalizeName(name)) ?? 0);
  for (const [key, n] of tf) {
    const bigram = key.includes(' ');
    const name = corpus.surface(key);
    const identifier = !bigram && /\p{Ll}\p{Lu}|\p{L}_\p{L}/u.test(name); // KeyError, snake_case: named things
    const acronym = !bigram && /^(?=.*\p{Lu}.*\p{Lu})[\p{Lu}\p{N}-]{2,}$/u.test(name); // PAM, UTF-8, I18N
    const favoured = defined.has(key) || inHeading.has(key) || identifier || acronym;
    if (n < 2 && !favoured) continue;
    // A lone everyday word ("guess", "small", "line") is no concept unless the text defines it or a heading names
    // it; a pair of them ("small program") neither.
    if (!favoured && (bigram ? key.split(' ').every((w) => isEverydayWord(w, 1000)) : isEverydayWord(name))) continue;
    if (!isClean(name)) continue;
    if (corpus.isVerbLike(key)) continue;
    if (!bigram && /ing$/.test(name) && !favoured) continue;
    const score = corpus.salience(key, n) * (defined.has(key) ? 1.6 : 1) * (inHeading.has(key) ? 1.4 : 1) * penalty(name);
    out.push({ name, keys: key.split(' '), term: key, score, first: firstSeen.get(key) ?? 0 });
  }
  // Sub-headings of the lesson's text; slide titles only when the lesson is a deck of its own.
  const lessonName = normalizeName(plan.title);
  const textLesson = plan.refs.some((r) => !isMedia(r));
  const headings = new Map<string, Candidate>();
  for (const r of plan.refs) {
    if (isMedia(r) && textLesson) continue;
    const path = r.chunk.metadata.heading_path ?? [];
    const start = isMedia(r) ? 0 : Math.max(plan.titlePath.length, 1);
    for (let i = start; i < path.length; i++) {
      const h = stripSectionNumber(path[i]!);
      if (!isClean(h)) continue;
      const keys = phraseKeys(h);
      if (!h || h.length > 80 || keys.length === 0 || keys.length > 4 || normalizeName(h) === lessonName) continue;
      const id = normalizeName(h);
      const existing = headings.get(id);
      if (existing) {
        existing.headingRefs!.push(r);
        continue;
      }
      const mean = keys.reduce((sum, k) => sum + corpus.salience(k, tf.get(k) ?? 0), 0) / keys.length;
      headings.set(id, { name: h, keys, score: 1.3 * mean * penalty(h), headingRefs: [r], first: r.order });
    }
  }
  out.push(...headings.values());
  return out.sort((a, b) => b.score - a.score || a.first - b.first || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function buildLesson(plan: LessonPlan, corpus: CourseCorpus, filenames: ReadonlyMap<string, string | null>, opts: LessonOptions): Lesson {
  // Concepts come from the lesson's text when it has any (slides and transcript pieces that joined it are cut at
  // arbitrary places); they still serve as definitions and references.
  const textRefs = plan.refs.filter((r) => !isMedia(r));
  const tf = corpus.counts(textRefs.length > 0 ? textRefs : plan.refs);
  const chosen: { c: Candidate; concept: Concept }[] = [];
  const used = opts.used ?? new Map<string, number>();
  for (const c of candidates(plan, corpus, tf, used)) {
    if (chosen.length >= opts.maxConcepts) break;
    const keySet = c.keys.join(' ');
    if (chosen.some((x) => normalizeName(x.c.name) === normalizeName(c.name) || [...x.c.keys].sort().join(' ') === [...c.keys].sort().join(' '))) continue;
    if (c.term?.includes(' ')) {
      // "normal unix" + "unix authentication" are one phrase read in two halves: keep the first half chosen.
      const [head, tail] = c.term.split(' ');
      if (chosen.some((x) => x.c.term?.includes(' ') && (x.c.term.split(' ')[1] === head || x.c.term.split(' ')[0] === tail))) continue;
    }
    if (c.term && !c.term.includes(' ')) {
      const inBigram = chosen.some((x) => x.c.term?.split(' ').includes(c.term!) && (tf.get(c.term!) ?? 0) < 1.5 * (tf.get(x.c.term) ?? 0));
      if (inBigram) continue;
    }
    const mentioning = c.headingRefs
      ? c.headingRefs.filter((r) => !isCode(r))
      : plan.refs
          .filter((r) => !isCode(r) && corpus.count(r.chunk.id, keySet) > 0)
          .sort((a, b) => corpus.count(b.chunk.id, keySet) - corpus.count(a.chunk.id, keySet) || a.order - b.order);
    const def = define(mentioning, c);
    if (!def) continue;
    // The defining chunk first, then where else the lesson mentions it — other materials (slides, video) first.
    const rest = mentioning.filter((r) => r !== def.ref);
    const picked = [def.ref, ...rest.filter((r) => r.material.id !== def.ref.material.id), ...rest.filter((r) => r.material.id === def.ref.material.id)].slice(0, 3);
    chosen.push({ c, concept: { name: clip(c.name, LIMITS.name), definition: def.text, source_refs: picked.map(refOf) } });
  }
  const concepts = chosen.map((x) => x.concept);
  for (const c of concepts) used.set(normalizeName(c.name), (used.get(normalizeName(c.name)) ?? 0) + 1);
  const title = clip(plan.title, LIMITS.title);
  const lesson: Lesson = {
    title,
    summary: lessonSummary(plan, concepts),
    ...(plan.sourceNodeId ? { source_node_id: plan.sourceNodeId } : {}),
    concepts,
    exercises: exercisesFor(concepts, title, filenames, opts.maxExercises),
  };
  const timecodes = timecodesOf(plan, chosen.map((x) => x.c), corpus);
  if (timecodes.length > 0) lesson.timecodes = timecodes;
  const slides = slideRefsOf(plan);
  if (slides.length > 0) lesson.slide_refs = slides;
  return lesson;
}

function lessonSummary(plan: LessonPlan, concepts: readonly Concept[]): string {
  const ordered = [...plan.refs.filter((r) => !isMedia(r) && !isCode(r)), ...plan.refs.filter(isMedia)];
  let lead = '';
  for (const r of ordered) {
    const headings = new Set((r.chunk.metadata.heading_path ?? []).map(normalizeName));
    const s = sentences(r.chunk.text).find((x) => x.text.length >= 30 && wordCount(x.text) >= 6 && isCompleteSentence(x.text) && !headings.has(normalizeName(x.text)));
    if (s) {
      lead = clip(s.text, 400);
      break;
    }
  }
  const names = concepts.slice(0, 5).map((c) => c.name);
  const key = names.length > 0 ? `Key concepts: ${names.join(', ')}.` : '';
  return clip([lead, key].filter(Boolean).join(' '), LIMITS.summary);
}

function timecodesOf(plan: LessonPlan, chosen: readonly Candidate[], corpus: CourseCorpus): Timecode[] {
  const out: (Timecode & { material: string })[] = [];
  for (const r of plan.refs) {
    if (r.chunk.kind !== 'transcript') continue;
    const ref = refOf(r);
    if (ref.start_seconds === undefined) continue;
    let label: string | undefined;
    let best = 0;
    for (const c of chosen) {
      const n = c.term ? corpus.count(r.chunk.id, c.term) : c.keys.reduce((s, k) => s + corpus.count(r.chunk.id, k), 0);
      if (n > best) [best, label] = [n, c.name];
    }
    label ??= clip(sentences(r.chunk.text)[0]?.text ?? r.chunk.text, 80);
    const end = ref.end_seconds ?? ref.start_seconds;
    const prev = out[out.length - 1];
    if (prev && prev.material === r.material.id && prev.label === clip(label, LIMITS.label) && ref.start_seconds <= prev.end_seconds + 1) {
      prev.end_seconds = Math.max(prev.end_seconds, end);
      continue;
    }
    out.push({ material: r.material.id, start_seconds: ref.start_seconds, end_seconds: end, label: clip(label, LIMITS.label) });
  }
  return out.slice(0, LIMITS.timecodesPerLesson).map(({ material: _m, ...t }) => t);
}

function slideRefsOf(plan: LessonPlan): { material_id: string; slide: number }[] {
  const seen = new Set<string>();
  const out: { material_id: string; slide: number }[] = [];
  for (const r of plan.refs) {
    if (r.chunk.kind !== 'slide_text' && r.chunk.kind !== 'slide_notes') continue;
    const slide = refOf(r).slide;
    if (slide === undefined || seen.has(`${r.material.id}#${slide}`)) continue;
    seen.add(`${r.material.id}#${slide}`);
    out.push({ material_id: r.material.id, slide });
  }
  return out.slice(0, LIMITS.slideRefsPerLesson);
}
