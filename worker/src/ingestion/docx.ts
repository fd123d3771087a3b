// DOCX → blocks via mammoth (Word styles "Heading 1…6" → h1…h6 → heading blocks and heading paths).
// The zip is checked first (zip-reader.ts) and mammoth never sees the original archive: only the XML and
// relationship parts, inflated through the size-checked reader, are repacked (stored, uncompressed) into a
// new in-memory zip. Media is left out, so images are never inflated, and a lying zip header cannot make
// mammoth's own unzip inflate more than was already verified.
import mammoth from 'mammoth';
import yazl from 'yazl';
import { openSafeZip, type SafeZip } from './zip-reader.js';
import { htmlFragmentToBlocks } from './html-blocks.js';
import { buildDocument, CharBudget, type ExtractedDocument, type ExtractionLimits } from './document.js';
import { InputError } from '../input-error.js';
import { childrenOf, findFirst, parseXml, textOf } from './ooxml.js';

const XML_PART = /(\.xml|\.rels)$/i;

export async function extractDocx(path: string, limits: ExtractionLimits): Promise<ExtractedDocument> {
  const zip = await openSafeZip(path, limits, 'DOCX');
  let repacked: Buffer;
  let coreXml: string | null;
  try {
    if (!zip.has('word/document.xml') && !zip.has('[Content_Types].xml')) {
      throw new InputError('corrupt', 'the file is not a valid DOCX document (word/document.xml is missing)');
    }
    repacked = await repackXmlParts(zip);
    coreXml = await zip.readText('docProps/core.xml');
  } finally {
    zip.close();
  }

  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: repacked },
      {
        externalFileAccess: false,
        // Images are not read at all (their parts were not even repacked).
        convertImage: mammoth.images.imgElement(async () => ({ src: '' })),
      },
    );
    html = result.value;
  } catch (err) {
    const why = err instanceof Error && /could not find|not find file/i.test(err.message) ? 'a required part is missing' : 'it could not be parsed';
    throw new InputError('corrupt', `the file is not a valid DOCX document (${why})`);
  }

  const budget = new CharBudget(limits.maxChars);
  const blocks = htmlFragmentToBlocks(html, 'paragraph', budget);
  const firstHeading = blocks.find((b) => b.type === 'heading')?.text ?? null;
  return buildDocument('docx', coreTitle(coreXml) ?? firstHeading, blocks, limits);
}

async function repackXmlParts(zip: SafeZip): Promise<Buffer> {
  const out = new yazl.ZipFile();
  for (const name of zip.entryNames) {
    if (!XML_PART.test(name)) continue;
    const bytes = await zip.readBytes(name);
    if (bytes) out.addBuffer(bytes, name, { compress: false });
  }
  out.end();
  const parts: Buffer[] = [];
  for await (const chunk of out.outputStream as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts);
}

function coreTitle(xml: string | null): string | null {
  if (xml === null) return null;
  const node = findFirst(parseXml(xml, 'docProps/core.xml'), 'title');
  const text = node ? textOf(childrenOf(node)).trim() : '';
  return text || null;
}
