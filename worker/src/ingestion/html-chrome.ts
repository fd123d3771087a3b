// What a documentation page wraps around its content, and where the content is. Generators mark both: Sphinx
// (sidebar, "related" previous/next bars, footer, role=main), MkDocs (md-header/sidebar/footer), Docusaurus
// (breadcrumbs, pagination, table of contents), DocBook XSL (navheader/navfooter, the chapter's toc),
// GitHub-style pages (<nav>, <header>, <footer>). Removing the chrome before reading keeps its "Next",
// "Previous", "Table of Contents" and search boxes out of every chunk.

interface El {
  remove(): void;
  closest(selector: string): El | null;
  textContent: string | null;
}
interface Doc {
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
}

const CHROME = [
  'nav', 'aside', '[role="navigation"]', '[role="banner"]', '[role="contentinfo"]', '[role="search"]', '[role="complementary"]',
  // Sphinx (classic, alabaster, python-docs-theme, Read the Docs, Furo)
  '.sphinxsidebar', '.related', '.footer', '.mobile-nav', '.headerlink', '.rst-footer-buttons', '.wy-nav-side',
  '.wy-breadcrumbs', '.prev-next-area', '.contents.local', '.topic.contents', '.related-pages', '.toc-drawer',
  // MkDocs (Material and the default theme)
  '.md-header', '.md-sidebar', '.md-footer', '.md-source-file', '.md-content__button',
  // Docusaurus
  '.pagination-nav', '.theme-doc-breadcrumbs', '.theme-doc-footer', '.theme-doc-toc-mobile', '.theme-doc-toc-desktop', '.hash-link',
  // DocBook XSL
  '.navheader', '.navfooter', '.toc', '.list-of-tables', '.list-of-figures', '.list-of-examples',
  // generic
  '.breadcrumb', '.breadcrumbs', '.skip-link', '.edit-this-page', '.table-of-contents',
].join(', ');

const MAIN = [
  '[role="main"]',
  'main',
  'div.chapter, div.appendix, div.preface, div.article, div.book, div.part, div.reference, div.refentry, div.glossary, div.sect1, div.section',
  'article',
];

export function removeChrome(document: Doc): void {
  for (const el of Array.from(document.querySelectorAll(CHROME))) el.remove();
  // A page's <header>/<footer> is chrome; inside an article or <main> it holds the title or the notes.
  for (const el of Array.from(document.querySelectorAll('header, footer'))) if (!el.closest('article, main, [role="main"]')) el.remove();
}

/** The element a generator marks as the page's content, outermost first; null when the page marks none. */
export function mainContent(document: Doc): El | null {
  for (const selector of MAIN) {
    const el = document.querySelector(selector);
    if (el && (el.textContent ?? '').trim()) return el;
  }
  return null;
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

/**
 * XHTML read as HTML: the XML prolog goes, and `<a id="x"/>` (self-closing, fine in XML) becomes `<a id="x"></a>`
 * — an HTML parser would otherwise leave it open and wrap the rest of the section in it.
 */
export function xhtmlAsHtml(html: string): string {
  const head = html.slice(0, 2048);
  if (!/^\s*<\?xml|<!DOCTYPE\s+html\s+PUBLIC\s+"-\/\/W3C\/\/DTD XHTML|xmlns\s*=\s*["']http:\/\/www\.w3\.org\/1999\/xhtml/i.test(head)) return html;
  return html
    .replace(/^\s*<\?xml[^>]*\?>/i, '')
    .replace(/<([A-Za-z][\w:-]*)((?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))?)*)\s*\/>/g, (whole, tag: string, attrs: string) =>
      VOID.has(tag.toLowerCase()) ? whole : `<${tag}${attrs}></${tag}>`,
    );
}
