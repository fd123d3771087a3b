// PPTX → slide text and speaker notes, in the presentation's slide order. The order comes from
// ppt/presentation.xml's <p:sldIdLst> resolved through its relationships — never from file names
// (slide10.xml sorts before slide2.xml, and reordered decks keep their original file names).
// Slide numbers are 1-based positions in that list; the slide title (title placeholder) becomes heading_path.
import { openSafeZip, type SafeZip } from './zip-reader.js';
import {
  attr,
  childrenOf,
  drawingParagraphs,
  findAll,
  findFirst,
  parseRels,
  parseXml,
  relsPathOf,
  textOf,
  type XmlNode,
} from './ooxml.js';
import { buildDocument, CharBudget, normalizeText, type Block, type ExtractedDocument, type ExtractionLimits } from './document.js';
import { InputError } from '../input-error.js';

const PRESENTATION = 'ppt/presentation.xml';
const SLIDE_REL = /\/relationships\/slide$/;
const NOTES_REL = /\/relationships\/notesSlide$/;
/** Placeholders whose text is boilerplate (slide number, date, footer, slide image on notes pages). */
const SKIP_PLACEHOLDERS = new Set(['sldNum', 'dt', 'ftr', 'hdr', 'sldImg']);

export async function extractPptx(path: string, limits: ExtractionLimits): Promise<ExtractedDocument> {
  const zip = await openSafeZip(path, limits, 'PPTX');
  try {
    return await readPresentation(zip, limits);
  } finally {
    zip.close();
  }
}

async function readPresentation(zip: SafeZip, limits: ExtractionLimits): Promise<ExtractedDocument> {
  const presentationXml = await zip.readText(PRESENTATION);
  if (presentationXml === null) {
    throw new InputError('corrupt', 'the file is not a valid PPTX presentation (ppt/presentation.xml is missing)');
  }
  const rels = parseRels(await zip.readText(relsPathOf(PRESENTATION)), PRESENTATION);
  const slideIds = findAll(findAll(parseXml(presentationXml, PRESENTATION), 'sldIdLst'), 'sldId');
  if (slideIds.length > limits.maxSlides) {
    throw new InputError('too_large', `the presentation has ${slideIds.length} slides; the limit is ${limits.maxSlides}`);
  }

  const budget = new CharBudget(limits.maxChars);
  const blocks: Block[] = [];
  let firstTitle: string | null = null;
  for (const [index, sldId] of slideIds.entries()) {
    const rel = rels.get(attr(sldId, 'id', true) ?? '');
    if (!rel?.target || !SLIDE_REL.test(rel.type) || !zip.has(rel.target)) continue; // dangling: skip, keep numbering
    const slide = index + 1;
    const { title, paragraphs } = readShapes(parseXml((await zip.readText(rel.target))!, rel.target), false);
    firstTitle ??= title;
    const headingPath = title ? [title] : undefined;
    const text = normalizeText(paragraphs.join('\n'));
    budget.add(text.length);
    if (text) blocks.push({ type: 'slide_text', text, metadata: { slide, ...(headingPath && { heading_path: headingPath }) } });

    const notesPart = [...parseRels(await zip.readText(relsPathOf(rel.target)), rel.target).values()].find(
      (r) => NOTES_REL.test(r.type) && r.target !== null && zip.has(r.target),
    );
    if (notesPart?.target) {
      const notes = normalizeText(readShapes(parseXml((await zip.readText(notesPart.target))!, notesPart.target), true).paragraphs.join('\n'));
      budget.add(notes.length);
      if (notes) blocks.push({ type: 'slide_notes', text: notes, metadata: { slide, ...(headingPath && { heading_path: headingPath }) } });
    }
  }

  const title = (await coreTitle(zip)) ?? firstTitle;
  return buildDocument('pptx', title, blocks, limits, { slides: slideIds.length });
}

/** Text of a slide's (or notes page's) shapes in tree order; notes pages keep only the body placeholder. */
function readShapes(root: XmlNode[], notesPage: boolean): { title: string | null; paragraphs: string[] } {
  const tree = findFirst(root, 'spTree');
  if (!tree) return { title: null, paragraphs: [] };
  let title: string | null = null;
  const paragraphs: string[] = [];
  walkShapes(childrenOf(tree), (shape) => {
    const ph = findFirst(childrenOf(findFirst([shape], 'nvPr') ?? {}), 'ph');
    const phType = ph ? (attr(ph, 'type') ?? 'body') : null;
    if (phType && SKIP_PLACEHOLDERS.has(phType)) return;
    if (notesPage && phType !== 'body') return;
    const texts = drawingParagraphs([shape]);
    if (!notesPage && (phType === 'title' || phType === 'ctrTitle') && title === null && texts.length > 0) {
      title = normalizeText(texts.join(' '));
    }
    paragraphs.push(...texts);
  });
  return { title, paragraphs };
}

/** Visits shapes (sp), tables/graphic frames and shapes inside groups, in document order. */
function walkShapes(nodes: XmlNode[], visit: (shape: XmlNode) => void): void {
  for (const node of nodes) {
    const tag = Object.keys(node).find((k) => k !== ':@') ?? '';
    const local = tag.slice(tag.indexOf(':') + 1);
    if (local === 'grpSp') walkShapes(childrenOf(node), visit);
    else if (local === 'sp' || local === 'graphicFrame') visit(node);
  }
}

async function coreTitle(zip: SafeZip): Promise<string | null> {
  const core = await zip.readText('docProps/core.xml');
  if (core === null) return null;
  const title = findFirst(parseXml(core, 'docProps/core.xml'), 'title');
  const text = title ? normalizeText(textOf(childrenOf(title))) : '';
  return text || null;
}
