// Fixed phrases of generated reviews, per language (ISO 639-1). English and Ukrainian; anything else falls back
// to English (and the review then says response_language "en" — it is honest about the language it is in).
import type { Verdict } from '../../../shared/src/review/review.schema.js';

export interface Phrases {
  lang: string;
  verdict: Record<Verdict, string>;
  passed: string;
  notPassed: string;
  /** Summary: "2 of 3 criteria met …". */
  summary(met: number, total: number, score: number, verdict: Verdict, basis: Basis): string;
  missing(list: string[]): string;
  nothingToCheck: string;
  metComment(found: string[]): string;
  partlyComment(found: string[], missing: string[]): string;
  unmetComment(terms: string[]): string;
  similarity(value: number): string;
  strength(criterion: string): string;
  issue(criterion: string): string;
  revisit(topic: string, materialId: string, chunkId: string): string;
  addWork(criterion: string): string;
  compare(materialId: string, chunkId: string): string;
  materialCriterion(excerpt: string): string;
  evidenceNotFound: string;
  notAssessed: string;
  headings: { criteria: string; strengths: string; issues: string; suggestions: string; references: string; evidence: string; score: string };
  material: string;
  chunk: string;
}

export type Basis = 'criteria' | 'concepts' | 'task' | 'materials';

const list = (xs: string[]) => xs.map((x) => `“${x}”`).join(', ');
const ukList = (xs: string[]) => xs.map((x) => `«${x}»`).join(', ');

const en: Phrases = {
  lang: 'en',
  verdict: { correct: 'correct', partial: 'partially correct', incorrect: 'incorrect' },
  passed: 'passed',
  notPassed: 'not passed',
  summary: (met, total, score, verdict, basis) => {
    const what = { criteria: 'criteria', concepts: 'key concepts of the lesson', task: 'points of the task', materials: 'topics of the lesson material' }[basis];
    return `${met} of ${total} ${what} met; score ${score}/100 — ${en.verdict[verdict]}.`;
  },
  missing: (xs) => `Not met: ${xs.join('; ')}.`,
  nothingToCheck: 'There was nothing to check the submission against (no criteria, key concepts, task or course material).',
  metComment: (found) => `Covered: the submission shows ${list(found)}.`,
  partlyComment: (found, missing) => `Only partly covered: found ${list(found)}, but not ${list(missing)}.`,
  unmetComment: (terms) => (terms.length ? `Not found in the submission: nothing shows ${list(terms)}.` : 'Not found in the submission.'),
  similarity: (v) => `Similarity to the criterion: ${v.toFixed(2)}.`,
  strength: (c) => `Meets: ${c}`,
  issue: (c) => `Not met: ${c}`,
  revisit: (topic, m, ch) => `Revisit “${topic}” in the course material (material ${m}, chunk ${ch}).`,
  addWork: (c) => `Add work that shows: ${c}.`,
  compare: (m, ch) => `Compare your solution with the course material (material ${m}, chunk ${ch}) for other approaches.`,
  materialCriterion: (x) => `Applies the lesson material: ${x}`,
  evidenceNotFound: '(evidence not found in submission)',
  notAssessed: 'Not assessed by the reviewer.',
  headings: {
    criteria: 'Criteria',
    strengths: 'Strengths',
    issues: 'Issues',
    suggestions: 'Suggestions',
    references: 'Course material',
    evidence: 'Evidence',
    score: 'Score',
  },
  material: 'material',
  chunk: 'chunk',
};

const uk: Phrases = {
  lang: 'uk',
  verdict: { correct: 'правильно', partial: 'частково правильно', incorrect: 'неправильно' },
  passed: 'зараховано',
  notPassed: 'не зараховано',
  summary: (met, total, score, verdict, basis) => {
    const what = { criteria: 'критеріїв', concepts: 'ключових понять уроку', task: 'пунктів завдання', materials: 'тем матеріалу уроку' }[basis];
    return `Виконано ${met} з ${total} ${what}; оцінка ${score}/100 — ${uk.verdict[verdict]}.`;
  },
  missing: (xs) => `Не виконано: ${xs.join('; ')}.`,
  nothingToCheck: 'Немає з чим порівняти роботу (немає критеріїв, ключових понять, завдання чи матеріалів курсу).',
  metComment: (found) => `Виконано: у роботі є ${ukList(found)}.`,
  partlyComment: (found, missing) => `Виконано частково: знайдено ${ukList(found)}, але не ${ukList(missing)}.`,
  unmetComment: (terms) => (terms.length ? `У роботі не знайдено: немає ${ukList(terms)}.` : 'У роботі не знайдено.'),
  similarity: (v) => `Схожість із критерієм: ${v.toFixed(2)}.`,
  strength: (c) => `Виконано: ${c}`,
  issue: (c) => `Не виконано: ${c}`,
  revisit: (topic, m, ch) => `Повторіть «${topic}» у матеріалах курсу (матеріал ${m}, фрагмент ${ch}).`,
  addWork: (c) => `Додайте до роботи: ${c}.`,
  compare: (m, ch) => `Порівняйте своє рішення з матеріалом курсу (матеріал ${m}, фрагмент ${ch}), щоб побачити інші підходи.`,
  materialCriterion: (x) => `Застосовує матеріал уроку: ${x}`,
  evidenceNotFound: '(доказ не знайдено в роботі)',
  notAssessed: 'Рецензент цього не оцінив.',
  headings: {
    criteria: 'Критерії',
    strengths: 'Сильні сторони',
    issues: 'Недоліки',
    suggestions: 'Поради',
    references: 'Матеріали курсу',
    evidence: 'Доказ',
    score: 'Оцінка',
  },
  material: 'матеріал',
  chunk: 'фрагмент',
};

const PHRASES: Record<string, Phrases> = { en, uk };

export function phrasesFor(language: string | null | undefined): Phrases {
  return PHRASES[(language ?? '').toLowerCase().slice(0, 2)] ?? en;
}
