// Latency of fulltext-search.sql before/after the heading field (ABAB, same queries), on the loaded manuals.
import { execSync } from 'node:child_process';
import { load, prisma } from './qual-exp.js';
import { fulltextQueryTerms, FULLTEXT_CANDIDATES, BM25 } from '../../shared/src/db/vector/vector.repository.js';
const NEW = (await import('node:fs')).readFileSync('prisma/sql/fulltext-search.sql', 'utf8');
const OLD = execSync('git show HEAD:prisma/sql/fulltext-search.sql').toString();
const { tenantId, courses } = await load();
const root = (await prisma.materialNode.findFirst({ where: { id: courses.tutorial!.courseId } }))!;
// One root over both manuals is not available (two courses); use the tutorial and long / short queries.
const words = [...new Set(courses.tutorial!.chunks.flatMap((c) => c.text.toLowerCase().match(/[a-z]{4,}/g) ?? []))];
const queries = [words.slice(0, 400).join(' '), 'how do I loop over the items of a dictionary', 'the of and list function value'];
for (const q of queries) {
  const terms = await fulltextQueryTerms(prisma, tenantId, root.id, q);
  const pairs = terms.flatMap((a, i) => terms.slice(i + 1).filter((b) => b.pos > a.pos && b.pos - a.pos <= 2).map((b) => [a, b] as const));
  const args = [tenantId, root.id, terms.map((t) => t.lexeme), 40, FULLTEXT_CANDIDATES, BM25.k1, BM25.b, pairs.map(([a]) => a.lexeme), pairs.map(([, b]) => b.lexeme), pairs.map(([a, b]) => b.pos - a.pos), BM25.phraseBoost];
  const t = { old: [] as number[], new: [] as number[] };
  for (let i = 0; i < 40; i++) for (const which of i % 2 ? ['old', 'new'] as const : ['new', 'old'] as const) {
    const s = performance.now();
    await (which === 'old' ? prisma.$queryRawUnsafe(OLD, ...args) : prisma.$queryRawUnsafe(NEW, ...args, BM25.headingWeight));
    t[which].push(performance.now() - s);
  }
  const med = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1]!.toFixed(1);
  console.log(`${terms.length} terms: old p50 ${med(t.old)} ms, new p50 ${med(t.new)} ms`);
}
await prisma.$disconnect();
