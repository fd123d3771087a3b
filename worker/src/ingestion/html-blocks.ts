// Walks an HTML DOM (linkedom) into blocks that read as the page reads to a person: h1–h6 become heading
// blocks and set the heading path; paragraphs, list items and table rows become text blocks of the caller's
// type, their whitespace collapsed as a browser does (a <br> is a line break); <pre> becomes a code block kept
// byte for byte (metadata `code`, and `language` when the markup names one). Links keep their text, never their
// URL; images and badges are dropped (an image's alt text is kept only outside links, when it says something);
// permalink marks, in-page tables of contents, scripts, forms and other non-content never reach the text.
// Used for DOCX (mammoth's HTML), Markdown (marked's HTML) and web pages.
import { parseHTML } from 'linkedom';
import { normalizeText, type Block, type BlockType, type CharBudget } from './document.js';

const SKIP = new Set([
  'script', 'style', 'noscript', 'template', 'svg', 'math', 'canvas', 'iframe', 'object', 'embed', 'picture',
  'source', 'video', 'audio', 'head', 'link', 'meta', 'button', 'input', 'select', 'textarea', 'form', 'nav',
]);
const BLOCK = new Set([
  'p', 'div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'blockquote', 'figure', 'figcaption',
  'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'table', 'thead', 'tbody', 'tfoot', 'caption', 'address', 'details',
  'summary', 'hr', 'body', 'html', 'center',
]);
const HEADING = /^h([1-6])$/;
/** Text of a permalink anchor next to a heading (Sphinx/MkDocs "¶", Docusaurus/GitHub "#", "§", link icons). */
const PERMALINK_TEXT = /^[\s\u200b¶#§🔗⚓]*$/u;
/** Images that decorate rather than inform: CI/coverage/version badges, shields, logos and icons. */
const BADGE = /badge|shields\.io|travis-ci|coveralls|codecov|circleci|github\.com\/.*\/workflows|snyk\.io|npmjs\.(com|org)\/|packagephobia|logo|icon|sponsor/i;
/** URLs written out in prose (autolinks, bare addresses): the reader gets the words around them. */
const BARE_URL = /(?:\b(?:https?|ftp):\/\/|\bwww\.)[^\s<>()]*[^\s<>().,;:!?'"’”]/giu;
/** Reference-style Markdown that no definition resolved: `![alt][ref]` → dropped, `[text][ref]` → text. */
const UNRESOLVED_IMAGE_REF = /!\[[^\]\n]*\]\[[^\]\n]*\]/g;
const UNRESOLVED_LINK_REF = /\[([^\]\n]*)\]\[[^\]\n]*\]/g;
const LINE_BREAK = '\u2028'; // stands for <br> while inline whitespace is collapsed

// linkedom's node types are structural; these narrow interfaces are all the walker needs.
export interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  parentNode?: DomNode | null;
  getAttribute?(name: string): string | null;
}

const attr = (node: DomNode, name: string) => node.getAttribute?.(name) ?? null;
const elements = (node: DomNode) => Array.from(node.childNodes).filter((c) => c.nodeType === 1);

export function htmlFragmentToBlocks(html: string, type: BlockType, budget: CharBudget): Block[] {
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  return domToBlocks(document.body as unknown as DomNode, type, budget);
}

/** Prose as a reader sees it: whitespace collapsed, URLs and leftover reference-link syntax removed. */
export function cleanProse(raw: string): string {
  const text = raw
    .replace(UNRESOLVED_IMAGE_REF, '')
    .replace(UNRESOLVED_LINK_REF, '$1')
    .replace(BARE_URL, '\uE000')
    .replace(/\s*[(<]\s*\uE000\s*[)>]/g, '') // "(https://…)" or "<https://…>" goes whole
    .replace(/\s*\uE000\s*(?=[,.;:!?])/g, '') // "see https://… ." → "see."
    .replace(/\uE000/g, '')
    .replace(/[ \t\r\n\f\v]+/g, ' ')
    .replace(/ ?\u2028 ?/g, '\n');
  return normalizeText(text);
}

export function domToBlocks(root: DomNode, type: BlockType, budget: CharBudget): Block[] {
  const blocks: Block[] = [];
  const headings: { level: number; text: string }[] = [];
  let inline = '';

  const path = () => (headings.length > 0 ? { heading_path: headings.map((h) => h.text) } : {});
  const push = (block: Block) => {
    budget.add(block.text.length);
    blocks.push(block);
  };
  const flush = () => {
    const text = cleanProse(inline);
    inline = '';
    if (text) push({ type, text, metadata: path() });
  };

  const walk = (node: DomNode, inLink: boolean): void => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === 3) {
        inline += child.textContent ?? '';
        continue;
      }
      if (child.nodeType !== 1) continue;
      const tag = child.nodeName.toLowerCase();
      if (SKIP.has(tag) || isPermalink(child)) continue;
      if (isInPageToc(child)) {
        flush();
        // "Table of contents" over nothing but the list: the heading goes with it.
        const last = blocks[blocks.length - 1];
        if (last?.type === 'heading' && last.text === headings[headings.length - 1]?.text) {
          blocks.pop();
          headings.pop();
        }
        continue;
      }
      const heading = HEADING.exec(tag);
      if (heading) {
        flush();
        const text = headingText(child);
        if (!text) continue;
        const level = Number(heading[1]);
        while (headings.length > 0 && headings[headings.length - 1]!.level >= level) headings.pop();
        headings.push({ level, text });
        push({ type: 'heading', text, metadata: { ...path(), level } });
      } else if (tag === 'br') {
        inline += LINE_BREAK;
      } else if (tag === 'img') {
        const alt = meaningfulAlt(child, inLink);
        if (alt) inline += ` ${alt} `;
      } else if (tag === 'pre') {
        flush();
        const code = (child.textContent ?? '').replace(/\r\n?/g, '\n').replace(/^\n+/, '').replace(/\s+$/, '');
        const language = codeLanguage(child);
        if (code) push({ type, text: code, metadata: { ...path(), code: true, ...(language && { language }) } });
      } else if (tag === 'tr') {
        flush();
        const cells = elements(child)
          .filter((c) => /^(td|th)$/i.test(c.nodeName))
          .map((c) => cleanProse(textOf(c)).replace(/\n+/g, ' '))
          .filter((t) => t.length > 0);
        if (cells.length > 0) push({ type, text: cells.join(' | '), metadata: path() });
      } else if (BLOCK.has(tag)) {
        flush();
        walk(child, inLink);
        flush();
      } else {
        walk(child, inLink || tag === 'a'); // inline element: its text joins the current run
      }
    }
  };

  walk(root, false);
  flush();
  return dropEmptyHeadings(blocks);
}

/** Visible text of an element without its permalink marks, images and scripts (for headings and table cells). */
function textOf(node: DomNode): string {
  let out = '';
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === 3) out += child.textContent ?? '';
    else if (child.nodeType === 1) {
      const tag = child.nodeName.toLowerCase();
      if (SKIP.has(tag) || isPermalink(child)) continue;
      if (tag === 'br') out += ' ';
      else out += textOf(child);
    }
  }
  return out;
}

function headingText(node: DomNode): string {
  return cleanProse(textOf(node)).replace(/\n/g, ' ');
}

/** `<a href="#id">¶</a>` and the like: a link to the element's own anchor that shows only a mark. */
function isPermalink(node: DomNode): boolean {
  if (node.nodeName.toLowerCase() !== 'a') return false;
  const cls = attr(node, 'class') ?? '';
  if (/\b(headerlink|hash-link|anchor|anchorjs-link|header-anchor|permalink)\b/.test(cls)) return true;
  const href = attr(node, 'href');
  return href !== null && href.startsWith('#') && PERMALINK_TEXT.test(node.textContent ?? '');
}

/** A list whose every item is only links to anchors of the same page: a table of contents, not content. */
function isInPageToc(node: DomNode): boolean {
  const tag = node.nodeName.toLowerCase();
  if (tag !== 'ul' && tag !== 'ol') return false;
  const items = elements(node).filter((c) => c.nodeName.toLowerCase() === 'li');
  return items.length >= 2 && items.every(onlyAnchorLinks);
}

function onlyAnchorLinks(li: DomNode): boolean {
  let links = 0;
  let other = '';
  const visit = (n: DomNode): boolean => {
    for (const c of Array.from(n.childNodes)) {
      if (c.nodeType === 3) other += c.textContent ?? '';
      if (c.nodeType !== 1) continue;
      const tag = c.nodeName.toLowerCase();
      if (tag === 'a') {
        if (!(attr(c, 'href') ?? '').startsWith('#')) return false;
        links++;
      } else if (tag === 'ul' || tag === 'ol') {
        if (!isInPageToc(c) && !elements(c).every(onlyAnchorLinks)) return false;
      } else if (!visit(c)) return false;
    }
    return true;
  };
  return visit(li) && links > 0 && other.trim() === '';
}

function meaningfulAlt(img: DomNode, inLink: boolean): string | null {
  const alt = (attr(img, 'alt') ?? '').trim();
  if (inLink || !alt || alt.split(/\s+/).length < 3) return null;
  if (BADGE.test(`${attr(img, 'src') ?? ''} ${alt}`)) return null;
  return alt;
}

/** `language-js` / `lang-python` / Sphinx's `highlight-python3` on the <pre>, its <code> or its wrapper. */
function codeLanguage(pre: DomNode): string | undefined {
  const classes = [attr(pre, 'class'), ...elements(pre).map((c) => attr(c, 'class')), pre.parentNode ? attr(pre.parentNode, 'class') : null, pre.parentNode?.parentNode ? attr(pre.parentNode.parentNode, 'class') : null];
  for (const cls of classes) {
    const m = /\b(?:language|lang|highlight)-([A-Za-z][\w+#.-]*)/.exec(cls ?? '');
    if (m && m[1] !== 'none' && m[1] !== 'default' && m[1] !== 'text') return m[1]!.toLowerCase();
  }
  const lang = attr(pre, 'data-language');
  return lang ? lang.toLowerCase() : undefined;
}

/** A heading with nothing under it before the next heading of its level or above says nothing: it goes. */
export function dropEmptyHeadings(blocks: Block[]): Block[] {
  let out = blocks;
  for (;;) {
    const kept = out.filter((b, i) => {
      if (b.type !== 'heading') return true;
      const next = out[i + 1];
      if (!next) return false;
      return next.type !== 'heading' || (next.metadata.level ?? 6) > (b.metadata.level ?? 6);
    });
    if (kept.length === out.length) return kept;
    out = kept;
  }
}
