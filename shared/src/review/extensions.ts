// API.md "Homework extensions": the only file types accepted as a submitted homework file. One list for the API
// (422 at submit) and the worker's unpacker (entry-policy.ts), so the two cannot disagree.

export const HOMEWORK_EXTENSIONS = [
  'md', 'txt', 'py', 'ipynb', 'js', 'ts', 'jsx', 'tsx', 'java', 'kt', 'cs', 'go', 'rs', 'php', 'rb', 'c', 'h', 'cpp',
  'hpp', 'swift', 'dart', 'html', 'css', 'scss', 'json', 'xml', 'yaml', 'yml', 'toml', 'sql', 'sh', 'zip', 'gz', 'tgz',
  'docx', 'pdf',
] as const;

export type HomeworkExtension = (typeof HOMEWORK_EXTENSIONS)[number] | 'tar.gz';

/** What a submitted file is, as far as the upload checks care: its bytes are sniffed accordingly. */
export type HomeworkFileKind = 'text' | 'zip' | 'gzip' | 'docx' | 'pdf';

/** Lower-cased extension of a file name without the dot; `.tar.gz` → `tar.gz`; '' when there is none. */
export function homeworkExtensionOf(name: string): string {
  const base = name.replace(/\\/g, '/').slice(name.replace(/\\/g, '/').lastIndexOf('/') + 1).toLowerCase();
  if (base.endsWith('.tar.gz')) return 'tar.gz';
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1);
}

export function isHomeworkExtension(ext: string): ext is HomeworkExtension {
  return ext === 'tar.gz' || (HOMEWORK_EXTENSIONS as readonly string[]).includes(ext);
}

export function homeworkFileKind(ext: HomeworkExtension): HomeworkFileKind {
  if (ext === 'zip') return 'zip';
  if (ext === 'gz' || ext === 'tgz' || ext === 'tar.gz') return 'gzip';
  if (ext === 'docx') return 'docx';
  if (ext === 'pdf') return 'pdf';
  return 'text';
}
