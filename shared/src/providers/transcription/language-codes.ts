// Whisper's verbose_json reports the language by English name ("english"); callers want ISO 639-1 codes.
const NAMES: Record<string, string> = {
  afrikaans: 'af', arabic: 'ar', armenian: 'hy', azerbaijani: 'az', belarusian: 'be', bosnian: 'bs', bulgarian: 'bg',
  catalan: 'ca', chinese: 'zh', croatian: 'hr', czech: 'cs', danish: 'da', dutch: 'nl', english: 'en', estonian: 'et',
  finnish: 'fi', french: 'fr', galician: 'gl', georgian: 'ka', german: 'de', greek: 'el', hebrew: 'he', hindi: 'hi',
  hungarian: 'hu', icelandic: 'is', indonesian: 'id', italian: 'it', japanese: 'ja', kazakh: 'kk', korean: 'ko',
  latvian: 'lv', lithuanian: 'lt', macedonian: 'mk', malay: 'ms', norwegian: 'no', persian: 'fa', polish: 'pl',
  portuguese: 'pt', romanian: 'ro', russian: 'ru', serbian: 'sr', slovak: 'sk', slovenian: 'sl', spanish: 'es',
  swahili: 'sw', swedish: 'sv', tagalog: 'tl', tamil: 'ta', thai: 'th', turkish: 'tr', ukrainian: 'uk', urdu: 'ur',
  vietnamese: 'vi', welsh: 'cy',
};

export function toLanguageCode(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const v = value.trim().toLowerCase();
  if (/^[a-z]{2}$/.test(v)) return v;
  return NAMES[v] ?? v;
}
