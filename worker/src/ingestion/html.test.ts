import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractHtml, htmlBytesToDocument, htmlToDocument, sniffMetaCharset } from './html.js';
import { resolveLimits } from './document.js';
import { InputError } from '../input-error.js';
import { makeTmpDir, write } from './fixtures.test-support.js';

const limits = resolveLimits();
let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
beforeAll(async () => {
  tmp = await makeTmpDir();
});
afterAll(() => tmp.cleanup());

const sentence = (topic: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${topic} detail number ${i + 1} explains how the idea works in practice.`).join(' ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Recursion explained | Example Course</title>
  <style>body { font-family: sans-serif } .secret-style { color: red }</style>
  <script>window.trackingSecret = "do-not-index"; console.log("script text")</script>
</head>
<body>
  <header><a href="/">Example Course</a> <span>Sign in</span></header>
  <nav><ul><li><a href="/a">Home navigation link</a></li><li><a href="/b">Pricing navigation link</a></li></ul></nav>
  <main>
    <article>
      <h1>Recursion explained</h1>
      <p>${sentence('Recursion', 4)}</p>
      <h2>Base case</h2>
      <p>${sentence('The base case', 3)}</p>
      <script>var inlineScriptSecret = 1;</script>
      <h2>Recursive step</h2>
      <p>${sentence('The recursive step', 3)}</p>
      <ul><li>Factorial is a classic example.</li><li>Tree traversal is another.</li></ul>
      <pre><code>def fact(n):
    return 1 if n == 0 else n * fact(n - 1)</code></pre>
    </article>
  </main>
  <aside>Advertisement: buy our sidebar product now</aside>
  <footer>Copyright footer text 2024</footer>
  <noscript>Please enable JavaScript noscript text</noscript>
</body>
</html>`;

describe('extractHtml', () => {
  it('keeps the main content with headings and drops scripts, styles, navigation and chrome', async () => {
    const path = tmp.file('page.html');
    await write(path, PAGE);
    const doc = await extractHtml(path, limits);
    const all = doc.blocks.map((b) => b.text).join('\n');

    expect(doc.format).toBe('html');
    expect(doc.title).toBe('Recursion explained | Example Course');
    expect(doc.stats.language).toBe('en');
    expect(all).toContain('Recursion detail number 1 explains');
    expect(all).toContain('Factorial is a classic example.');
    expect(all).toContain('return 1 if n == 0 else n * fact(n - 1)');
    for (const noise of ['trackingSecret', 'inlineScriptSecret', 'secret-style', 'navigation link', 'Advertisement', 'Copyright footer', 'noscript text', 'Sign in']) {
      expect(all).not.toContain(noise);
    }
    const base = doc.blocks.find((b) => b.text.startsWith('The base case detail number 1'));
    expect(base?.type).toBe('web_content');
    expect(base?.metadata.heading_path).toEqual(['Recursion explained', 'Base case']);
    const step = doc.blocks.find((b) => b.text.startsWith('The recursive step'));
    expect(step?.metadata.heading_path).toEqual(['Recursion explained', 'Recursive step']);
    expect(doc.blocks.find((b) => b.text.startsWith('Recursion detail number 1'))?.metadata.heading_path).toEqual(['Recursion explained']);
    const headings = doc.blocks.filter((b) => b.type === 'heading').map((b) => b.text);
    expect(headings).toEqual(['Recursion explained', 'Base case', 'Recursive step']);
    // Order is the page's order.
    expect(doc.blocks.indexOf(base!)).toBeLessThan(doc.blocks.indexOf(step!));
  });

  it('falls back to the cleaned body when there is no article-like content', () => {
    const doc = htmlToDocument(
      '<html><head><title>Tiny</title></head><body><nav>Menu item</nav><h1>Short note</h1><p>Just one line.</p><script>x()</script></body></html>',
      limits,
    );
    expect(doc.blocks.map((b) => b.text)).toEqual(['Short note', 'Just one line.']);
    expect(doc.blocks[1]!.metadata.heading_path).toEqual(['Short note']);
  });

  it('decodes by BOM, HTTP charset or <meta charset>, and refuses undeclared non-UTF-8', async () => {
    const latin1 = Buffer.from('<html><head><meta charset="windows-1252"><title>Caf\xe9</title></head><body><p>Cr\xe8me br\xfbl\xe9e recipe.</p></body></html>', 'latin1');
    expect(sniffMetaCharset(latin1)).toBe('windows-1252');
    const doc = await htmlBytesToDocument(latin1, limits);
    expect(doc.title).toBe('Café');
    expect(doc.blocks.map((b) => b.text)).toContain('Crème brûlée recipe.');

    const undeclared = Buffer.from('<html><body><p>Cr\xe8me</p></body></html>', 'latin1');
    await expect(htmlBytesToDocument(undeclared, limits)).rejects.toThrow(/not valid UTF-8/);
    const viaHttp = await htmlBytesToDocument(undeclared, limits, { charset: 'iso-8859-1' });
    expect(viaHttp.blocks[0]!.text).toBe('Crème');
  });

  it('refuses an empty file and binary data named .html', async () => {
    const empty = tmp.file('empty.html');
    await write(empty, '');
    await expect(extractHtml(empty, limits)).rejects.toThrow('file is empty');
    const png = tmp.file('image.html');
    await write(png, Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64)]));
    const err = await extractHtml(png, limits).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^the HTML file is not text: its content is image\/png/);
  });
});
