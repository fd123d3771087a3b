// Hand-written vector queries live in prisma/sql (DESIGN.md §4); they are read once, from the project root
// found by walking up to package.json (works from the sources and from the compiled dist/ tree).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;
function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'prisma', 'sql'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('prisma/sql not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  root = dir;
  return dir;
}

const cache = new Map<string, string>();
export function sqlFile(name: string): string {
  let text = cache.get(name);
  if (!text) {
    text = readFileSync(join(projectRoot(), 'prisma', 'sql', name), 'utf8');
    cache.set(name, text);
  }
  return text;
}
