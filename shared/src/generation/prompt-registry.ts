// Versioned prompt files (shared/src/generation/prompts/<name>.v<N>.md), loaded by reference ("structure.v1").
// A prompt file is never edited once a snapshot records it: change the text → add <name>.v<N+1>.md and point
// the caller at it, so every snapshot's `service_call.prompt_ref` names the exact text that produced it.
// The files sit next to this module; a build that compiles to dist/ must copy the prompts/ folder alongside.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

export interface Prompt {
  /** "structure.v1" */
  ref: string;
  name: string;
  version: number;
  text: string;
  /** Hex SHA-256 of the text (to tell two deployments' prompts apart). */
  sha256: string;
}

const REF_RE = /^([a-z][a-z0-9-]{0,40})\.v([1-9][0-9]{0,3})$/;
const PROMPTS_DIR = new URL('./prompts/', import.meta.url);
const cache = new Map<string, Prompt>();

export function parsePromptRef(ref: string): { name: string; version: number } {
  const m = REF_RE.exec(ref);
  if (!m) throw new TypeError(`invalid prompt reference "${ref}" (expected e.g. "structure.v1")`);
  return { name: m[1]!, version: Number(m[2]) };
}

export const promptRef = (name: string, version: number): string => {
  const ref = `${name}.v${version}`;
  parsePromptRef(ref);
  return ref;
};

/** Loads (and caches) a prompt by reference or by name + version. Throws when the file does not exist. */
export function loadPrompt(refOrName: string, version?: number): Prompt {
  const ref = version === undefined ? refOrName : promptRef(refOrName, version);
  const cached = cache.get(ref);
  if (cached) return cached;
  const parsed = parsePromptRef(ref);
  let text: string;
  try {
    text = readFileSync(new URL(`${ref}.md`, PROMPTS_DIR), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`prompt "${ref}" not found in ${PROMPTS_DIR.pathname}`, { cause: e });
    throw e;
  }
  text = text.replace(/\r\n?/g, '\n').trim();
  const prompt: Prompt = { ref, ...parsed, text, sha256: createHash('sha256').update(text, 'utf8').digest('hex') };
  cache.set(ref, prompt);
  return prompt;
}

/** Every prompt file present, sorted by name then version. */
export function listPrompts(): { ref: string; name: string; version: number }[] {
  return readdirSync(PROMPTS_DIR)
    .filter((f) => f.endsWith('.md'))
    .map((f) => f.slice(0, -3))
    .filter((ref) => REF_RE.test(ref))
    .map((ref) => ({ ref, ...parsePromptRef(ref) }))
    .sort((a, b) => (a.name === b.name ? a.version - b.version : a.name < b.name ? -1 : 1));
}

/** The highest version of a prompt present, e.g. latestPromptRef("structure") → "structure.v1". */
export function latestPromptRef(name: string): string {
  const versions = listPrompts().filter((p) => p.name === name);
  if (versions.length === 0) throw new Error(`no prompt named "${name}"`);
  return versions[versions.length - 1]!.ref;
}
