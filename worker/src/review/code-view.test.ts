import { describe, expect, it } from 'vitest';
import { codeView, TREE_SITTER_MAX_CHARS } from './code-view.js';

// One sample per language the reviewer reads: a comment and a string that both say "secret"; code says "visible".
const SAMPLES: [string, string][] = [
  ['python', 'visible = "secret"  # secret\n"""secret"""\n'],
  ['javascript', 'const visible = `secret ${1}`; // secret\n/* secret */\n'],
  ['typescript', "const visible: string = 'secret'; // secret\n"],
  ['tsx', 'const visible = <b title="secret">x</b>; // secret\n'],
  ['java', 'String visible = "secret"; // secret\n/** secret */\n'],
  ['csharp', 'var visible = @"secret"; // secret\n'],
  ['c', 'char *visible = "secret"; /* secret */\n'],
  ['cpp', 'auto visible = "secret"; // secret\n'],
  ['go', 'visible := `secret` // secret\n'],
  ['rust', 'let visible = "secret"; // secret\n'],
  ['php', '<?php $visible = "secret"; # secret\n// secret\n'],
  ['ruby', 'visible = "secret" # secret\n'],
  ['shell', 'visible="secret" # secret\n'],
  ['css', '.visible { content: "secret"; } /* secret */\n'],
  ['scss', '.visible { content: "secret"; } /* secret */\n'],
  ['kotlin', 'val visible = """secret""" // secret\n/* secret */\n'],
  ['swift', 'let visible = "secret" // secret\n'],
  ['dart', "var visible = 'secret'; // secret\n"],
  ['sql', "select visible from t where x = 'secret'; -- secret\n/* secret */\n"],
  ['yaml', 'visible: "secret" # secret\n'],
  ['toml', 'visible = "secret" # secret\n'],
  ['json', '{"visible": "secret"}\n'],
  ['html', '<p class="visible">x</p><!-- secret -->\n'],
  ['xml', '<visible/><!-- secret -->\n'],
];

describe('codeView blanks comments and strings in every language the reviewer reads', () => {
  for (const [lang, text] of SAMPLES) {
    it(lang, async () => {
      const view = await codeView(text, lang);
      const code = view.map((l) => l.code).join('\n');
      expect(code).not.toMatch(/secret/);
      if (lang !== 'json') expect(code).toMatch(/visible/);
      expect(view.map((l) => l.text).join(' ')).toMatch(/secret/);
      expect(view).toHaveLength(text.split('\n').length);
    });
  }

  it('keeps columns: blanked code is the original with spaces where comments and strings were', async () => {
    const [line] = await codeView('x = f("ab", 2)  # c\n', 'python');
    expect(line!.code).toBe('x = f("  ", 2)     ');
  });
});

describe('a file too long to parse is still blanked (the lexer fallback), so padding cannot smuggle comments in', () => {
  const padding = 'x = 1\n'.repeat(Math.ceil(TREE_SITTER_MAX_CHARS / 6) + 1);
  for (const [lang, text] of SAMPLES) {
    it(lang, async () => {
      const view = await codeView(text + padding, lang);
      const code = view.slice(0, text.split('\n').length - 1).map((l) => l.code).join('\n');
      expect(code).not.toMatch(/secret/);
    });
  }
});
