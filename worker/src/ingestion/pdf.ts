// PDF → one paragraph block per page with its page number (pdfjs-dist 5, legacy build, no DOM needed;
// its "fake worker" parses in this thread, which is why extraction runs in a child process — see
// extract-subprocess.ts). Password-protected → "PDF is encrypted"; unparsable → "PDF is corrupt". A PDF whose
// xref table is damaged but whose objects are intact is repaired by pdfjs (as viewers do) and extracted.
// Over maxPages, or more text than maxChars → refused with a reason (never silently truncated).
import { readFile } from 'node:fs/promises';
import type * as PdfJs from 'pdfjs-dist/legacy/build/pdf.mjs';
import { assertNonEmpty } from './text-input.js';
import { buildDocument, CharBudget, normalizeText, type Block, type ExtractedDocument, type ExtractionLimits } from './document.js';
import { InputError } from '../input-error.js';

let pdfjsPromise: Promise<typeof PdfJs> | null = null;
const loadPdfJs = () => (pdfjsPromise ??= import('pdfjs-dist/legacy/build/pdf.mjs'));

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

export async function extractPdf(path: string, limits: ExtractionLimits): Promise<ExtractedDocument> {
  await assertNonEmpty(path);
  const data = new Uint8Array(await readFile(path));
  const header = Buffer.from(data.subarray(0, 1024)).toString('latin1');
  if (!header.includes('%PDF-')) throw new InputError('corrupt', 'the file is not a PDF (no %PDF header)');

  const pdfjs = await loadPdfJs();
  const task = pdfjs.getDocument({
    data,
    verbosity: 0,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
  });
  let pdf: Awaited<typeof task.promise>;
  try {
    pdf = await task.promise;
  } catch (err) {
    await task.destroy().catch(() => undefined);
    throw mapPdfError(err);
  }

  try {
    if (pdf.numPages > limits.maxPages) {
      throw new InputError('too_large', `the PDF has ${pdf.numPages} pages; the limit is ${limits.maxPages}`);
    }
    const budget = new CharBudget(limits.maxChars);
    const blocks: Block[] = [];
    for (let page = 1; page <= pdf.numPages; page++) {
      const text = await pageText(pdf, page);
      budget.add(text.length);
      if (text) blocks.push({ type: 'paragraph', text, metadata: { page } });
    }
    if (blocks.length === 0) {
      throw new InputError('no_text', 'the PDF contains no extractable text (scanned images? OCR is not supported)');
    }
    const title = await metadataTitle(pdf);
    return buildDocument('pdf', title, blocks, limits, { pages: pdf.numPages });
  } catch (err) {
    throw mapPdfError(err);
  } finally {
    await pdf.destroy().catch(() => undefined);
  }
}

async function pageText(pdf: { getPage(n: number): Promise<PdfPage> }, n: number): Promise<string> {
  const page = await pdf.getPage(n);
  try {
    const content = await page.getTextContent();
    let out = '';
    for (const item of content.items as TextItemLike[]) {
      if (typeof item.str === 'string') out += item.str;
      if (item.hasEOL) out += '\n';
    }
    return normalizeText(out);
  } finally {
    page.cleanup();
  }
}

interface PdfPage {
  getTextContent(): Promise<{ items: unknown[] }>;
  cleanup(): unknown;
}

async function metadataTitle(pdf: { getMetadata(): Promise<{ info: unknown }> }): Promise<string | null> {
  try {
    const { info } = await pdf.getMetadata();
    const title = (info as { Title?: unknown } | null)?.Title;
    return typeof title === 'string' && title.trim() ? normalizeText(title) : null;
  } catch {
    return null;
  }
}

function mapPdfError(err: unknown): Error {
  if (err instanceof InputError) return err;
  const name = (err as { name?: string } | null)?.name ?? '';
  if (name === 'PasswordException') {
    return new InputError('encrypted', 'PDF is encrypted: it needs a password to open; upload a copy without a password');
  }
  if (name === 'InvalidPDFException') {
    return new InputError('corrupt', 'PDF is corrupt: its structure (cross-reference table or objects) cannot be read');
  }
  return new InputError('corrupt', 'PDF is corrupt or uses features that cannot be read');
}
