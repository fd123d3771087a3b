import { load, prisma, embedder, evalRanker, fuse, fmt, fulltextSearch, semanticSearch, exactSemanticSearch, bm25Library, QUALITY_CORPORA } from './qual-exp.js';
const { tenantId, courses } = await load();
for (const c of QUALITY_CORPORA) {
  const course = courses[c.name]!;
  const lib = bm25Library(course);
  const emb = async (q: string) => (await embedder.embed([q], { tenantId, action: 'search' }))[0]!;
  const out: Record<string, string> = {};
  out.wink = fmt(await evalRanker(course, c.questions, async (q) => lib(q, 10)));
  out.ft = fmt(await evalRanker(course, c.questions, async (q) => (await fulltextSearch(prisma, tenantId, course.courseId, q, 10)).map((h) => h.material_id)));
  out.semH = fmt(await evalRanker(course, c.questions, async (q) => (await semanticSearch(prisma, tenantId, course.courseId, await emb(q), 10, { efSearch: 100 })).map((h) => h.material_id)));
  out.semX = fmt(await evalRanker(course, c.questions, async (q) => (await exactSemanticSearch(prisma, tenantId, course.courseId, await emb(q), 10)).map((h) => h.material_id)));
  out.hyb = fmt(await evalRanker(course, c.questions, async (q) => fuse(await semanticSearch(prisma, tenantId, course.courseId, await emb(q), 40, { efSearch: 100 }), await fulltextSearch(prisma, tenantId, course.courseId, q, 40)).map((h) => h.material_id)));
  console.log(c.name, JSON.stringify(out));
}
await prisma.$disconnect();
