// Accepted material formats (API.md "Materials"). Shared by the API (validation) and the worker (dispatch).
export const SOURCE_TYPES = ['video', 'presentation', 'text', 'web'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export const EXTENSIONS: Record<Exclude<SourceType, 'web'>, readonly string[]> = {
  video: ['mp4', 'webm', 'mkv', 'avi', 'vtt', 'srt'],
  presentation: ['pdf', 'pptx'],
  text: ['md', 'markdown', 'txt', 'html', 'htm', 'docx'],
};

export const extensionOf = (filename: string): string => {
  const m = /\.([A-Za-z0-9]+)$/.exec(filename);
  return m ? (m[1] as string).toLowerCase() : '';
};

export function allowedExtensions(type: SourceType): readonly string[] {
  return type === 'web' ? [] : EXTENSIONS[type];
}

/**
 * What the bytes must look like for an extension. `text` formats have no magic number, so they are checked as
 * "not a known binary type" (or one of the textual types listed); zip-based office formats sniff as zip (file-type may also name them exactly).
 */
export const EXPECTED_MIME: Record<string, { mimes: string[]; textual?: boolean }> = {
  mp4: { mimes: ['video/mp4', 'video/quicktime', 'video/x-m4v', 'audio/mp4'] },
  webm: { mimes: ['video/webm', 'audio/webm'] },
  mkv: { mimes: ['video/x-matroska', 'video/webm'] },
  avi: { mimes: ['video/vnd.avi', 'video/x-msvideo', 'video/avi'] },
  pdf: { mimes: ['application/pdf'] },
  pptx: { mimes: ['application/zip', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'] },
  docx: { mimes: ['application/zip', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'] },
  md: { mimes: [], textual: true },
  markdown: { mimes: [], textual: true },
  txt: { mimes: [], textual: true },
  html: { mimes: [], textual: true },
  htm: { mimes: [], textual: true },
  vtt: { mimes: ['text/vtt'], textual: true }, // file-type recognises the WEBVTT header
  srt: { mimes: [], textual: true },
};

export const CONTENT_TYPES: Record<string, string> = {
  mp4: 'video/mp4',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  avi: 'video/x-msvideo',
  vtt: 'text/vtt',
  srt: 'application/x-subrip',
  pdf: 'application/pdf',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  md: 'text/markdown',
  markdown: 'text/markdown',
  txt: 'text/plain',
  html: 'text/html',
  htm: 'text/html',
};
