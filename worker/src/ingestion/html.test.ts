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

  it('reads a Sphinx page without permalink marks, sidebar, related bars or footer, code verbatim', () => {
    const page = `<!DOCTYPE html><html lang="en"><head><title>9. Classes — Python docs</title></head><body>
      <div class="related" role="navigation"><ul><li><a href="errors.html">previous</a> |</li><li><a href="index.html">next</a></li></ul></div>
      <div class="document"><div class="documentwrapper"><div class="bodywrapper"><div class="body" role="main">
      <section id="classes"><h1>9. Classes<a class="headerlink" href="#classes" title="Permalink to this heading">¶</a></h1>
      <p>Classes provide a means of bundling data
      and functionality together &mdash; see <a class="reference internal" href="#scopes"><span class="std std-ref">Scopes</span></a>.</p>
      <section id="scopes"><h2>9.2.1. Scopes Example<a class="headerlink" href="#scopes">¶</a></h2>
      <div class="highlight-python3 notranslate"><div class="highlight"><pre><span></span><span class="k">def</span> <span class="nf">scope_test</span><span class="p">():</span>
    <span class="k">def</span> <span class="nf">do_local</span><span class="p">():</span>
        <span class="n">spam</span> <span class="o">=</span> <span class="s2">&quot;local spam&quot;</span>
</pre></div></div></section></section>
      </div></div></div>
      <div class="sphinxsidebar" role="navigation"><h3>Table of Contents</h3><ul><li><a href="#">9. Classes</a></li></ul><h4>Previous topic</h4><p>8. Errors</p></div></div>
      <div class="footer">&copy; Copyright 2001-2023, Python Software Foundation.</div></body></html>`;
    const doc = htmlToDocument(page, limits);
    expect(doc.blocks.map((b) => b.text)).toEqual([
      '9. Classes',
      'Classes provide a means of bundling data and functionality together — see Scopes.',
      '9.2.1. Scopes Example',
      'def scope_test():\n    def do_local():\n        spam = "local spam"',
    ]);
    expect(doc.blocks[3]!.metadata).toEqual({ heading_path: ['9. Classes', '9.2.1. Scopes Example'], code: true, language: 'python3' });
  });

  it('reads a DocBook XHTML chapter (XML prolog, self-closing anchors) without its navigation and chapter toc', () => {
    const page = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Chapter 8. I18N and L10N</title></head><body>
<div class="navheader"><table><tr><th>Chapter 8. I18N and L10N</th></tr><tr><td><a accesskey="p" href="ch07.en.html"><img src="images/prev.png" alt="Prev"/></a></td></tr></table><hr/></div>
<div class="chapter"><div class="titlepage"><div><div><h1 class="title"><a id="_i18n_and_l10n"/>Chapter 8. I18N and L10N</h1></div></div></div>
<div class="toc"><p><b>Table of Contents</b></p><dl class="toc"><dt><span class="section"><a href="ch08.en.html#_the_locale">8.1. The locale</a></span></dt></dl></div>
<p>Multilingualization is done in 2 steps.</p>
<div class="section"><div class="titlepage"><div><div><h2 class="title"><a id="_the_locale"/>8.1. The locale</h2></div></div></div>
<p>You need to configure it as:</p><pre class="screen"># dpkg-reconfigure locales
  $ locale -a</pre></div></div>
<div class="navfooter"><hr/><table><tr><td><a accesskey="p" href="ch07.en.html">Prev</a></td><td><a accesskey="h" href="index.en.html">Home</a></td></tr></table></div>
</body></html>`;
    const doc = htmlToDocument(page, limits);
    expect(doc.title).toBe('Chapter 8. I18N and L10N');
    expect(doc.blocks.map((b) => [b.text, b.metadata.heading_path])).toEqual([
      ['Chapter 8. I18N and L10N', ['Chapter 8. I18N and L10N']],
      ['Multilingualization is done in 2 steps.', ['Chapter 8. I18N and L10N']],
      ['8.1. The locale', ['Chapter 8. I18N and L10N', '8.1. The locale']],
      ['You need to configure it as:', ['Chapter 8. I18N and L10N', '8.1. The locale']],
      ['# dpkg-reconfigure locales\n  $ locale -a', ['Chapter 8. I18N and L10N', '8.1. The locale']],
    ]);
  });

  it('reads MkDocs and Docusaurus pages without their header, sidebars, breadcrumbs, anchors and previous/next', () => {
    const mkdocs = `<!doctype html><html><head><title>Setup - MyLib</title></head><body>
      <header class="md-header"><nav><a href="/">MyLib</a></nav><form class="md-search">Search</form></header>
      <div class="md-container"><main class="md-main"><div class="md-sidebar md-sidebar--primary"><nav class="md-nav">Home Setup Usage</nav></div>
      <div class="md-content"><article class="md-content__inner md-typeset">
      <h1 id="setup">Setup<a class="headerlink" href="#setup" title="Permanent link">¶</a></h1>
      <p>Install the package with pip and import it.</p>
      <h2 id="config">Configuration<a class="headerlink" href="#config">#</a></h2><p>Settings live in <code>mylib.toml</code>.</p>
      </article></div></main>
      <footer class="md-footer"><nav class="md-footer__inner"><a href="/">Previous Home</a><a href="/usage">Next Usage</a></nav></footer></div></body></html>`;
    expect(htmlToDocument(mkdocs, limits).blocks.map((b) => b.text)).toEqual(['Setup', 'Install the package with pip and import it.', 'Configuration', 'Settings live in mylib.toml.']);

    const docusaurus = `<!doctype html><html><head><title>Queues | Docs</title></head><body>
      <nav class="navbar">Docs Blog GitHub</nav><div class="main-wrapper"><aside class="theme-doc-sidebar-container">Intro Queues Workers</aside>
      <main><div class="row"><div class="col"><article><nav class="theme-doc-breadcrumbs" aria-label="Breadcrumbs"><ul><li>Home</li><li>Guide</li></ul></nav>
      <div class="theme-doc-markdown markdown"><header><h1>Queues</h1></header>
      <p>A queue holds jobs until a worker takes them.</p>
      <h2 id="retries" class="anchor">Retries<a href="#retries" class="hash-link" aria-label="Direct link to Retries">\u200b</a></h2><p>Failed jobs are retried with backoff.</p></div>
      <footer class="theme-doc-footer"><a href="https://github.com/x/edit">Edit this page</a></footer></article>
      <nav class="pagination-nav"><a href="/intro">Previous « Intro</a><a href="/workers">Next Workers »</a></nav></div>
      <div class="col col--3"><div class="theme-doc-toc-desktop"><ul class="table-of-contents"><li><a href="#retries">Retries</a></li></ul></div></div></div></main></div>
      <footer class="footer">Copyright © 2024</footer></body></html>`;
    const doc = htmlToDocument(docusaurus, limits);
    expect(doc.blocks.map((b) => [b.text, b.metadata.heading_path])).toEqual([
      ['Queues', ['Queues']],
      ['A queue holds jobs until a worker takes them.', ['Queues']],
      ['Retries', ['Queues', 'Retries']],
      ['Failed jobs are retried with backoff.', ['Queues', 'Retries']],
    ]);
  });
});

