// Markdown → blocks through HTML: marked renders the document (CommonMark + GFM, reference links resolved,
// raw inline HTML such as <picture>, <img> or <p align="center"> passed through), and the rendered HTML is read
// like any page (html-blocks.ts): headings structure it, links keep their text without the URL, images and
// badges go, entities and backslash escapes are decoded, code blocks stay verbatim and are marked as code.
// YAML front matter is dropped; its `title:` becomes the document title, else the first level-1 heading.
import { Marked } from 'marked';
import { readTextFile } from './text-input.js';
import { buildDocument, CharBudget, type ExtractedDocument, type ExtractionLimits } from './document.js';
import { htmlFragmentToBlocks } from './html-blocks.js';

export async function extractMarkdown(path: string, limits: ExtractionLimits): Promise<ExtractedDocument> {
  const text = await readTextFile(path, { maxChars: limits.maxChars, kind: 'Markdown' });
  return markdownToDocument(text, limits);
}

export function markdownToDocument(source: string, limits: ExtractionLimits): ExtractedDocument {
  const { body, title: frontTitle } = splitFrontMatter(source.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n'));
  const html = new Marked({ gfm: true, async: false }).parse(body) as string;
  const blocks = htmlFragmentToBlocks(html, 'paragraph', new CharBudget(limits.maxChars));
  const firstH1 = blocks.find((b) => b.type === 'heading' && b.metadata.level === 1)?.text ?? null;
  return buildDocument('markdown', frontTitle ?? firstH1, blocks, limits);
}

function splitFrontMatter(text: string): { body: string; title: string | null } {
  const m = /^---\n([\s\S]*?)\n(?:---|\.\.\.)\n/.exec(text);
  if (!m) return { body: text, title: null };
  const titleLine = /^title:\s*(.+)$/m.exec(m[1]!);
  const title = titleLine ? titleLine[1]!.trim().replace(/^["']|["']$/g, '') || null : null;
  return { body: text.slice(m[0].length), title };
}
