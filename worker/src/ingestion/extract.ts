// One entry for every format: picks the extractor from the source type and the file name's extension, runs it,
// and refuses a document with no text. Runs in-process; the ingest processor should prefer
// extractInSubprocess (extract-subprocess.ts), which runs this same function in a child process.
import { extname } from 'node:path';
import { resolveLimits, type DocumentFormat, type ExtractedDocument, type ExtractionLimits } from './document.js';
import { InputError } from '../input-error.js';
import { FILE_FORMATS, fileFormatOf } from '../../../shared/src/materials/formats.js';
import { extractPdf } from './pdf.js';
import { extractPptx } from './pptx.js';
import { extractDocx } from './docx.js';
import { extractHtml } from './html.js';
import { extractMarkdown } from './markdown.js';
import { extractTxt } from './txt.js';
import { extractSubtitles } from './subtitles.js';
import { extractVideo, type VideoOptions } from './video.js';

export type SourceType = 'file' | 'web';

export const SUPPORTED_EXTENSIONS = Object.keys(FILE_FORMATS).map((ext) => `.${ext}`);

/** The format for a source: web pages are HTML; files go by extension (case-insensitive, shared/src/materials/formats.ts). */
export function detectFormat(filename: string, sourceType: SourceType = 'file'): DocumentFormat {
  if (sourceType === 'web') return 'html';
  const format = fileFormatOf(filename)?.format;
  if (!format) {
    const ext = extname(filename).toLowerCase();
    throw new InputError(
      'unsupported_format',
      `unsupported file type "${ext || filename.slice(-20)}"; supported: ${SUPPORTED_EXTENSIONS.join(' ')}`,
    );
  }
  return format;
}

export interface ExtractOptions {
  /** Original file name (for the extension) — the local path is usually a temp file without it. */
  filename: string;
  sourceType?: SourceType;
  /** Overrides the format detected from the name. */
  format?: DocumentFormat;
  limits?: Partial<ExtractionLimits>;
  /** Charset from the HTTP Content-Type of a fetched page. */
  charset?: string;
  /** Video/audio only (not serializable: extractInSubprocess runs video in the calling process). */
  video?: VideoOptions;
}

export async function extractFile(path: string, opts: ExtractOptions): Promise<ExtractedDocument> {
  const format = opts.format ?? detectFormat(opts.filename, opts.sourceType);
  const limits = resolveLimits(opts.limits);
  const doc = await runExtractor(format, path, limits, opts);
  if (doc.blocks.length === 0) throw new InputError('no_text', 'no text could be extracted from the file');
  return doc;
}

function runExtractor(format: DocumentFormat, path: string, limits: ExtractionLimits, opts: ExtractOptions) {
  switch (format) {
    case 'pdf':
      return extractPdf(path, limits);
    case 'pptx':
      return extractPptx(path, limits);
    case 'docx':
      return extractDocx(path, limits);
    case 'html':
      return extractHtml(path, limits, opts.charset ? { charset: opts.charset } : {});
    case 'markdown':
      return extractMarkdown(path, limits);
    case 'text':
      return extractTxt(path, limits);
    case 'subtitles':
      return extractSubtitles(path, limits);
    case 'video':
      return extractVideo(path, limits, opts.video ?? {});
  }
}
