// Code idioms: a criterion that talks about a construct ("uses a default argument", "returns a value",
// "has a loop") is evidenced by a line that IS that construct, even when the line does not contain the words
// (`def greet(name, greeting="Hi"):` never says "default"). An idiom applies when one of its `keys` occurs in the
// criterion; a matching line then covers the criterion terms listed in `covers`. Deliberately small, line-based
// and language-agnostic (Python, JS/TS, Java/Kotlin/C#, Go, C/C++): a heuristic, documented as such.
import { sameTerm, stem } from './review-text.js';

export interface Idiom {
  name: string;
  keys: string[];
  covers: string[];
  pattern: RegExp;
}

const idiom = (name: string, keys: string, covers: string, pattern: RegExp): Idiom => ({
  name,
  keys: keys.split(' ').map(stem),
  covers: [...keys.split(' '), ...covers.split(' ').filter(Boolean)].map(stem),
  pattern,
});

export const IDIOMS: Idiom[] = [
  idiom(
    'function',
    'function functions func method функція функції функцію метод',
    'def',
    /\bdef\s+\w+\s*\(|\bfunction\b|\bfunc\s+\w+\s*\(|\bfn\s+\w+\s*\(|\bfun\s+\w+\s*\(|=>|\b(?:public|private|protected|static)\s+[\w<>[\],\s]*\w+\s*\(/,
  ),
  idiom('return', 'return returns повертає повернути повернення', 'value result значення результат', /\breturn\s+[^\s;]|\byield\s+\S/),
  idiom(
    'default-argument',
    'default optional замовчуванням необовязковий',
    'argument arguments parameter parameters param value аргумент аргументи параметр параметри значення',
    /\b(?:def|function|fun|func)\s*\w*\s*\([^)]*?\w\s*(?::\s*[^=,)]+)?=\s*[^=\s,)][^)]*\)|\([^()]*\b\w+\s*=\s*[^=>\s,)][^()]*\)\s*=>/,
  ),
  idiom('loop', 'loop loops iterate iteration цикл цикли ітерація', 'repeat', /\bfor\b|\bwhile\b|\.forEach\s*\(|\bloop\b/),
  idiom('condition', 'condition conditional branch if умова умовний розгалуження', 'else', /\bif\b|\belif\b|\belse\b|\bswitch\b|\bmatch\s+\w/),
  idiom('class', 'class classes клас класи', 'object', /\bclass\s+\w+/),
  idiom('import', 'import module library модуль бібліотека', 'package', /^\s*(?:import\s|from\s+\S+\s+import\s|#include\b|using\s+\w)|\brequire\s*\(/),
  idiom(
    'exception',
    'exception exceptions error errors виняток винятки помилка помилки',
    'handle handling обробка',
    /\btry\b|\bexcept\b|\bcatch\b|\bfinally\b|\braise\b|\bthrow\b/,
  ),
  idiom('print', 'print prints output display вивести виводить друкує', 'screen console result value результат', /\bprint\s*\(|console\.log|System\.out|\bprintf\b|\bprintln\b|\becho\b|\bputs\b/),
  idiom('input', 'input read keyboard введення зчитує', 'user', /\binput\s*\(|\breadline\b|\bscanf\b|\bScanner\b|\bprompt\s*\(/),
  idiom('comment', 'comment comments docstring коментар коментарі', 'document documentation', /^\s*(?:#|\/\/|\/\*|\*|"""|''')/),
  idiom('test', 'test tests assert тест тести', 'check', /\bassert\b|\bexpect\s*\(|\bdef\s+test_|\bit\s*\(|\bdescribe\s*\(|@Test\b/),
  idiom('variable', 'variable variables змінна змінні', 'assign', /^\s*(?:(?:let|const|var|val)\s+)?[A-Za-z_]\w*\s*(?::\s*\w+)?\s*=[^=]/),
  idiom('list', 'list lists array arrays список списки масив', '', /\[[^\]]*,[^\]]*\]|\blist\s*\(|\bArrayList\b|\bnew\s+\w+\s*\[/),
  idiom('dictionary', 'dictionary dict map hashmap словник', 'key', /\{[^{}]*\w['"]?\s*:\s*[^{}]*\}|\bdict\s*\(|\bHashMap\b|\bnew\s+Map\b/),
];

/** Idioms whose keys occur among the criterion's stems (stop words included, so "if" counts). */
export function idiomsFor(criterionStems: Iterable<string>): Idiom[] {
  const stems = [...criterionStems];
  return IDIOMS.filter((i) => i.keys.some((k) => stems.some((s) => sameTerm(s, k))));
}
