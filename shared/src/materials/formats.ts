// Accepted material formats (API.md "Materials"): the one table of file extensions. The API reads it to accept an
// upload (source type, content check, stored Content-Type); the worker reads it to pick the extractor, so a file
// the API accepts is one the worker can read, and nothing else.
export const SOURCE_TYPES = ['video', 'presentation', 'text', 'web'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

/** The extractor a file goes to (worker/src/ingestion/extract.ts); `video` covers audio/video to transcribe. */
export type DocumentFormat = 'pdf' | 'pptx' | 'docx' | 'html' | 'markdown' | 'text' | 'subtitles' | 'video';

export interface FileFormat {
  /** The material source type an upload of this extension must declare. */
  sourceType: Exclude<SourceType, 'web'>;
  format: DocumentFormat;
  /** Content-Type stored with the object. */
  contentType: string;
  /**
   * What the first bytes must sniff as (file-type). `textual` formats have no magic number: they pass when the
   * bytes sniff as none of the known types or as one listed in `mimes`, and contain no NUL byte.
   */
  mimes: readonly string[];
  textual?: boolean;
  /** XHTML is XML: bytes that sniff as XML pass when the document element is `<html>` (see isXhtml). */
  xhtml?: boolean;
}

const text = (format: DocumentFormat, contentType: string, extra: Partial<FileFormat> = {}): FileFormat => ({
  sourceType: 'text',
  format,
  contentType,
  mimes: [],
  textual: true,
  ...extra,
});
const html = text('html', 'text/html', { xhtml: true });

export const FILE_FORMATS: Readonly<Record<string, FileFormat>> = {
  mp4: { sourceType: 'video', format: 'video', contentType: 'video/mp4', mimes: ['video/mp4', 'video/quicktime', 'video/x-m4v', 'audio/mp4'] },
  webm: { sourceType: 'video', format: 'video', contentType: 'video/webm', mimes: ['video/webm', 'audio/webm'] },
  mkv: { sourceType: 'video', format: 'video', contentType: 'video/x-matroska', mimes: ['video/x-matroska', 'video/webm'] },
  avi: { sourceType: 'video', format: 'video', contentType: 'video/x-msvideo', mimes: ['video/vnd.avi', 'video/x-msvideo', 'video/avi'] },
  // Transcripts of a video: file-type recognises the WEBVTT header.
  vtt: { sourceType: 'video', format: 'subtitles', contentType: 'text/vtt', mimes: ['text/vtt'], textual: true },
  srt: { sourceType: 'video', format: 'subtitles', contentType: 'application/x-subrip', mimes: [], textual: true },
  pdf: { sourceType: 'presentation', format: 'pdf', contentType: 'application/pdf', mimes: ['application/pdf'] },
  // zip-based office formats sniff as zip (file-type may also name them exactly).
  pptx: {
    sourceType: 'presentation',
    format: 'pptx',
    contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    mimes: ['application/zip', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
  },
  md: text('markdown', 'text/markdown'),
  markdown: text('markdown', 'text/markdown'),
  txt: text('text', 'text/plain'),
  html,
  htm: html,
  xhtml: { ...html, contentType: 'application/xhtml+xml' },
  docx: {
    sourceType: 'text',
    format: 'docx',
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    mimes: ['application/zip', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  },
};

export const extensionOf = (filename: string): string => {
  const m = /\.([A-Za-z0-9]+)$/.exec(filename);
  return m ? (m[1] as string).toLowerCase() : '';
};

/** The table's entry for a file name's extension (case-insensitive), if it is an accepted format. */
export const fileFormatOf = (filename: string): FileFormat | undefined => FILE_FORMATS[extensionOf(filename)];

export function allowedExtensions(type: SourceType): readonly string[] {
  return Object.entries(FILE_FORMATS)
    .filter(([, f]) => f.sourceType === type)
    .map(([ext]) => ext);
}

/**
 * Does the start of an XML document have `<html>` as its document element (XHTML)? After an optional BOM, the
 * XML declaration, comments, processing instructions and the doctype. file-type names every XML document
 * `application/xml` and no library we use tells XHTML from other XML on a partial head, hence this check; it
 * reads only the prolog, so it works on the first few KiB of an upload.
 */
export function isXhtml(head: string): boolean {
  const prolog = /^\uFEFF?(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE\s+html\b[^>]*>)*/i.exec(head)?.[0] ?? '';
  return /^<(?:[A-Za-z_][\w.-]*:)?html[\s/>]/.test(head.slice(prolog.length));
}
