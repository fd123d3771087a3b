// The Postgres text search configuration for a material's language: franc-min detects the language (ISO 639-3)
// from a sample of the prose, and the code maps to one of the configurations Postgres ships (stemmer + stop
// words). Anything else, or too little text to tell, is 'simple' (lower-cased words, no stemming).
import { franc } from 'franc-min';

const CONFIG_BY_ISO639_3: Record<string, string> = {
  arb: 'arabic',
  hye: 'armenian',
  eus: 'basque',
  cat: 'catalan',
  dan: 'danish',
  nld: 'dutch',
  eng: 'english',
  fin: 'finnish',
  fra: 'french',
  deu: 'german',
  ell: 'greek',
  hin: 'hindi',
  hun: 'hungarian',
  ind: 'indonesian',
  gle: 'irish',
  ita: 'italian',
  lit: 'lithuanian',
  npi: 'nepali',
  nob: 'norwegian',
  nno: 'norwegian',
  por: 'portuguese',
  ron: 'romanian',
  rus: 'russian',
  srp: 'serbian',
  spa: 'spanish',
  swe: 'swedish',
  tam: 'tamil',
  tur: 'turkish',
  ydd: 'yiddish',
};

/** Every configuration detectTextSearchConfig can return (all ship with Postgres 13+). */
export const TEXT_SEARCH_CONFIGS: readonly string[] = ['simple', ...new Set(Object.values(CONFIG_BY_ISO639_3))];

const SAMPLE_CHARS = 20_000;

/** The text search configuration for a text's language; 'simple' when it cannot be told. */
export function detectTextSearchConfig(text: string): string {
  const iso = franc(text.slice(0, SAMPLE_CHARS), { minLength: 40 });
  return CONFIG_BY_ISO639_3[iso] ?? 'simple';
}
