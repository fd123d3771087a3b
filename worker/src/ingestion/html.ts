// HTML (an uploaded .html file or a fetched web page) → main content as web_content blocks, headings kept.
// Navigation, sidebars, breadcrumbs, previous/next links and footers of generated documentation (Sphinx, MkDocs,
// Docusaurus, DocBook) are removed first (html-chrome.ts); a page that marks its content (role=main, <main>,
// DocBook's chapter) is read from there. Otherwise Readability (Firefox Reader View's algorithm) picks the
// article; when it finds none, the whole body is used minus navigation, header, footer, aside and forms.
// Scripts, styles and other non-content never reach the text. XHTML (an XML prolog, `<a id="x"/>`) is read as
// the browser reads it.
// Decoding follows the WHATWG order: BOM, then the charset from HTTP (`charset` option), then <meta charset>;
// with no declaration the bytes must be valid UTF-8.
import { readFile } from 'node:fs/promises';
import { parseHTML } from 'linkedom';
import { Readability } from '@mozilla/readability';
import { assertNonEmpty, decodeText, humanBytes } from './text-input.js';
import { domToBlocks } from './html-blocks.js';
import { mainContent, removeChrome, xhtmlAsHtml } from './html-chrome.js';
import { buildDocument, CharBudget, normalizeText, type Block, type ExtractedDocument, type ExtractionLimits } from './document.js';
import { InputError } from '../input-error.js';

/** Raw markup allowed per character of the text cap (pages carry far more markup than text). */
const MARKUP_FACTOR = 4;
const NOISE = 'script, style, noscript, template, svg, iframe, nav, header, footer, aside, form, button';

export interface HtmlOptions {
  /** Charset from the HTTP Content-Type, when the page was fetched. */
  charset?: string;
}

export async function extractHtml(path: string, limits: ExtractionLimits, opts: HtmlOptions = {}): Promise<ExtractedDocument> {
  const size = await assertNonEmpty(path);
  const rawCap = limits.maxChars * MARKUP_FACTOR;
  if (size > rawCap * 4) {
    throw new InputError('too_much_text', `the HTML file is ${humanBytes(size)}, more than the extraction limit allows`);
  }
  return htmlBytesToDocument(await readFile(path), limits, opts);
}

export async function htmlBytesToDocument(
  bytes: Uint8Array,
  limits: ExtractionLimits,
  opts: HtmlOptions = {},
): Promise<ExtractedDocument> {
  const charset = opts.charset ?? sniffMetaCharset(bytes);
  const html = await decodeText(bytes, { maxChars: limits.maxChars * MARKUP_FACTOR, kind: 'HTML', ...(charset && { charset }) });
  return htmlToDocument(html, limits);
}

export function htmlToDocument(html: string, limits: ExtractionLimits): ExtractedDocument {
  const { document } = parseHTML(xhtmlAsHtml(html));
  const lang = document.documentElement?.getAttribute('lang')?.trim() || undefined;
  const pageTitle = normalizeText(document.querySelector('title')?.textContent ?? '') || null;
  for (const el of Array.from(document.querySelectorAll('script, style, noscript, template')) as { remove(): void }[]) el.remove();
  removeChrome(document as never);
  const firstH1 = normalizeText(document.querySelector('h1')?.textContent ?? '').replace(/\n/g, ' ') || null;
  const hasText = (blocks: Block[]) => blocks.some((b) => b.type !== 'heading');

  // Generated documentation marks its content (role=main, <main>, DocBook's chapter divs): take it as it is.
  const main = mainContent(document as never);
  if (main) {
    const blocks = domToBlocks(main as never, 'web_content', new CharBudget(limits.maxChars));
    if (hasText(blocks)) return buildDocument('html', pageTitle, blocks, limits, lang ? { language: lang } : {});
  }

  const budget = new CharBudget(limits.maxChars);
  let title = pageTitle;
  let blocks: Block[] = [];
  try {
    // Readability mutates the DOM it reads, so it gets its own copy; the original stays for the fallback.
    const copy = parseHTML(document.toString()).document;
    const reader = new Readability(copy as never, {
      charThreshold: 200,
      serializer: (node) => node,
    });
    const article = reader.parse();
    if (article?.content) {
      blocks = withPageHeading(domToBlocks(article.content as never, 'web_content', budget), firstH1);
      title = normalizeText(article.title ?? '') || pageTitle;
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    blocks = []; // Readability failed on odd markup: fall back to the cleaned body
  }
  if (!hasText(blocks)) {
    for (const el of Array.from(document.querySelectorAll(NOISE)) as { remove(): void }[]) el.remove();
    blocks = document.body ? domToBlocks(document.body as never, 'web_content', new CharBudget(limits.maxChars)) : [];
  }
  return buildDocument('html', title, blocks, limits, lang ? { language: lang } : {});
}

/**
 * Readability drops the article's <h1> when it repeats the title (and turns other h1s into h2s); put it back
 * as the level-1 heading above everything so heading paths keep the page's top heading.
 */
function withPageHeading(blocks: Block[], h1: string | null): Block[] {
  if (!h1 || blocks.some((b) => b.type === 'heading' && b.text === h1)) return blocks;
  const nested = blocks.map((b) => ({ ...b, metadata: { ...b.metadata, heading_path: [h1, ...(b.metadata.heading_path ?? [])] } }));
  return [{ type: 'heading', text: h1, metadata: { heading_path: [h1], level: 1 } }, ...nested];
}

/** <meta charset="…"> or <meta http-equiv="content-type" content="…; charset=…"> in the first 1024 bytes. */
export function sniffMetaCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  const m = /<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_\-:.]+)/i.exec(head);
  return m?.[1]?.toLowerCase();
}
