// The real-document corpus (test/fixtures/real, see its README) and the checks run on it by tests and by the
// `corpus` bench scenario: hygiene (no markup, URL, entity or permalink mark in chunk text outside code blocks,
// nor in any string of a structure) and grounding (concept names occur in the material, definitions are
// sentences of it).
import { fileURLToPath } from 'node:url';
import { basename } from 'node:path';
import type { CourseStructure } from '../../shared/src/generation/course-structure.js';
import type { GenerationChunk, GenerationMaterial, GenerationNode } from '../../shared/src/generation/generation-input.js';
import { chunkDocument, type Chunk } from '../../worker/src/ingestion/chunker.js';
import { extractFile } from '../../worker/src/ingestion/extract.js';

export const REAL_CORPUS_DIR = fileURLToPath(new URL('../fixtures/real/', import.meta.url));

export interface CorpusDoc {
  /** Path under test/fixtures/real. */
  path: string;
  toolchain: 'sphinx' | 'docbook' | 'markdown' | 'texinfo';
}

/** One course per toolchain, one chapter per lesson, in reading order. */
export const REAL_CORPUS: Record<'sphinx' | 'docbook' | 'markdown', CorpusDoc[]> = {
  sphinx: ['errors.html', 'classes.html', 'appendix.html'].map((f) => ({ path: `sphinx-python-3.11-tutorial/${f}`, toolchain: 'sphinx' as const })),
  docbook: ['ch03.en.html', 'ch04.en.html', 'ch08.en.html'].map((f) => ({ path: `docbook-debian-reference/${f}`, toolchain: 'docbook' as const })),
  markdown: ['express/Readme.md', 'bullmq/README.md'].map((f) => ({ path: `npm-readmes/${f}`, toolchain: 'markdown' as const })),
};

export const corpusFile = (doc: CorpusDoc) => `${REAL_CORPUS_DIR}${doc.path}`;

/** Extracts and chunks a corpus document with the real ingestion code (the ingest job's defaults). */
export async function chunkCorpusDoc(doc: CorpusDoc): Promise<Chunk[]> {
  const extracted = await extractFile(corpusFile(doc), { filename: basename(doc.path) });
  return chunkDocument(extracted, { targetTokens: 500, overlapTokens: 50 });
}

export async function corpusMaterial(id: string, doc: CorpusDoc): Promise<GenerationMaterial> {
  const chunks = await chunkCorpusDoc(doc);
  return {
    id,
    filename: basename(doc.path),
    source_type: 'text',
    chunks: chunks.map((c): GenerationChunk => ({ id: `${id}-c${c.index}`, kind: c.type, text: c.text, metadata: { ...c.metadata } })),
  };
}

/** A course node whose lessons each hold one chapter (the tree a course author builds from a manual). */
export async function corpusCourse(toolchain: keyof typeof REAL_CORPUS): Promise<GenerationNode> {
  const docs = REAL_CORPUS[toolchain];
  const lessons = await Promise.all(
    docs.map(async (doc, i): Promise<GenerationNode> => ({ id: `${toolchain}-lesson-${i + 1}`, title: `Chapter ${i + 1}`, children: [], materials: [await corpusMaterial(`${toolchain}-m${i + 1}`, doc)] })),
  );
  return { id: `${toolchain}-course`, title: `${toolchain} course`, children: lessons, materials: [] };
}

const HTML_ELEMENTS =
  'a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite code col colgroup data dd del details dfn dialog div dl dt em embed fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hr html i iframe img input ins kbd label legend li link main map mark meta meter nav noscript object ol optgroup option output p param picture pre progress q rp rt ruby s samp script section select small source span strong style sub summary sup table tbody td template textarea tfoot th thead time title tr track u ul var video wbr svg center font tt';
const TAG = new RegExp(`</?(?:${HTML_ELEMENTS.split(' ').join('|')})(?:\\s[^<>]*)?/?>`, 'i');
const PROBLEMS: [string, RegExp][] = [
  ['html tag', TAG],
  ['markdown link or image', /!?\[[^\]\n]*\]\([^)\n]*\)|!?\[[^\]\n]*\]\[[^\]\n]*\]/],
  ['html entity', /&(?:#\d+|#x[\da-f]+|[a-z][a-z\d]{1,31});/i],
  ['url', /\b(?:https?|ftp):\/\/|\bwww\.[a-z0-9-]+\./i],
  ['permalink mark', /¶/],
];

/** What is wrong with a text a person should read: markup, a URL, an entity or a permalink mark. */
export function hygieneProblems(text: string): string[] {
  return PROBLEMS.filter(([, re]) => re.test(text)).map(([name]) => name);
}

/** Every string of a structure a person reads (titles, summaries, names, definitions, prompts, labels). */
export function structureStrings(structure: CourseStructure): string[] {
  const out: string[] = [];
  const visit = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (!/(_id|_ids)$/.test(key)) out.push(value);
    } else if (Array.isArray(value)) for (const v of value) visit(v, key);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(structure, '');
  return out;
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();

export interface GroundingReport {
  concepts: number;
  namesFound: number;
  definitionsFound: number;
  /** Concept names not found in the material text. */
  missingNames: string[];
  /** Definitions that are not a sentence of the material. */
  missingDefinitions: string[];
}

/** Concept names found in the material (case-insensitive), definitions found verbatim in one chunk. */
export function grounding(structure: CourseStructure, chunkTexts: readonly string[]): GroundingReport {
  const texts = chunkTexts.map(squash);
  const all = texts.join('\n');
  const report: GroundingReport = { concepts: 0, namesFound: 0, definitionsFound: 0, missingNames: [], missingDefinitions: [] };
  for (const m of structure.course.modules)
    for (const l of m.lessons)
      for (const c of l.concepts) {
        report.concepts++;
        if (all.includes(squash(c.name))) report.namesFound++;
        else report.missingNames.push(c.name);
        const def = squash(c.definition); // a clipped definition ("…") is not a sentence of the material
        if (texts.some((t) => t.includes(def))) report.definitionsFound++;
        else report.missingDefinitions.push(c.definition);
      }
  return report;
}

export function chunkTextsOf(node: GenerationNode): string[] {
  return [...node.materials.flatMap((m) => m.chunks.map((c) => c.text)), ...node.children.flatMap(chunkTextsOf)];
}
