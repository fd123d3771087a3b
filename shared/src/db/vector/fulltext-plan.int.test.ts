// Work bound of the full-text statement (issue 12/15: hybrid search 3–7× slower after the phrase term). The plan's
// row estimates are 1 for every CTE, so the planner nests loops over them, and a CTE referenced once is inlined:
//   - the idf aggregate (a numeric ln per term) was re-emitted for every (candidate, term) row it was joined to,
//     the phrase tsqueries were parsed again for every (candidate, phrase) pair;
//   - every candidate (up to 5,000) was joined back to material_chunks by id alone: one index probe per candidate
//     in every partition of the table, before the top $4 were taken.
// Asserted on EXPLAIN ANALYZE's row and loop counts (not timings): every aggregate runs once, and the table is
// probed at most once per returned row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../client.js';
import { loadConfig } from '../../config/index.js';
import { newId } from '../ids.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { sqlFile } from './sql-files.js';
import { fulltextSearch, fulltextSearchArgs } from './vector.repository.js';

let prisma: PrismaClient;
let tenantId: string;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Loops': number;
  'Actual Rows': number;
  Plans?: PlanNode[];
}
const walk = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(walk)];

beforeAll(async () => {
  prisma = createPrisma(loadConfig().DATABASE_URL, { poolMax: 2 });
  tenantId = (await createTestTenant(prisma)).tenant.id;
});
afterAll(async () => {
  await prisma?.tenant.deleteMany({ where: { id: tenantId } }).catch(() => undefined);
  await prisma?.$disconnect();
});

describe('full-text statement work bound', () => {
  it('runs each aggregate once and reads back only the returned chunks', async () => {
    const courseId = newId();
    const materialId = newId();
    await prisma.materialNode.create({ data: { id: courseId, tenantId, title: 'course' } });
    await prisma.material.create({ data: { id: materialId, tenantId, nodeId: courseId, sourceType: 'text', filename: 'm.txt', state: 'ready', textSearchConfig: 'simple', chunkCount: 300 } });
    const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
    await prisma.chunk.createMany({
      data: Array.from({ length: 300 }, (_, i) => ({
        id: newId(),
        tenantId,
        materialId,
        nodeId: courseId,
        ordinal: i,
        kind: 'text',
        text: `${words[i % 6]} ${words[(i * 7) % 6]} filler${i} ${words[(i + 1) % 6]} ${words[(i + 2) % 6]}`,
        tokenCount: 10,
        metadata: {},
        contentSha256: 'x'.repeat(64),
      })),
    });
    const query = 'alpha beta gamma delta epsilon zeta';
    const limit = 5;
    const args = (await fulltextSearchArgs(prisma, tenantId, courseId, query, limit)) as unknown[];
    expect((args[7] as string[]).length).toBeGreaterThan(0); // the query has phrases
    const [{ 'QUERY PLAN': plan }] = await prisma.$queryRawUnsafe<{ 'QUERY PLAN': { Plan: PlanNode }[] }[]>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${sqlFile('fulltext-search.sql')}`,
      ...args,
    ) as [{ 'QUERY PLAN': { Plan: PlanNode }[] }];
    const nodes = walk((plan[0] as { Plan: PlanNode }).Plan);

    const aggregates = nodes.filter((n) => n['Node Type'] === 'Aggregate');
    expect(aggregates.length).toBeGreaterThan(0);
    expect(aggregates.map((n) => n['Actual Loops'])).toEqual(aggregates.map(() => 1));

    // The candidate scan and the subtree count read the table once each; the rest is the returned rows.
    const tableLoops = nodes.filter((n) => n['Relation Name']?.startsWith('material_chunks')).reduce((s, n) => s + n['Actual Loops'], 0);
    expect(tableLoops).toBeLessThanOrEqual(2 + limit);

    expect(await fulltextSearch(prisma, tenantId, courseId, query, limit)).toHaveLength(limit);
  });
});
