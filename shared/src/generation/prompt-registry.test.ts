import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { latestPromptRef, listPrompts, loadPrompt, parsePromptRef } from './prompt-registry.js';

describe('prompt registry', () => {
  it('loads versioned prompt files by reference or name + version', () => {
    const p = loadPrompt('structure.v1');
    expect(p).toMatchObject({ ref: 'structure.v1', name: 'structure', version: 1 });
    expect(p.text).toBe(readFileSync(new URL('./prompts/structure.v1.md', import.meta.url), 'utf8').trim());
    expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(loadPrompt('reconcile', 1).ref).toBe('reconcile.v1');
    expect(listPrompts().map((x) => x.ref)).toEqual(expect.arrayContaining(['structure.v1', 'reconcile.v1', 'refine.v1', 'review.v1']));
    expect(latestPromptRef('refine')).toBe('refine.v1');
  });

  it('rejects malformed references and missing prompts', () => {
    expect(() => parsePromptRef('../../etc/passwd.v1')).toThrow(/invalid prompt reference/);
    expect(() => loadPrompt('structure')).toThrow(/invalid prompt reference/);
    expect(() => loadPrompt('structure.v0')).toThrow(/invalid prompt reference/);
    expect(() => loadPrompt('structure.v99')).toThrow(/not found/);
    expect(() => latestPromptRef('nope')).toThrow(/no prompt/);
  });
});
