// The normalized document every extractor returns (issue 4, item 1). Blocks are extraction units in reading
// order — a PDF page, a paragraph, a heading, a slide's text, a subtitle cue — with the structure they came
// from (page, slide, timecodes, heading path). The chunker turns blocks into embedding-sized chunks.
// Everything here is plain JSON so a document can cross a process boundary (extract-subprocess.ts).
import { InputError } from '../input-error.js';
import type { DocumentFormat } from '../../../shared/src/materials/formats.js';

/** The extractor a file goes to: one table of extensions for the API and the worker (shared/src/materials/formats.ts). */
export type { DocumentFormat };

export type BlockType = 'heading' | 'paragraph' | 'slide_text' | 'slide_notes' | 'transcript' | 'web_content';

export interface BlockMetadata {
  /** 1-based PDF page. */
  page?: number;
  /** 1-based slide position in the presentation's slide list (presentation.xml order). */
  slide?: number;
  start_seconds?: number;
  end_seconds?: number;
  /** Enclosing headings, outermost first; for a heading block it ends with the heading itself. */
  heading_path?: string[];
  /** Heading level 1–6 (heading blocks only). */
  level?: number;
  /** A code block (HTML <pre>, a Markdown code block): its text is verbatim, indentation and line breaks kept. */
  code?: true;
  /** The code block's language, when the markup names it ("python3", "js", "console"). */
  language?: string;
}

export interface Block {
  type: BlockType;
  text: string;
  metadata: BlockMetadata;
}

export interface DocumentStats {
  /** Characters of text across all blocks. */
  characters: number;
  blocks: number;
  pages?: number;
  slides?: number;
  duration_seconds?: number;
  /** Language reported by the transcriber (video) or declared by the page (html lang), when known. */
  language?: string;
}

export interface ExtractedDocument {
  title: string | null;
  format: DocumentFormat;
  blocks: Block[];
  stats: DocumentStats;
}

/** Limits applied to untrusted input. All extractors take the same object; each uses what applies to it. */
export interface ExtractionLimits {
  /** Text characters kept across the whole document; above → InputError (never silently truncated). */
  maxChars: number;
  /** PDF pages; above → InputError. */
  maxPages: number;
  /** PPTX slides; above → InputError. */
  maxSlides: number;
  /** Zip containers (DOCX/PPTX): number of entries in the central directory. */
  zipMaxEntries: number;
  /** Zip containers: sum of the declared uncompressed sizes of all entries. */
  zipMaxUncompressedBytes: number;
  /** Zip containers: bytes of XML actually inflated and parsed (document parts, slides, notes…). */
  zipMaxXmlBytes: number;
  /** Zip containers: uncompressed/compressed ratio allowed for an entry bigger than 1 MiB. */
  zipMaxCompressionRatio: number;
  /** Video/audio: longest media accepted for transcription. */
  maxMediaSeconds: number;
}

export const DEFAULT_LIMITS: ExtractionLimits = {
  maxChars: 5_000_000,
  maxPages: 2_000,
  maxSlides: 1_000,
  zipMaxEntries: 10_000,
  zipMaxUncompressedBytes: 512 * 1024 * 1024,
  zipMaxXmlBytes: 64 * 1024 * 1024,
  zipMaxCompressionRatio: 200,
  maxMediaSeconds: 4 * 60 * 60,
};

export function resolveLimits(partial?: Partial<ExtractionLimits>): ExtractionLimits {
  return { ...DEFAULT_LIMITS, ...(partial ?? {}) };
}

/** Collapses runs of spaces/tabs, trims each line, drops blank-line runs beyond one. */
export function normalizeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000 ]+/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Builds the document, computing stats, and enforces the character cap once more on the final text. */
export function buildDocument(
  format: DocumentFormat,
  title: string | null,
  blocks: Block[],
  limits: ExtractionLimits,
  extra: Omit<DocumentStats, 'characters' | 'blocks'> = {},
): ExtractedDocument {
  const kept = blocks.filter((b) => b.text.trim().length > 0);
  const characters = kept.reduce((n, b) => n + b.text.length, 0);
  const chars = new CharBudget(limits.maxChars);
  chars.add(characters);
  return { title: title?.trim() || null, format, blocks: kept, stats: { characters, blocks: kept.length, ...extra } };
}

/** Running character count that fails as soon as the cap is passed (so huge inputs stop early). */
export class CharBudget {
  private used = 0;
  constructor(private readonly max: number) {}
  add(n: number): void {
    this.used += n;
    if (this.used > this.max) {
      throw new InputError(
        'too_much_text',
        `the document has more than ${this.max.toLocaleString('en-US')} characters of text (the extraction limit); split it into smaller files`,
      );
    }
  }
}
