// Scratch harness (helper qual): loads both quality manuals once into the bench database (state in
// /tmp/qual-state.json), then evaluates variants of the full-text query, the embedder and fusion.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import pgvector from 'pgvector';
import { createPrisma } from '../../shared/src/db/client.js';
import { createTenant } from '../../shared/src/auth/tenants.service.js';
import { createEmbeddingProvider, LOCAL_WORDVEC_MODEL } from '../../shared/src/providers/embeddings/index.js';
import { fulltextSearch, semanticSearch, exactSemanticSearch, writeChunkEmbeddings, BM25, type SearchHit } from '../../shared/src/db/vector/vector.repository.js';
import { bm25Library, loadQualityCourse, QUALITY_CORPORA, type QualityCourse } from '../../test/support/search-quality.js';

export const prisma = createPrisma(process.env.DATABASE_URL!, { poolMax: 4 });
export const embedder = createEmbeddingProvider({ kind: 'local', dimensions: 384, model: process.env.QMODEL ?? LOCAL_WORDVEC_MODEL });
const STATE = '/tmp/qual-state.json';

export interface Loaded { tenantId: string; courses: Record<string, { courseId: string; chapterOf: [string, string][]; chunks: QualityCourse['chunks'] }> }

export async function load(): Promise<{ tenantId: string; courses: Record<string, QualityCourse> }> {
  let st: Loaded;
  if (existsSync(STATE)) st = JSON.parse(readFileSync(STATE, 'utf8')) as Loaded;
  else {
    const t = await createTenant(prisma, `qual-exp-${Date.now()}`);
    st = { tenantId: t.id, courses: {} };
    for (const c of QUALITY_CORPORA) {
      const course = await loadQualityCourse(prisma, t.id, embedder, c);
      st.courses[c.name] = { courseId: course.courseId, chapterOf: [...course.chapterOf], chunks: course.chunks };
    }
    writeFileSync(STATE, JSON.stringify(st));
  }
  return { tenantId: st.tenantId, courses: Object.fromEntries(Object.entries(st.courses).map(([k, v]) => [k, { courseId: v.courseId, chapterOf: new Map(v.chapterOf), chunks: v.chunks }])) };
}

export type Ranker = (q: string) => Promise<SearchHit[]>;

export function score(course: QualityCourse, questions: { q: string; answers: string[] }[], ranks: (number | null)[]) {
  const share = (f: (r: number | null) => number) => ranks.reduce<number>((s, r) => s + f(r), 0) / ranks.length;
  return { h1: share((r) => (r === 1 ? 1 : 0)), h5: share((r) => (r !== null && r <= 5 ? 1 : 0)), mrr: share((r) => (r === null ? 0 : 1 / r)) };
}

export async function evalRanker(course: QualityCourse, questions: { q: string; answers: string[] }[], rank: (q: string) => Promise<string[]>) {
  const ranks: (number | null)[] = [];
  for (const question of questions) {
    const mats = (await rank(question.q)).slice(0, 10);
    const at = mats.findIndex((m) => question.answers.includes(course.chapterOf.get(m) ?? ''));
    ranks.push(at < 0 ? null : at + 1);
  }
  return { ...score(course, questions, ranks), ranks };
}

export function fuse(vec: SearchHit[], text: SearchHit[], k = 5, wv = 1, wt = 5, n = 10): SearchHit[] {
  const fused = new Map<string, SearchHit & { score: number }>();
  const add = (list: SearchHit[], w: number) => list.forEach((h, i) => {
    const p = fused.get(h.chunk_id); const s = w / (k + i + 1);
    if (p) p.score += s; else fused.set(h.chunk_id, { ...h, score: s });
  });
  add(vec, wv); add(text, wt);
  return [...fused.values()].sort((a, b) => b.score - a.score || a.chunk_id.localeCompare(b.chunk_id)).slice(0, n);
}

export const fmt = (r: { h1: number; h5: number; mrr: number }) => `${r.h1.toFixed(3)} ${r.h5.toFixed(3)} ${r.mrr.toFixed(3)}`;
export { fulltextSearch, semanticSearch, exactSemanticSearch, writeChunkEmbeddings, BM25, bm25Library, pgvector, QUALITY_CORPORA };
