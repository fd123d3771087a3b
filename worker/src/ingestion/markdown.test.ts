import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractMarkdown, markdownToDocument } from './markdown.js';
import { resolveLimits } from './document.js';
import { makeTmpDir, write } from './fixtures.test-support.js';

const limits = resolveLimits();
let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
beforeAll(async () => {
  tmp = await makeTmpDir();
});
afterAll(() => tmp.cleanup());

const MD = `---
title: "Git basics"
author: someone
---

# Version control

Git records snapshots of a project.

## Branches

A branch is a movable pointer.
It moves with each commit.

\`\`\`bash
# this is a shell comment, not a heading
git switch -c feature
\`\`\`

- create
- merge

Remotes
-------

\`origin\` is the default remote.

# Appendix

See the docs.
`;

describe('extractMarkdown', () => {
  it('turns headings (ATX and setext) into structure and keeps code blocks verbatim', async () => {
    const path = tmp.file('git.md');
    await write(path, MD);
    const doc = await extractMarkdown(path, limits);
    expect(doc.format).toBe('markdown');
    expect(doc.title).toBe('Git basics');
    expect(doc.blocks.map((b) => [b.type, b.text, b.metadata.heading_path])).toEqual([
      ['heading', 'Version control', ['Version control']],
      ['paragraph', 'Git records snapshots of a project.', ['Version control']],
      ['heading', 'Branches', ['Version control', 'Branches']],
      ['paragraph', 'A branch is a movable pointer.\nIt moves with each commit.', ['Version control', 'Branches']],
      ['paragraph', '```bash\n# this is a shell comment, not a heading\ngit switch -c feature\n```', ['Version control', 'Branches']],
      ['paragraph', '- create\n- merge', ['Version control', 'Branches']],
      ['heading', 'Remotes', ['Version control', 'Remotes']],
      ['paragraph', '`origin` is the default remote.', ['Version control', 'Remotes']],
      ['heading', 'Appendix', ['Appendix']],
      ['paragraph', 'See the docs.', ['Appendix']],
    ]);
    expect(doc.stats.blocks).toBe(10);
  });

  it('uses the first heading as title without front matter, and handles CRLF and a BOM', () => {
    const doc = markdownToDocument('\ufeff# Title here\r\n\r\nBody text.\r\n', limits);
    expect(doc.title).toBe('Title here');
    expect(doc.blocks.map((b) => b.text)).toEqual(['Title here', 'Body text.']);
  });

  it('lexes a large single-line file quickly', () => {
    const line = 'word '.repeat(400_000); // 2 MB, one line
    const started = performance.now();
    const doc = markdownToDocument(line, limits);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(doc.blocks).toHaveLength(1);
    expect(doc.stats.characters).toBe(line.trim().length);
  });
});
