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
  it('turns headings (ATX and setext) into structure, reads prose as rendered and keeps code blocks verbatim', async () => {
    const path = tmp.file('git.md');
    await write(path, MD);
    const doc = await extractMarkdown(path, limits);
    expect(doc.format).toBe('markdown');
    expect(doc.title).toBe('Git basics');
    expect(doc.blocks.map((b) => [b.type, b.text, b.metadata.heading_path])).toEqual([
      ['heading', 'Version control', ['Version control']],
      ['paragraph', 'Git records snapshots of a project.', ['Version control']],
      ['heading', 'Branches', ['Version control', 'Branches']],
      ['paragraph', 'A branch is a movable pointer. It moves with each commit.', ['Version control', 'Branches']],
      ['paragraph', '# this is a shell comment, not a heading\ngit switch -c feature', ['Version control', 'Branches']],
      ['paragraph', 'create', ['Version control', 'Branches']],
      ['paragraph', 'merge', ['Version control', 'Branches']],
      ['heading', 'Remotes', ['Version control', 'Remotes']],
      ['paragraph', 'origin is the default remote.', ['Version control', 'Remotes']],
      ['heading', 'Appendix', ['Appendix']],
      ['paragraph', 'See the docs.', ['Appendix']],
    ]);
    expect(doc.blocks[4]!.metadata).toMatchObject({ code: true, language: 'bash' });
    expect(doc.stats.blocks).toBe(11);
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

  it('drops badges, images and link URLs, resolves reference links, reads raw HTML as HTML and decodes entities', () => {
    const md = [
      '<a href="https://example.org/"><picture><source media="(prefers-color-scheme: dark)" srcset="https://example.org/w.svg">',
      '<img alt="Example Logo" src="https://example.org/b.svg" width="280"></picture></a>',
      '',
      '<p align="center">A <b>tiny</b> queue &amp; scheduler.</p>',
      '',
      '[![NPM Version][npm-version-image]][npm-url] [![Coverage][cov-image]][cov-url]',
      '',
      '## Contents',
      '',
      '- [Docs](#docs--community)',
      '- [Usage](#usage)',
      '',
      '## Docs \\& Community',
      '',
      'Read the [guide](https://example.org/guide "Guide") or [the API][api]; see <https://example.org/x> and [broken][nowhere].',
      '',
      '![A diagram of the job flow from producer to worker](flow.png)',
      '',
      '    indented code',
      '      keeps its indentation',
      '',
      '[npm-version-image]: https://badgen.net/npm/v/x',
      '[npm-url]: https://npmjs.org/package/x',
      '[cov-image]: https://badgen.net/coveralls/c/x',
      '[cov-url]: https://coveralls.io/r/x',
      '[api]: https://example.org/api',
    ].join('\n');
    const doc = markdownToDocument(md, limits);
    expect(doc.blocks.map((b) => b.text)).toEqual([
      'A tiny queue & scheduler.',
      'Docs & Community',
      'Read the guide or the API; see and broken.',
      'A diagram of the job flow from producer to worker',
      'indented code\n  keeps its indentation',
    ]);
    expect(doc.blocks[4]!.metadata.code).toBe(true);
    expect(doc.blocks[2]!.metadata.heading_path).toEqual(['Docs & Community']); // the in-page table of contents and its heading are gone
  });

  it('changes nothing else of the prose: calls, operators and punctuation stay as written', () => {
    const doc = markdownToDocument('Call `list()` or `f(x) <> g` , then see (https://example.org/x) and the rest : done.', limits);
    expect(doc.blocks.map((b) => b.text)).toEqual(['Call list() or f(x) <> g , then see and the rest : done.']);
  });
});

