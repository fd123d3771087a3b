// What to do with one file name: the homework extension allowlist (API.md), how a name inside an archive is
// normalised and checked (no absolute paths, no "..", depth), which folders are vendored, and the language of a
// source file. Pure functions; the archive readers (zip / tar) and unpack.ts share them.
import { InputError } from '../input-error.js';
import { HOMEWORK_EXTENSIONS } from '../../../shared/src/review/extensions.js';

/** API.md "Homework extensions" — the only types accepted as the submitted file itself (shared with the API). */
export { HOMEWORK_EXTENSIONS };

const LANGUAGE: Record<string, string> = {
  md: 'markdown', txt: 'text', py: 'python', js: 'javascript', jsx: 'javascript', ts: 'typescript', tsx: 'typescript',
  java: 'java', kt: 'kotlin', cs: 'csharp', go: 'go', rs: 'rust', php: 'php', rb: 'ruby', c: 'c', h: 'c', cpp: 'cpp',
  hpp: 'cpp', swift: 'swift', dart: 'dart', html: 'html', css: 'css', scss: 'scss', json: 'json', xml: 'xml',
  yaml: 'yaml', yml: 'yaml', toml: 'toml', sql: 'sql', sh: 'shell',
};

/** Folders whose content is never the student's own work. */
export const DEFAULT_SKIP_DIRS = [
  'node_modules', '.git', '__MACOSX', 'venv', '.venv', 'dist', 'build', '__pycache__', '.idea', '.vscode',
  '.pytest_cache', '.mypy_cache', '.tox', '.gradle', '.next',
];

const JUNK_FILES = new Set(['.ds_store', 'thumbs.db', 'desktop.ini']);
const NESTED_ARCHIVES = new Set(['zip', 'gz', 'tgz', 'tar', 'bz2', 'xz', 'zst', '7z', 'rar', 'jar', 'war', 'whl', 'egg', 'apk']);
const BINARY = new Set([
  'png', 'jpg', 'jpeg', 'gif', 'bmp', 'ico', 'webp', 'tif', 'tiff', 'psd', 'heic', 'mp3', 'mp4', 'wav', 'ogg', 'avi',
  'mov', 'mkv', 'webm', 'flac', 'exe', 'dll', 'so', 'dylib', 'o', 'a', 'obj', 'lib', 'class', 'pyc', 'pyo', 'pyd',
  'woff', 'woff2', 'ttf', 'otf', 'eot', 'sqlite', 'sqlite3', 'db', 'bin', 'pptx', 'ppt', 'doc', 'xls', 'xlsx', 'odt',
  'ods', 'odp', 'pkl', 'pickle', 'npy', 'npz', 'h5', 'pt', 'onnx', 'wasm',
]);

export type FileKind = 'text' | 'notebook' | 'document' | 'archive' | 'binary' | 'unknown';

/** Lower-cased extension without the dot; `.tar.gz` → `tar.gz`. Empty when there is none. */
export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1).toLowerCase();
  if (base.endsWith('.tar.gz')) return 'tar.gz';
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1);
}

export function languageOf(name: string): string | undefined {
  return LANGUAGE[extensionOf(name)];
}

export function kindOf(name: string): FileKind {
  const ext = extensionOf(name);
  if (ext === 'ipynb') return 'notebook';
  if (ext === 'docx' || ext === 'pdf') return 'document';
  if (ext === 'tar.gz' || NESTED_ARCHIVES.has(ext)) return 'archive';
  if (ext in LANGUAGE) return 'text';
  if (BINARY.has(ext)) return 'binary';
  return 'unknown';
}

export function isAllowedUpload(filename: string): boolean {
  const ext = extensionOf(filename);
  return ext === 'tar.gz' || (HOMEWORK_EXTENSIONS as readonly string[]).includes(ext);
}

export function isJunkFile(base: string): boolean {
  return JUNK_FILES.has(base.toLowerCase()) || base.startsWith('._');
}

const short = (name: string) => (name.length > 100 ? `${name.slice(0, 97)}...` : name);

/**
 * Splits an archive entry name into safe segments. Backslashes count as separators (Windows zips), `.` and empty
 * segments are dropped. Absolute names, drive letters and `..` are refused: nothing may land outside the root.
 */
export function entrySegments(rawName: string): string[] {
  if (rawName.includes('\0')) throw new InputError('unsafe_archive', 'the archive was refused: an entry name contains a NUL byte');
  const name = rawName.replace(/\\/g, '/');
  if (name.startsWith('/') || /^[a-z]:/i.test(name)) {
    throw new InputError('unsafe_archive', `the archive was refused: entry "${short(rawName)}" has an absolute path`);
  }
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    throw new InputError('unsafe_archive', `the archive was refused: entry "${short(rawName)}" points outside the archive ("..")`);
  }
  return segments;
}

/** The first vendored folder on the path (as `a/node_modules/`), or null. `isDir`: the last segment is a folder. */
export function vendoredPrefix(segments: string[], isDir: boolean, skipDirs: ReadonlySet<string>): string | null {
  const dirs = isDir ? segments.length : segments.length - 1;
  for (let i = 0; i < dirs; i++) {
    if (skipDirs.has(segments[i]!.toLowerCase())) return `${segments.slice(0, i + 1).join('/')}/`;
  }
  return null;
}

export function assertDepth(segments: string[], isDir: boolean, maxDepth: number, rawName: string): void {
  const depth = isDir ? segments.length : segments.length - 1;
  if (depth > maxDepth) {
    throw new InputError(
      'too_deep',
      `the archive was refused: "${short(rawName)}" is nested ${depth} folders deep; at most ${maxDepth} are allowed`,
    );
  }
}
