// WebVTT and SRT → transcript blocks, one per cue, with start/end seconds. Markup inside cues (<v Speaker>,
// <i>, <c.class>, inline timestamps, SRT {\an8} tags) is removed; NOTE/STYLE/REGION blocks are skipped;
// a cue repeating the previous cue's text (rolling captions) extends it instead of duplicating it.
import { readTextFile } from './text-input.js';
import { buildDocument, normalizeText, type Block, type ExtractedDocument, type ExtractionLimits } from './document.js';
import { InputError } from '../input-error.js';

const TIMING = /^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})/;

export interface Cue {
  start: number;
  end: number;
  text: string;
}

export async function extractSubtitles(path: string, limits: ExtractionLimits): Promise<ExtractedDocument> {
  const text = await readTextFile(path, { maxChars: limits.maxChars, kind: 'subtitle' });
  return subtitlesToDocument(text, limits);
}

export function subtitlesToDocument(source: string, limits: ExtractionLimits): ExtractedDocument {
  const cues = parseCues(source);
  if (cues.length === 0) {
    throw new InputError('corrupt', 'no subtitle cues were found: the file is not valid WebVTT or SRT');
  }
  const blocks: Block[] = cues.map((c) => ({
    type: 'transcript',
    text: c.text,
    metadata: { start_seconds: c.start, end_seconds: c.end },
  }));
  const duration = Math.max(...cues.map((c) => c.end));
  return buildDocument('subtitles', null, blocks, limits, { duration_seconds: duration });
}

/** Parses both formats: cues are blank-line separated groups containing a "start --> end" line. */
export function parseCues(source: string): Cue[] {
  const text = source.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n');
  const groups = text.split(/\n[ \t]*\n+/);
  const cues: Cue[] = [];
  for (const group of groups) {
    const lines = group.split('\n');
    const first = lines[0]?.trim() ?? '';
    if (/^(WEBVTT|NOTE|STYLE|REGION)\b/.test(first)) continue;
    const timingAt = lines.findIndex((l) => TIMING.test(l));
    if (timingAt < 0 || timingAt > 1) continue; // an optional id line, then the timing line
    const m = TIMING.exec(lines[timingAt]!)!;
    const start = toSeconds(m[1]!);
    const end = toSeconds(m[2]!);
    const body = normalizeText(stripCueMarkup(lines.slice(timingAt + 1).join('\n'))).replace(/\n+/g, ' ');
    if (!body || !(end >= start)) continue;
    const prev = cues[cues.length - 1];
    if (prev && prev.text === body && start <= prev.end + 0.5) {
      prev.end = Math.max(prev.end, end);
      continue;
    }
    cues.push({ start, end, text: body });
  }
  return cues.sort((a, b) => a.start - b.start || a.end - b.end);
}

function stripCueMarkup(text: string): string {
  return text
    .replace(/<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{1,3}>/g, '')
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/\{\\[^}]*\}/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}

/** "01:02:03.450", "02:03,450" or "2:03.4" → seconds, rounded to milliseconds. */
export function toSeconds(stamp: string): number {
  const [clock, frac = '0'] = stamp.replace(',', '.').split('.');
  const parts = clock!.split(':').map(Number);
  const [h, m, s] = parts.length === 3 ? parts : [0, ...parts];
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  return Math.round(((h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0)) * 1000 + ms) / 1000;
}
