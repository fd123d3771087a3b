// Markdown → heading blocks (ATX and setext, never "#" inside code) and paragraph blocks under them, using
// marked's block lexer (inline syntax is kept verbatim: embeddings do fine with it, and code stays intact).
// YAML front matter is dropped; its `title:` becomes the document title, else the first heading.
import { Lexer, type Token } from 'marked';
import { readTextFile } from './text-input.js';
import { buildDocument, CharBudget, normalizeText, type Block, type ExtractedDocument, type ExtractionLimits } from './document.js';

export async function extractMarkdown(path: string, limits: ExtractionLimits): Promise<ExtractedDocument> {
  const text = await readTextFile(path, { maxChars: limits.maxChars, kind: 'Markdown' });
  return markdownToDocument(text, limits);
}

export function markdownToDocument(source: string, limits: ExtractionLimits): ExtractedDocument {
  const { body, title: frontTitle } = splitFrontMatter(source.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n'));
  // Block-level only: marked's inline pass is not needed and is the slow part on huge single lines.
  const tokens = new Lexer({ gfm: true }).blockTokens(body, []);
  const budget = new CharBudget(limits.maxChars);
  const blocks: Block[] = [];
  const headings: { level: number; text: string }[] = [];
  const path = () => (headings.length > 0 ? { heading_path: headings.map((h) => h.text) } : {});

  const visit = (token: Token) => {
    if (token.type === 'heading') {
      const text = normalizeText(String(token.text ?? '')).replace(/\n/g, ' ');
      if (!text) return;
      const level = Number(token.depth);
      while (headings.length > 0 && headings[headings.length - 1]!.level >= level) headings.pop();
      headings.push({ level, text });
      budget.add(text.length);
      blocks.push({ type: 'heading', text, metadata: { ...path(), level } });
      return;
    }
    if (token.type === 'space' || token.type === 'hr' || token.type === 'def') return;
    // Code keeps its line structure; other blocks are whitespace-normalized.
    const raw = token.type === 'code' ? token.raw.replace(/^\n+|\s+$/g, '') : normalizeText(token.raw);
    if (!raw) return;
    budget.add(raw.length);
    blocks.push({ type: 'paragraph', text: raw, metadata: path() });
  };
  for (const token of tokens) visit(token);

  const firstHeading = blocks.find((b) => b.type === 'heading')?.text ?? null;
  return buildDocument('markdown', frontTitle ?? firstHeading, blocks, limits);
}

function splitFrontMatter(text: string): { body: string; title: string | null } {
  const m = /^---\n([\s\S]*?)\n(?:---|\.\.\.)\n/.exec(text);
  if (!m) return { body: text, title: null };
  const titleLine = /^title:\s*(.+)$/m.exec(m[1]!);
  const title = titleLine ? titleLine[1]!.trim().replace(/^["']|["']$/g, '') || null : null;
  return { body: text.slice(m[0].length), title };
}
