// Term selection of long full-text queries reads only the tenant's own statistics (issue 12): a query with more
// than MAX_QUERY_TERMS lexemes keeps the rarest in the TENANT's chunks (fulltext_lexeme_df), so another tenant's
// corpus — here one that makes some of the query's words very common — changes neither the terms kept nor the
// results. (Before, the rarity came from pg_stats over every tenant's chunks.) And the counts follow the chunks
// through inserts, deletes and updates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../client.js';
import { loadConfig } from '../../config/index.js';
import { newId } from '../ids.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { MAX_QUERY_TERMS, fulltextQueryTerms, fulltextSearch } from './vector.repository.js';

let prisma: PrismaClient;
const tenants: string[] = [];
const WORDS = Array.from({ length: 40 }, (_, i) => `qterm${i}`);
const QUERY = WORDS.join(' ');

/** A course with one 'simple'-config material holding `texts` as chunks; returns the course and material ids. */
async function course(tenantId: string, texts: string[]) {
  const courseId = newId();
  const materialId = newId();
  await prisma.materialNode.create({ data: { id: courseId, tenantId, title: 'course' } });
  await prisma.material.create({ data: { id: materialId, tenantId, nodeId: courseId, sourceType: 'text', filename: 'm.txt', state: 'ready', textSearchConfig: 'simple', chunkCount: texts.length } });
  for (let i = 0; i < texts.length; i += 1000) {
    await prisma.chunk.createMany({
      data: texts.slice(i, i + 1000).map((text, j) => ({ id: newId(), tenantId, materialId, nodeId: courseId, ordinal: i + j, kind: 'text', text, tokenCount: 10, metadata: {}, contentSha256: 'x'.repeat(64) })),
    });
  }
  return { courseId, materialId };
}

const df = async (tenantId: string, lexeme: string) =>
  (await prisma.fulltextLexemeDf.findUnique({ where: { tenantId_lexeme: { tenantId, lexeme } } }))?.df ?? 0;

beforeAll(async () => {
  prisma = createPrisma(loadConfig().DATABASE_URL, { poolMax: 4 });
  for (let i = 0; i < 2; i++) tenants.push((await createTestTenant(prisma)).tenant.id);
});
afterAll(async () => {
  await prisma?.tenant.deleteMany({ where: { id: { in: tenants } } }).catch(() => undefined);
  await prisma?.$disconnect();
});

describe('full-text term selection', () => {
  it("another tenant's huge corpus changes neither the terms a tenant's long query keeps nor its results", async () => {
    const [a, b] = tenants as [string, string];
    // Tenant A: chunk j holds qterm0 … qterm(j), so qterm(i) is in 40 − i of A's chunks: qterm39 is A's rarest.
    const { courseId } = await course(a, WORDS.map((_, j) => `chunk ${j}: ${WORDS.slice(0, j + 1).join(' ')}`));
    await prisma.$executeRawUnsafe('ANALYZE material_chunks');
    const terms = async () => (await fulltextQueryTerms(prisma, a, courseId, QUERY)).map((t) => t.lexeme).sort();
    const results = async () => (await fulltextSearch(prisma, a, courseId, QUERY, 10)).map((h) => [h.chunk_id, h.rank.toFixed(9)]);
    const termsBefore = await terms();
    const resultsBefore = await results();
    expect(termsBefore).toHaveLength(MAX_QUERY_TERMS);
    expect(termsBefore).toContain('qterm39'); // A's rarest are kept …
    expect(termsBefore).not.toContain('qterm0'); // … and A's most common dropped
    // Tenant B: 3,000 chunks full of A's rarest words, then fresh statistics.
    await course(b, Array.from({ length: 3000 }, (_, i) => `other ${i} ${WORDS.slice(30).join(' ')}`));
    await prisma.$executeRawUnsafe('ANALYZE material_chunks');
    expect(await df(b, 'qterm39')).toBe(3000);
    expect(await terms()).toEqual(termsBefore);
    expect(await results()).toEqual(resultsBefore);
  }, 60_000);

  it('counts follow inserts, deletes and text updates of the chunks, per tenant', async () => {
    const [a] = tenants as [string, string];
    const { materialId } = await course(a, ['alpha beta', 'alpha gamma', 'alpha']);
    expect(await df(a, 'alpha')).toBe(3);
    expect(await df(a, 'beta')).toBe(1);
    const gamma = await prisma.chunk.findFirstOrThrow({ where: { materialId, text: 'alpha gamma' } });
    await prisma.chunk.updateMany({ where: { id: gamma.id }, data: { text: 'delta gamma gamma' } });
    expect([await df(a, 'alpha'), await df(a, 'gamma'), await df(a, 'delta')]).toEqual([2, 1, 1]);
    await prisma.chunk.deleteMany({ where: { materialId } });
    expect([await df(a, 'alpha'), await df(a, 'beta'), await df(a, 'gamma'), await df(a, 'delta')]).toEqual([0, 0, 0, 0]);
    // Writing embeddings (an update of another column) does not touch the counts.
    const { materialId: m2 } = await course(a, ['alpha']);
    await prisma.chunk.updateMany({ where: { materialId: m2 }, data: { tokenCount: 11 } });
    expect(await df(a, 'alpha')).toBe(1);
  });
});
