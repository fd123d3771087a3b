// Plain text → paragraph blocks split at blank lines. Decoding and caps in text-input.ts.
import { readTextFile } from './text-input.js';
import { buildDocument, normalizeText, type Block, type ExtractedDocument, type ExtractionLimits } from './document.js';

export async function extractTxt(path: string, limits: ExtractionLimits): Promise<ExtractedDocument> {
  const text = await readTextFile(path, { maxChars: limits.maxChars, kind: 'text' });
  return textToDocument(text, limits);
}

export function textToDocument(text: string, limits: ExtractionLimits): ExtractedDocument {
  const blocks: Block[] = text
    .replace(/^\ufeff/, '')
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((para) => normalizeText(para))
    .filter((para) => para.length > 0)
    .map((para) => ({ type: 'paragraph', text: para, metadata: {} }));
  return buildDocument('text', null, blocks, limits);
}
