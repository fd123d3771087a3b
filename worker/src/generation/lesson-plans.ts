// From a course-tree node to module and lesson plans (which chunks make which lesson), before any concept is
// picked. Mapping: a node with children → each child is a module (its children → lessons, deeper levels folded
// into their lesson); a leaf → one module with lessons from its materials' headings. The node's own materials
// form an overview module first. Slides and transcript pieces join the text lesson they are most similar to
// (TF-IDF cosine) within their node's subtree; the rest stay together as a lesson of their own material.
// Titles come from the documents' headings (section numbers such as "4.2." removed) or from the course tree's
// node titles — never from file names.
import type { GenerationMaterial, GenerationNode, NodeSummary } from '../../../shared/src/generation/generation-input.js';
import type { ChunkRef, CourseCorpus } from './course-corpus.js';
import { stripSectionNumber, wordCount } from './text-analysis.js';

export interface LessonPlan {
  title: string;
  sourceNodeId?: string;
  /** Chunks of the lesson in course order. */
  refs: ChunkRef[];
  /** Heading path that names this lesson (its sub-headings are concept candidates). */
  titlePath: string[];
  /** Nodes whose slides/transcripts may join this lesson (the node it comes from and its ancestors). */
  scope: string[];
}

export interface ModulePlan {
  title: string;
  description?: string;
  sourceNodeId?: string;
  lessons: LessonPlan[];
  /** Set when the node had no chunks here but a summary of an earlier generation. */
  summary?: NodeSummary;
}

export interface PlanOptions {
  /** guided: modules follow the course tree; free: one module per document, whatever node holds it. */
  mode: 'guided' | 'free';
  maxLessonsPerModule: number;
  /** Minimum cosine similarity for a slide/transcript chunk to join a text lesson. */
  mediaSimilarity: number;
  /** Segments with fewer words are merged into their neighbour. */
  minLessonWords: number;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const MEDIA_KINDS = new Set(['slide_text', 'slide_notes', 'transcript']);
export const isMedia = (ref: ChunkRef) => MEDIA_KINDS.has(ref.chunk.kind);

/** Chunk refs of the whole tree in tree → material → chunk order. */
export function collectRefs(root: GenerationNode): ChunkRef[] {
  const out: ChunkRef[] = [];
  const visit = (node: GenerationNode) => {
    for (const material of node.materials) {
      for (const chunk of material.chunks) if (chunk.text.trim()) out.push({ chunk, material, nodeId: node.id, order: out.length });
    }
    node.children.forEach(visit);
  };
  visit(root);
  return out;
}

export function planModules(root: GenerationNode, refs: readonly ChunkRef[], corpus: CourseCorpus, summaries: ReadonlyMap<string, NodeSummary>, opts: PlanOptions): ModulePlan[] {
  const byNode = new Map<string, ChunkRef[]>();
  for (const r of refs) pushTo(byNode, r.nodeId, r);
  const own = (node: GenerationNode) => byNode.get(node.id) ?? [];
  const subtree = (node: GenerationNode): ChunkRef[] => [...own(node), ...node.children.flatMap(subtree)].sort((a, b) => a.order - b.order);

  const modules: ModulePlan[] = [];
  const pool: ChunkRef[] = []; // slides/transcripts looking for a text lesson
  const ownerModule = new Map<string, ModulePlan>(); // node id → module its leftover media go to

  const leafModule = (node: GenerationNode, scope: string[]): ModulePlan => {
    const refsHere = subtree(node);
    pool.push(...refsHere.filter(isMedia));
    const lessons = segmentText(refsHere.filter((r) => !isMedia(r)), node, [...scope, node.id]);
    const m: ModulePlan = { title: node.title, description: node.description ?? undefined, sourceNodeId: node.id, lessons };
    for (const r of refsHere) ownerModule.set(r.nodeId, m);
    return m;
  };

  if (opts.mode === 'free') {
    const allNodes = [...new Set(refs.map((r) => r.nodeId))];
    const nodeTitles = new Map<string, string>();
    const collectTitles = (n: GenerationNode): void => {
      nodeTitles.set(n.id, n.title);
      n.children.forEach(collectTitles);
    };
    collectTitles(root);
    const byMaterial = new Map<GenerationMaterial, ChunkRef[]>();
    for (const r of refs) pushTo(byMaterial, r.material, r);
    for (const [material, mrefs] of byMaterial) {
      const text = mrefs.filter((r) => !isMedia(r));
      pool.push(...mrefs.filter(isMedia));
      const node = { ...root, id: mrefs[0]!.nodeId, title: nodeTitles.get(mrefs[0]!.nodeId) ?? root.title };
      const lessons = segmentText(text, node, allNodes);
      const docTitle = documentTitle(text) ?? (lessons.length === 1 ? lessons[0]!.title : node.title);
      const m: ModulePlan = { title: docTitle, lessons };
      modules.push(m); // a slides/video-only document keeps a module for what does not join a text lesson
      ownerModule.set(material.id, m);
    }
    // Children generated earlier (their chunks are not in this input) contribute their summaries, as in guided.
    for (const child of root.children) {
      const summary = summaries.get(child.id);
      if (summary && subtree(child).length === 0) modules.push({ title: child.title, description: child.description ?? undefined, sourceNodeId: child.id, lessons: [], summary });
    }
  } else if (root.children.length === 0) {
    modules.push(leafModule(root, []));
    modules[0]!.sourceNodeId = undefined;
  } else {
    const rootRefs = own(root);
    pool.push(...rootRefs.filter(isMedia));
    const overview: ModulePlan = { title: root.title, description: root.description ?? undefined, lessons: segmentText(rootRefs.filter((r) => !isMedia(r)), root, [root.id]) };
    ownerModule.set(root.id, overview);
    modules.push(overview);
    for (const child of root.children) {
      if (subtree(child).length === 0) {
        const summary = summaries.get(child.id);
        if (summary) modules.push({ title: child.title, description: child.description ?? undefined, sourceNodeId: child.id, lessons: [], summary });
        continue;
      }
      if (child.children.length === 0) {
        modules.push(leafModule(child, [root.id]));
        continue;
      }
      const scope = [root.id, child.id];
      const childOwn = own(child);
      pool.push(...childOwn.filter(isMedia));
      const lessons = segmentText(childOwn.filter((r) => !isMedia(r)), child, scope);
      for (const g of child.children) {
        const gRefs = subtree(g);
        if (gRefs.length > 0) lessons.push({ title: g.title, sourceNodeId: g.id, refs: gRefs, titlePath: [], scope: [...scope, g.id] });
      }
      const m: ModulePlan = { title: child.title, description: child.description ?? undefined, sourceNodeId: child.id, lessons };
      ownerModule.set(child.id, m);
      modules.push(m);
    }
  }

  attachMedia(pool, modules, corpus, ownerModule, opts);
  for (const m of modules) m.lessons = capLessons(mergeSmall(m.lessons, opts.minLessonWords), opts.maxLessonsPerModule);
  return modules.filter((m) => m.lessons.length > 0 || m.summary);
}

/**
 * The document's own title: the top-level heading over (nearly) all of its text — a chapter's "8. I18N and
 * L10N", a README's "# Express" — without its number; undefined when several headings share the top level.
 */
function documentTitle(refs: readonly ChunkRef[]): string | undefined {
  const tops = new Map<string, number>();
  for (const r of refs) {
    const top = r.chunk.metadata.heading_path?.[0];
    if (top !== undefined) tops.set(top, (tops.get(top) ?? 0) + 1);
  }
  const [best] = [...tops.entries()].sort((a, b) => b[1] - a[1]);
  return best && best[1] >= 0.8 * refs.length ? stripSectionNumber(best[0]) : undefined;
}

/** One lesson per heading section of each material, at the shallowest heading level that splits it. */
function segmentText(refs: ChunkRef[], node: GenerationNode, scope: string[]): LessonPlan[] {
  const lessons: LessonPlan[] = [];
  const byMaterial = new Map<GenerationMaterial, ChunkRef[]>();
  for (const r of refs) pushTo(byMaterial, r.material, r);
  for (const mrefs of byMaterial.values()) {
    const paths = mrefs.map((r) => r.chunk.metadata.heading_path ?? []);
    let level = 0;
    for (let d = 1; d <= 3 && level === 0; d++) {
      const distinct = new Set(paths.filter((p) => p.length >= d).map((p) => p.slice(0, d).join('\u0000')));
      if (distinct.size >= 2) level = d;
    }
    if (level === 0) {
      const first = paths.find((p) => p.length > 0)?.[0];
      const shared = first !== undefined && paths.every((p) => p.length === 0 || p[0] === first);
      const title = (shared && first !== undefined ? stripSectionNumber(first) : undefined) ?? node.title;
      lessons.push({ title, sourceNodeId: node.id, refs: mrefs, titlePath: shared && first ? [first] : [], scope });
      continue;
    }
    let pending: ChunkRef[] = []; // text before the first section at this level joins that section
    let current: LessonPlan | undefined;
    for (const r of mrefs) {
      const p = r.chunk.metadata.heading_path ?? [];
      if (p.length < level) {
        if (current) current.refs.push(r);
        else pending.push(r);
        continue;
      }
      const key = p.slice(0, level);
      if (!current || key.join('\u0000') !== current.titlePath.join('\u0000')) {
        current = { title: stripSectionNumber(key[level - 1]!), sourceNodeId: node.id, refs: [...pending, r], titlePath: key, scope };
        pending = [];
        lessons.push(current);
      } else current.refs.push(r);
    }
    if (pending.length > 0) lessons.push({ title: documentTitle(mrefs) ?? node.title, sourceNodeId: node.id, refs: pending, titlePath: [], scope });
  }
  return lessons;
}

function attachMedia(pool: ChunkRef[], modules: ModulePlan[], corpus: CourseCorpus, ownerModule: Map<string, ModulePlan>, opts: PlanOptions): void {
  const textLessons = modules.flatMap((m) => m.lessons).map((l) => ({ lesson: l, counts: corpus.counts(l.refs.filter((r) => !isMedia(r))) }));
  const leftovers = new Map<GenerationMaterial, ChunkRef[]>();
  for (const ref of [...pool].sort((a, b) => a.order - b.order)) {
    const counts = corpus.counts([ref]);
    let best: { lesson: LessonPlan; sim: number } | undefined;
    for (const t of textLessons) {
      if (!t.lesson.scope.includes(ref.nodeId)) continue;
      const sim = corpus.cosine(counts, t.counts);
      if (sim > (best?.sim ?? 0)) best = { lesson: t.lesson, sim };
    }
    if (best && best.sim >= opts.mediaSimilarity) best.lesson.refs.push(ref);
    else pushTo(leftovers, ref.material, ref);
  }
  for (const l of textLessons) l.lesson.refs.sort((a, b) => a.order - b.order);
  for (const [material, refs] of leftovers) {
    // A slide or two of greetings is not a lesson: it joins the first lesson of its module (or of the course).
    if (refs.reduce((n, r) => n + wordCount(r.chunk.text), 0) < opts.minLessonWords * 2) {
      const owner = ownerModule.get(material.id) ?? ownerModule.get(refs[0]!.nodeId);
      const target = owner?.lessons[0] ?? modules.find((m) => m.lessons.length > 0)?.lessons[0];
      if (target) {
        target.refs = [...target.refs, ...refs].sort((a, b) => a.order - b.order);
        continue;
      }
    }
    let module = ownerModule.get(material.id) ?? ownerModule.get(refs[0]!.nodeId) ?? modules[0];
    if (!module) {
      module = { title: 'Materials', lessons: [] };
      modules.push(module);
    }
    const firstHeading = refs.find((r) => r.chunk.metadata.heading_path?.length)?.chunk.metadata.heading_path?.[0];
    const title = firstHeading !== undefined ? stripSectionNumber(firstHeading) : module.title;
    module.lessons.push({ title, sourceNodeId: refs[0]!.nodeId, refs, titlePath: [], scope: [] });
  }
}

const lessonWords = (l: LessonPlan) => l.refs.reduce((n, r) => n + wordCount(r.chunk.text), 0);

/** A section too small to teach anything (a lone heading, a one-line intro) joins the next one (the last: the previous). */
function mergeSmall(lessons: LessonPlan[], minWords: number): LessonPlan[] {
  const out: LessonPlan[] = [];
  let carry: ChunkRef[] = [];
  lessons.forEach((l, i) => {
    const merged = { ...l, refs: [...carry, ...l.refs].sort((a, b) => a.order - b.order) };
    carry = [];
    const small = lessonWords(merged) < minWords;
    if (small && i < lessons.length - 1) carry = merged.refs;
    else if (small && out.length > 0) out[out.length - 1]!.refs.push(...merged.refs);
    else out.push(merged);
  });
  return out;
}

/** Merges neighbours pairwise until the module has at most `max` lessons. */
function capLessons(lessons: LessonPlan[], max: number): LessonPlan[] {
  let out = lessons;
  while (out.length > max) {
    const next: LessonPlan[] = [];
    for (let i = 0; i < out.length; i += 2) {
      const a = out[i]!;
      const b = out[i + 1];
      next.push(b ? { ...a, refs: [...a.refs, ...b.refs].sort((x, y) => x.order - y.order), scope: [...new Set([...a.scope, ...b.scope])] } : a);
    }
    out = next;
  }
  return out;
}
