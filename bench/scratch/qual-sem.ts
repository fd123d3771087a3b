// Semantic query-side variants (no re-embedding): question words out of the query text.
import { load, prisma, embedder, evalRanker, fmt, exactSemanticSearch, QUALITY_CORPORA } from './qual-exp.js';
const QWORDS = new Set(['how', 'what', 'why', 'when', 'where', 'which', 'who', 'can', 'could', 'do', 'does', 'did', 'i', 'my', 'me', 'is', 'are', 'way', 'ways', 'want', 'need', 'possible', 'someone', 'something', 'tell', 'like']);
const dropQ = (t: string) => t.replace(/[\p{L}']+/gu, (w) => (QWORDS.has(w.toLowerCase()) ? '' : w));
const { tenantId, courses } = await load();
for (const c of QUALITY_CORPORA) {
  const course = courses[c.name]!;
  for (const [name, pre] of [['base', (q: string) => q], ['qw', dropQ]] as const) {
    const r = await evalRanker(course, c.questions, async (q) => (await exactSemanticSearch(prisma, tenantId, course.courseId, (await embedder.embed([pre(q)], { tenantId, action: 'search' }))[0]!, 10)).map((h) => h.material_id));
    console.log(c.name, name, fmt(r));
  }
}
await prisma.$disconnect();
