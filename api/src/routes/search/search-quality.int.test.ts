// Search quality regression guard on the real manual (the `quality` bench scenario, smaller): hybrid must be
// at least as good as each of its parts; and a long hybrid query costs a bounded amount (issue 13 item 10): the
// terms reaching Postgres are capped, and so is the number of chunks ranked.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPrisma, type PrismaClient } from '../../../../shared/src/db/client.js';
import { loadConfig } from '../../../../shared/src/config/index.js';
import { createEmbeddingProvider, LOCAL_WORDVEC_MODEL } from '../../../../shared/src/providers/embeddings/index.js';
import { FULLTEXT_CANDIDATES, MAX_QUERY_TERMS, fulltextSearch } from '../../../../shared/src/db/vector/vector.repository.js';
import { detectTextSearchConfig } from '../../../../shared/src/text-search/language.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { evaluateMode, loadQualityCourse, QUALITY_QUESTIONS, type QualityCourse } from '../../../../test/support/search-quality.js';
import { searchNode } from './search.service.js';

let prisma: PrismaClient;
let tenantId: string;
let course: QualityCourse;
const embedder = createEmbeddingProvider({ kind: 'local', dimensions: 384 });
// The configured default model, for the ordering guard (the hashed model above is the class default).
const wordvec = createEmbeddingProvider({ kind: 'local', dimensions: 384, model: LOCAL_WORDVEC_MODEL });

beforeAll(async () => {
  prisma = createPrisma(loadConfig().DATABASE_URL, { poolMax: 4 });
  tenantId = (await createTestTenant(prisma)).tenant.id;
  course = await loadQualityCourse(prisma, tenantId, embedder);
}, 120_000);
afterAll(async () => {
  await prisma?.tenant.delete({ where: { id: tenantId } }).catch(() => undefined);
  await prisma?.$disconnect();
});

describe('search quality on the Python tutorial', () => {
  it('detects the language of each chapter and stems with it', async () => {
    const configs = await prisma.material.findMany({ where: { tenantId }, select: { textSearchConfig: true } });
    expect(new Set(configs.map((c) => c.textSearchConfig))).toEqual(new Set(['english']));
    expect(detectTextSearchConfig('Ein Wörterbuch ordnet jedem Schlüssel einen Wert zu, und man kann die Werte über ihre Schlüssel schnell nachschlagen.')).toBe('german');
    expect(detectTextSearchConfig('x = 1')).toBe('simple');
    // "dictionaries" finds the chapter that says "dictionary"/"dictionaries" and no all-words cliff: a word
    // found nowhere does not empty the result.
    const hits = await fulltextSearch(prisma, tenantId, course.courseId, 'looping over dictionaries zzyzxq', 5);
    expect(hits.map((h) => course.chapterOf.get(h.material_id))).toContain('datastructures.html');
  });

  it.each([
    ['local-hash-v1', embedder],
    [LOCAL_WORDVEC_MODEL, wordvec],
  ])('hybrid is at least as good as semantic and as full text on hit@1, hit@5 and MRR@10 (%s)', async (model, e) => {
    const questions = QUALITY_QUESTIONS.filter((_, i) => i % 2 === 0); // 39 of them
    // The stored vectors must be the model's: the word-vector case embeds the same chapters in a course of its own.
    const c = model === 'local-hash-v1' ? course : await loadQualityCourse(prisma, tenantId, e);
    const deps = { prisma, embedder: e, efSearch: 100 };
    const [semantic, fulltext, hybrid] = [
      await evaluateMode(deps, tenantId, c, 'semantic', questions),
      await evaluateMode(deps, tenantId, c, 'fulltext', questions),
      await evaluateMode(deps, tenantId, c, 'hybrid', questions),
    ];
    for (const part of [semantic, fulltext]) {
      expect(hybrid.hitAt1).toBeGreaterThanOrEqual(part.hitAt1);
      expect(hybrid.hitAt5).toBeGreaterThanOrEqual(part.hitAt5);
      expect(hybrid.mrrAt10).toBeGreaterThanOrEqual(part.mrrAt10);
    }
  }, 120_000);

  it('a 400-word hybrid query sends at most MAX_QUERY_TERMS terms and ranks at most FULLTEXT_CANDIDATES chunks', async () => {
    const words = course.chunks.flatMap((c) => c.text.toLowerCase().match(/[a-z]{4,}/g) ?? []);
    const distinct = [...new Set(words)];
    expect(distinct.length).toBeGreaterThan(400);
    const query = distinct.slice(0, 399).join(' ') + ' interpolation';
    const spy = vi.spyOn(prisma, '$queryRawUnsafe');
    try {
      const hits = await searchNode({ prisma, embedder, efSearch: 100 }, tenantId, course.courseId, { query, k: 10, mode: 'hybrid' });
      expect(hits.length).toBe(10);
      const ranking = spy.mock.calls.find(([sql]) => String(sql).includes('BM25-ranked'));
      expect(ranking).toBeDefined();
      const [, , , terms, , candidates] = ranking as unknown[];
      expect((terms as string[]).length).toBe(MAX_QUERY_TERMS);
      expect(candidates).toBe(FULLTEXT_CANDIDATES);
    } finally {
      spy.mockRestore();
    }
  }, 60_000);
});
