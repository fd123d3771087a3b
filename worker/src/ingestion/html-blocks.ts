// Walks an HTML DOM (linkedom) into blocks: h1–h6 become heading blocks and set the heading path; paragraphs,
// list items, preformatted text and table rows become text blocks of the caller's type. Script, style and other
// non-content elements are dropped. Used for DOCX (mammoth's HTML) and web pages (Readability's article).
import { parseHTML } from 'linkedom';
import { normalizeText, type Block, type BlockType, type CharBudget } from './document.js';

const SKIP = new Set([
  'script', 'style', 'noscript', 'template', 'svg', 'math', 'canvas', 'iframe', 'object', 'embed',
  'head', 'link', 'meta', 'button', 'input', 'select', 'textarea', 'form', 'nav',
]);
const BLOCK = new Set([
  'p', 'div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'blockquote', 'figure', 'figcaption',
  'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'table', 'thead', 'tbody', 'tfoot', 'caption', 'address', 'details',
  'summary', 'hr', 'body', 'html',
]);
const HEADING = /^h([1-6])$/;

// linkedom's node types are structural; these narrow interfaces are all the walker needs.
interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}

export function htmlFragmentToBlocks(html: string, type: BlockType, budget: CharBudget): Block[] {
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  return domToBlocks(document.body as unknown as DomNode, type, budget);
}

export function domToBlocks(root: DomNode, type: BlockType, budget: CharBudget): Block[] {
  const blocks: Block[] = [];
  const headings: { level: number; text: string }[] = [];
  let inline = '';

  const path = () => (headings.length > 0 ? { heading_path: headings.map((h) => h.text) } : {});
  const emit = (raw: string, preformatted = false) => {
    const text = preformatted ? raw.replace(/\r\n?/g, '\n').replace(/^\n+|\s+$/g, '') : normalizeText(raw);
    if (!text) return;
    budget.add(text.length);
    blocks.push({ type, text, metadata: path() });
  };
  const flush = () => {
    emit(inline);
    inline = '';
  };

  const walk = (node: DomNode): void => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === 3) {
        inline += child.textContent ?? '';
        continue;
      }
      if (child.nodeType !== 1) continue;
      const tag = child.nodeName.toLowerCase();
      if (SKIP.has(tag)) continue;
      const heading = HEADING.exec(tag);
      if (heading) {
        flush();
        const text = normalizeText(child.textContent ?? '').replace(/\n/g, ' ');
        if (!text) continue;
        const level = Number(heading[1]);
        while (headings.length > 0 && headings[headings.length - 1]!.level >= level) headings.pop();
        headings.push({ level, text });
        budget.add(text.length);
        blocks.push({ type: 'heading', text, metadata: { ...path(), level } });
      } else if (tag === 'br') {
        inline += '\n';
      } else if (tag === 'pre') {
        flush();
        emit(child.textContent ?? '', true);
      } else if (tag === 'tr') {
        flush();
        const cells = Array.from(child.childNodes)
          .filter((c) => c.nodeType === 1 && /^(td|th)$/i.test(c.nodeName))
          .map((c) => normalizeText(c.textContent ?? '').replace(/\n+/g, ' '))
          .filter((t) => t.length > 0);
        emit(cells.join(' | '));
      } else if (BLOCK.has(tag)) {
        flush();
        walk(child);
        flush();
      } else {
        walk(child); // inline element: its text joins the current run
      }
    }
  };

  walk(root);
  flush();
  return blocks;
}
