// What in a submitted file is code, and what is only text about code. The local reviewer takes evidence for a
// code criterion from code alone: comments, docstrings and string literals are blanked out (replaced by spaces,
// so columns and line numbers stay those of the original and quotes stay verbatim), the lines of functions whose
// bodies are empty (`pass`, `...`, a docstring, `{}`, `raise NotImplementedError`) give no evidence, and
// constructs a line-based pattern cannot see are named from the syntax tree: lambdas and arrow functions are
// functions that return a value, comprehensions and generator expressions are loops (that build a list / dict),
// `match` / `switch` expressions and ternaries are conditions, `b=1` in a parameter list is a default argument.
//
// Parsing is done by tree-sitter (the WASM grammars VS Code ships in @vscode/tree-sitter-wasm, one runtime for
// all of them). Languages it has no grammar for (Kotlin, Swift, Dart, SQL, YAML, TOML, JSON, HTML/XML) go
// through blankByLexer below: a small hand-written lexer that knows only each family's comment and string
// delimiters — enough to blank them, and no structure (no empty-body or construct detection there).
import { createRequire } from 'node:module';
import type * as TS from '@vscode/tree-sitter-wasm';

export interface CodeLine {
  /** The line with comments and string contents blanked ('' when no code is left). */
  code: string;
  /** Comment, docstring and string text on the line (text, not code). */
  text: string;
  /** Inside a function whose body is empty: no evidence. */
  hollow: boolean;
  /** Idiom names the syntax tree shows on this line (see IDIOMS in code-idioms.ts). */
  constructs: Set<string>;
  hasComment: boolean;
  /** A code-looking line of a prose file (Markdown, a PDF/DOCX report): the reviewer checks it is not a restatement. */
  fromProse?: boolean;
}

/**
 * Prose files (Markdown, text, DOCX/PDF reports) have no syntax to parse, yet often carry the code (a fenced
 * block, a listing in a report). A line there counts as code when it looks like code — a statement keyword at
 * its start, or code punctuation (a call, an assignment, braces, `;`, a trailing `:`); everything else is text.
 */
const CODE_LIKE = /^\s*(?:def|class|return|yield|for|while|if|elif|else|import|from|function|const|let|var|val|fun|func|fn|public|private|static|print|console\.log)\b|\w\s*\(.*\)|[^=!<>]=[^=]|[{};]|:\s*$|=>/;

function proseLine(line: string): CodeLine {
  const code = CODE_LIKE.test(line) ? line : '';
  return { code, text: code ? '' : line, hollow: false, constructs: new Set(), hasComment: false, fromProse: !!code };
}

const require = createRequire(import.meta.url);
const GRAMMAR: Record<string, string> = {
  python: 'python', javascript: 'javascript', typescript: 'typescript', tsx: 'tsx', java: 'java', csharp: 'c-sharp',
  c: 'cpp', cpp: 'cpp', go: 'go', rust: 'rust', php: 'php', ruby: 'ruby', shell: 'bash', css: 'css', scss: 'css',
};
/** Languages whose files are prose: every line is text. */
const PROSE = new Set(['markdown', 'text']);

let runtime: Promise<typeof TS> | null = null;
const languages = new Map<string, Promise<TS.Language>>();

async function parserFor(grammar: string): Promise<TS.Parser> {
  runtime ??= (async () => {
    const ts = require('@vscode/tree-sitter-wasm') as typeof TS;
    await ts.Parser.init();
    return ts;
  })();
  const ts = await runtime;
  let lang = languages.get(grammar);
  if (!lang) languages.set(grammar, (lang = ts.Language.load(require.resolve(`@vscode/tree-sitter-wasm/wasm/tree-sitter-${grammar}.wasm`))));
  const parser = new ts.Parser();
  parser.setLanguage(await lang);
  return parser;
}

export function languageFromPath(path: string): string | undefined {
  const ext = /\.([a-z0-9]+)(?:#.*)?$/i.exec(path)?.[1]?.toLowerCase();
  const map: Record<string, string> = {
    py: 'python', js: 'javascript', jsx: 'javascript', mjs: 'javascript', ts: 'typescript', tsx: 'tsx', java: 'java', kt: 'kotlin',
    cs: 'csharp', go: 'go', rs: 'rust', php: 'php', rb: 'ruby', c: 'c', h: 'c', cpp: 'cpp', hpp: 'cpp', swift: 'swift', dart: 'dart',
    html: 'html', xml: 'xml', css: 'css', scss: 'scss', json: 'json', yaml: 'yaml', yml: 'yaml', toml: 'toml', sql: 'sql', sh: 'shell',
    md: 'markdown', txt: 'text',
  };
  return ext ? map[ext] : undefined;
}

/** Longest text parsed with a tree-sitter grammar (characters). */
export const TREE_SITTER_MAX_CHARS = 512 * 1024;

/** The code view of a file: one CodeLine per line of `text` (split at "\n"). Unknown language → all text. */
export async function codeView(text: string, language: string | undefined): Promise<CodeLine[]> {
  const lines = text.split('\n');
  const lang = language?.toLowerCase() === 'tsx' ? 'tsx' : language?.toLowerCase();
  if (!lang || PROSE.has(lang)) return lines.map(proseLine);
  const grammar = GRAMMAR[lang];
  // A parse tree costs memory in proportion to the text (and more for pathological input): past this size the
  // linear lexer, which blanks comments and strings just as well, is used instead of the grammar.
  if (!grammar || text.length > TREE_SITTER_MAX_CHARS) return blankByLexer(lines, lang);
  const parser = await parserFor(grammar);
  const tree = parser.parse(text);
  parser.delete();
  if (!tree) return blankByLexer(lines, lang);
  try {
    return fromTree(tree.rootNode, lines);
  } finally {
    tree.delete();
  }
}

const COMMENT = /comment/;
const STRING = /^(?:string|template_string|string_literal|raw_string_literal|interpreted_string_literal|verbatim_string_literal|encapsed_string|heredoc|char_literal|character_literal|raw_string|string_value)$/;
const INTERPOLATION = /interpolation|substitution|template_substitution|^embedded/;
const FUNCTION = /^(?:function_definition|function_declaration|function_item|method_declaration|method_definition|method|singleton_method|constructor_declaration|local_function_statement|func_literal|arrow_function|function_expression|generator_function_declaration|lambda)$/;
const CONSTRUCTS: [RegExp, string[]][] = [
  [/^(?:lambda|arrow_function|lambda_expression|closure_expression|func_literal|anonymous_function|anonymous_function_creation_expression)$/, ['function', 'return']],
  [/^list_comprehension$/, ['loop', 'list']],
  [/^dictionary_comprehension$/, ['loop', 'dictionary']],
  [/^(?:set_comprehension|generator_expression|for_in_clause)$/, ['loop']],
  [/^(?:yield|yield_expression|generator_function|generator_function_declaration)$/, ['return', 'function']],
  [/^(?:match_statement|match_expression|switch_expression|switch_statement|conditional_expression|ternary_expression|case_clause)$/, ['condition']],
  [/^(?:default_parameter|typed_default_parameter|optional_parameter|assignment_pattern|optional_parameter_declaration)$/, ['default-argument']],
];

function fromTree(root: TS.Node, lines: string[]): CodeLine[] {
  const code = lines.map((l) => l.split(''));
  const text = lines.map(() => [] as string[]);
  const hollow = lines.map(() => false);
  const constructs = lines.map(() => new Set<string>());
  const hasComment = lines.map(() => false);
  // tree-sitter (WASM) reports columns in UTF-16 code units for strings passed from JS — the same units as
  // String.prototype indices, so slicing lines by column is exact.
  const blank = (sr: number, sc: number, er: number, ec: number) => {
    for (let r = sr; r <= er && r < lines.length; r++) {
      const from = r === sr ? sc : 0;
      const to = r === er ? ec : code[r]!.length;
      text[r]!.push(lines[r]!.slice(from, to));
      for (let c = from; c < to; c++) code[r]![c] = ' ';
    }
  };
  const visit = (node: TS.Node) => {
    const type = node.type;
    if (COMMENT.test(type)) {
      blank(node.startPosition.row, node.startPosition.column, node.endPosition.row, node.endPosition.column);
      for (let r = node.startPosition.row; r <= node.endPosition.row; r++) hasComment[r] = true;
      return;
    }
    for (const [re, names] of CONSTRUCTS) if (re.test(type)) names.forEach((n) => constructs[node.startPosition.row]!.add(n));
    if (STRING.test(type)) {
      // Keep the delimiters (so `greeting="Hi"` still reads as an assignment) and the interpolated expressions.
      const keep = node.namedChildren.filter((c): c is TS.Node => !!c && INTERPOLATION.test(c.type));
      let [r, c] = [node.startPosition.row, node.startPosition.column + 1];
      for (const k of [...keep, null]) {
        const [er, ec] = k ? [k.startPosition.row, k.startPosition.column] : [node.endPosition.row, Math.max(0, node.endPosition.column - 1)];
        if (er > r || (er === r && ec > c)) blank(r, c, er, ec);
        if (k) [r, c] = [k.endPosition.row, k.endPosition.column];
      }
      keep.forEach(visit);
      return;
    }
    for (const child of node.children) if (child) visit(child);
    if (FUNCTION.test(type)) {
      const body = node.childForFieldName('body');
      if (body && isHollow(body, code)) for (let r = node.startPosition.row; r <= node.endPosition.row; r++) hollow[r] = true;
    }
  };
  visit(root);
  return lines.map((_, i) => ({
    code: code[i]!.join('').trim() ? code[i]!.join('') : '',
    text: text[i]!.join(' ').trim(),
    hollow: hollow[i]!,
    constructs: constructs[i]!,
    hasComment: hasComment[i]!,
  }));
}

/** A body with nothing in it once comments, strings and placeholders are gone. Read after strings are blanked. */
function isHollow(body: TS.Node, code: string[][]): boolean {
  const rows: string[] = [];
  for (let r = body.startPosition.row; r <= body.endPosition.row; r++) {
    const row = code[r]!.join('');
    rows.push(row.slice(r === body.startPosition.row ? body.startPosition.column : 0, r === body.endPosition.row ? body.endPosition.column : undefined));
  }
  const rest = rows
    .join('\n')
    .replace(/\b(?:raise|throw)\s+(?:new\s+)?\w*NotImplemented\w*\s*(?:\([^)]*\))?/g, ' ')
    .replace(/\b(?:pass|return|None|null|nil|undefined|todo!\s*\(\s*\)|unimplemented!\s*\(\s*\))\b|\.\.\.|[{}();:'"`]/g, ' ');
  return !/\S/.test(rest);
}

/**
 * Comment and string blanking for languages without a grammar here. Written by hand because no maintained npm
 * tokenizer covers these languages' lexical rules (and a full parser per language would be far more than needed
 * for "where are the comments and strings"). Knows: `//` and `/* *\/` (Kotlin, Swift, Dart, SQL's `/* *\/`),
 * `--` (SQL), `#` (YAML, TOML, and Python, Ruby, shell, PHP when they are too long to parse), `<!-- -->` (HTML/XML); strings in "…", '…', """…""", '''…''' (hash languages) and `…` (JS/TS/Go) with backslash escapes.
 */
export function blankByLexer(lines: string[], lang: string): CodeLine[] {
  // Also the fallback for grammar languages whose text is too long to parse (TREE_SITTER_MAX_CHARS).
  const slash = ['kotlin', 'swift', 'dart', 'sql', 'json', 'javascript', 'typescript', 'tsx', 'java', 'csharp', 'c', 'cpp', 'go', 'rust', 'php', 'css', 'scss'].includes(lang);
  const hash = ['yaml', 'toml', 'python', 'ruby', 'shell', 'php'].includes(lang);
  const dash = lang === 'sql';
  const markup = lang === 'html' || lang === 'xml';
  const out: CodeLine[] = [];
  const backtick = ['javascript', 'typescript', 'tsx', 'go'].includes(lang); // template / raw strings, may span lines
  let state: null | '*/' | '-->' | '"""' | "'''" | '`' = null;
  for (const line of lines) {
    const code = line.split('');
    const text: string[] = [];
    let hasComment = state === '*/' || state === '-->';
    let i = 0;
    const blankTo = (end: number) => {
      text.push(line.slice(i, end));
      for (let k = i; k < end; k++) code[k] = ' ';
      i = end;
    };
    while (i < line.length) {
      if (state) {
        const end = line.indexOf(state, i);
        if (end === -1) {
          blankTo(line.length);
          break;
        }
        blankTo(end);
        i = end + state.length;
        state = null;
        continue;
      }
      const rest = line.slice(i);
      if ((slash && rest.startsWith('//')) || (hash && rest.startsWith('#')) || (dash && rest.startsWith('--'))) {
        hasComment = true;
        blankTo(line.length);
        break;
      }
      if ((slash && rest.startsWith('/*')) || (markup && rest.startsWith('<!--'))) {
        hasComment = true;
        state = rest.startsWith('/*') ? '*/' : '-->';
        i += state === '*/' ? 2 : 4;
        continue;
      }
      if (!markup && (rest.startsWith('"""') || (hash && rest.startsWith("'''")))) {
        state = rest.startsWith('"""') ? '"""' : "'''";
        i += 3;
        continue;
      }
      if (backtick && rest.startsWith('`')) {
        state = '`';
        i += 1;
        continue;
      }
      const q = line[i];
      if (!markup && (q === '"' || q === "'")) {
        let j = i + 1;
        while (j < line.length && line[j] !== q) j += line[j] === '\\' ? 2 : 1;
        i++;
        blankTo(Math.min(j, line.length));
        i = j + 1;
        continue;
      }
      i++;
    }
    const joined = code.join('');
    out.push({ code: joined.trim() ? joined : '', text: text.join(' ').trim(), hollow: false, constructs: new Set(), hasComment });
  }
  return out;
}
