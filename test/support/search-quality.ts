// Search quality on real manuals (bench scenario `quality`, and a smaller regression guard in the integration
// tests), each chapter one lesson, chunked by the real ingestion code, with questions written as students ask
// them (each with the chapter files that answer it; a hit is a result from one of them):
//   - tutorial: the Python 3.11 tutorial's 16 chapters (Sphinx), bench/quality/questions.json — the one the
//     embedder and fusion parameters were measured on;
//   - gettext: the GNU gettext 0.21 manual's 17 chapters (Texinfo, texi2html), bench/quality/questions-gettext.json
//     — held out: written before any run on it, nothing tuned on it. Modes: semantic and hybrid through searchNode (the API's service), full text alone
// (fulltextSearch), and the BM25 library baseline (wink-bm25-text-search with stemming and stop words, in memory
// over the same chunk texts).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import bm25 from 'wink-bm25-text-search';
import nlp from 'wink-nlp-utils';
import type { PrismaClient } from '../../shared/src/db/client.js';
import { newId } from '../../shared/src/db/ids.js';
import { fulltextSearch, writeChunkEmbeddings } from '../../shared/src/db/vector/vector.repository.js';
import type { EmbeddingProvider } from '../../shared/src/providers/embeddings/index.js';
import { detectTextSearchConfig } from '../../shared/src/text-search/language.js';
import { searchNode, type FusionParams } from '../../api/src/routes/search/search.service.js';
import { chunkCorpusDoc, type CorpusDoc } from './real-corpus.js';

export const QUALITY_CHAPTERS = [
  'appetite', 'interpreter', 'introduction', 'controlflow', 'datastructures', 'modules', 'inputoutput', 'errors',
  'classes', 'stdlib', 'stdlib2', 'venv', 'whatnow', 'interactive', 'floatingpoint', 'appendix',
].map((c): CorpusDoc => ({ path: `sphinx-python-3.11-tutorial/${c}.html`, toolchain: 'sphinx' }));

export interface Question {
  q: string;
  answers: string[];
}

const questionsOf = (file: string): Question[] =>
  (JSON.parse(readFileSync(new URL(`../../bench/quality/${file}`, import.meta.url), 'utf8')) as { questions: Question[] }).questions;

export const QUALITY_QUESTIONS: Question[] = questionsOf('questions.json');

export interface QualityCorpus {
  name: string;
  title: string;
  chapters: CorpusDoc[];
  questions: Question[];
}

export const QUALITY_CORPORA: readonly QualityCorpus[] = [
  { name: 'tutorial', title: 'The Python Tutorial', chapters: QUALITY_CHAPTERS, questions: QUALITY_QUESTIONS },
  {
    name: 'gettext',
    title: 'GNU gettext utilities',
    chapters: Array.from({ length: 17 }, (_, i): CorpusDoc => ({ path: `texinfo-gettext-0.21/gettext_${i + 1}.html`, toolchain: 'texinfo' })),
    questions: questionsOf('questions-gettext.json'),
  },
];

export interface QualityCourse {
  courseId: string;
  /** material id → chapter file name */
  chapterOf: Map<string, string>;
  chunks: { id: string; text: string; materialId: string }[];
}

/** Uploads a manual's chapters as lessons of a new course of the tenant (chunks embedded with `embedder`). */
export async function loadQualityCourse(prisma: PrismaClient, tenantId: string, embedder: EmbeddingProvider, corpus: QualityCorpus = QUALITY_CORPORA[0]!): Promise<QualityCourse> {
  const courseId = newId();
  await prisma.materialNode.create({ data: { id: courseId, tenantId, title: corpus.title } });
  const chapterOf = new Map<string, string>();
  const all: QualityCourse['chunks'] = [];
  for (const [i, doc] of corpus.chapters.entries()) {
    const chunks = await chunkCorpusDoc(doc);
    const nodeId = newId();
    const materialId = newId();
    await prisma.materialNode.create({ data: { id: nodeId, tenantId, parentId: courseId, title: `Chapter ${i + 1}`, order: i } });
    const textSearchConfig = detectTextSearchConfig(chunks.filter((c) => !c.metadata.code).map((c) => c.text).join('\n'));
    await prisma.material.create({ data: { id: materialId, tenantId, nodeId, sourceType: 'text', filename: basename(doc.path), state: 'ready', textSearchConfig, chunkCount: chunks.length } });
    const rows = chunks.map((c) => ({ id: newId(), tenantId, materialId, nodeId, ordinal: c.index, kind: c.type, text: c.text, tokenCount: c.token_count, metadata: c.metadata as object, contentSha256: c.sha256 }));
    await prisma.chunk.createMany({ data: rows });
    const vectors = await embedder.embed(rows.map((r) => r.text), { tenantId, action: 'ingest' });
    await writeChunkEmbeddings(prisma, rows.map((r, j) => ({ id: r.id, embedding: vectors[j] as number[] })));
    chapterOf.set(materialId, basename(doc.path));
    all.push(...rows.map((r) => ({ id: r.id, text: r.text, materialId })));
  }
  await prisma.$executeRawUnsafe('ANALYZE material_chunks');
  return { courseId, chapterOf, chunks: all };
}

export type QualityMode = 'semantic' | 'fulltext' | 'hybrid' | 'bm25-library';

export interface ModeResult {
  hitAt1: number;
  hitAt5: number;
  mrrAt10: number;
  /** Per question, milliseconds. */
  latencies: number[];
  /** Per question, the 1-based rank of the first hit within 10, or null. */
  ranks: (number | null)[];
}

/** The BM25 library baseline: an in-memory index of the course's chunk texts. */
export function bm25Library(course: QualityCourse) {
  const engine = bm25();
  engine.defineConfig({ fldWeights: { body: 1 } });
  engine.definePrepTasks([nlp.string.lowerCase, nlp.string.removeExtraSpaces, nlp.string.tokenize0, nlp.tokens.removeWords, nlp.tokens.stem, nlp.tokens.propagateNegations]);
  course.chunks.forEach((c, i) => engine.addDoc({ body: c.text }, i));
  engine.consolidate();
  return (q: string, k: number) => engine.search(q, k).map(([i]) => (course.chunks[Number(i)] as QualityCourse['chunks'][number]).materialId);
}

export interface QualityDeps {
  prisma: PrismaClient;
  embedder: EmbeddingProvider;
  efSearch: number;
  fusion?: FusionParams;
}

/** Runs every question in one mode; returns hit@1, hit@5, MRR@10 and the latencies. */
export async function evaluateMode(deps: QualityDeps, tenantId: string, course: QualityCourse, mode: QualityMode, questions = QUALITY_QUESTIONS, library = bm25Library(course)): Promise<ModeResult> {
  const run = async (q: string): Promise<string[]> => {
    if (mode === 'bm25-library') return library(q, 10);
    if (mode === 'fulltext') return (await fulltextSearch(deps.prisma, tenantId, course.courseId, q, 10)).map((h) => h.material_id);
    return (await searchNode(deps, tenantId, course.courseId, { query: q, k: 10, mode })).map((h) => h.material_id);
  };
  const latencies: number[] = [];
  const ranks: (number | null)[] = [];
  for (const question of questions) {
    const t = performance.now();
    const materials = await run(question.q);
    latencies.push(performance.now() - t);
    const at = materials.findIndex((m) => question.answers.includes(course.chapterOf.get(m) ?? ''));
    ranks.push(at < 0 ? null : at + 1);
  }
  const share = (f: (r: number | null) => number) => ranks.reduce<number>((s, r) => s + f(r), 0) / ranks.length;
  return {
    hitAt1: share((r) => (r === 1 ? 1 : 0)),
    hitAt5: share((r) => (r !== null && r <= 5 ? 1 : 0)),
    mrrAt10: share((r) => (r === null ? 0 : 1 / r)),
    latencies,
    ranks,
  };
}
