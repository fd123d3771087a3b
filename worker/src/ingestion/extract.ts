// One entry for every format: picks the extractor from the source type and the file name's extension, runs it,
// and refuses a document with no text. Runs in-process; the ingest processor should prefer
// extractInSubprocess (extract-subprocess.ts), which runs this same function in a child process.
import { extname } from 'node:path';
import { resolveLimits, type DocumentFormat, type ExtractedDocument, type ExtractionLimits } from './document.js';
import { InputError } from '../input-error.js';
import { extractPdf } from './pdf.js';
import { extractPptx } from './pptx.js';
import { extractDocx } from './docx.js';
import { extractHtml } from './html.js';
import { extractMarkdown } from './markdown.js';
import { extractTxt } from './txt.js';
import { extractSubtitles } from './subtitles.js';
import { extractVideo, type VideoOptions } from './video.js';

export type SourceType = 'file' | 'web';

const BY_EXTENSION: Record<string, DocumentFormat> = {
  '.pdf': 'pdf',
  '.pptx': 'pptx',
  '.docx': 'docx',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.txt': 'text',
  '.text': 'text',
  '.vtt': 'subtitles',
  '.srt': 'subtitles',
  ...Object.fromEntries(
    ['.mp4', '.m4v', '.mov', '.mkv', '.webm', '.avi', '.mpeg', '.mpg', '.mp3', '.m4a', '.wav', '.ogg', '.oga', '.flac', '.aac', '.opus'].map(
      (ext) => [ext, 'video' as const],
    ),
  ),
};

export const SUPPORTED_EXTENSIONS = Object.keys(BY_EXTENSION);

/** The format for a source: web pages are HTML; files go by extension (case-insensitive). */
export function detectFormat(filename: string, sourceType: SourceType = 'file'): DocumentFormat {
  if (sourceType === 'web') return 'html';
  const ext = extname(filename).toLowerCase();
  const format = BY_EXTENSION[ext];
  if (!format) {
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
