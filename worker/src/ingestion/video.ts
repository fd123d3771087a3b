// Video (or audio) → ffprobe checks → ffmpeg extracts the first audio track as 16 kHz mono → a Transcriber →
// transcript blocks with start/end seconds. With no transcriber the extraction fails at once with a message
// that says how to fix it; a transcript is never invented. Audio larger than the provider's upload limit
// (`maxAudioBytes`, e.g. 25 MiB for OpenAI) is cut into pieces that are transcribed in order, their segment
// times shifted by each piece's offset. Errors thrown by the transcriber itself (network, 429, 5xx) pass
// through unchanged so the job can retry them; only problems with the file are ExtractionErrors. ffmpeg runs as
// its own process, so none of this blocks the event loop.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertNonEmpty } from './text-input.js';
import { buildDocument, CharBudget, normalizeText, type Block, type ExtractedDocument, type ExtractionLimits } from './document.js';
import { InputError } from '../input-error.js';
import { NO_TRANSCRIBER_MESSAGE, type Transcriber, type TranscriptSegment } from './transcriber.js';
import { extractAudio, probeMedia, splitAudio, type AudioFormat, type MediaTools } from './media-tools.js';

export type { AudioFormat } from './media-tools.js';

export interface VideoOptions {
  transcriber?: Transcriber | null;
  language?: string;
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Audio handed to the transcriber (mp3 at 32 kbit/s keeps uploads small: ~4 KB per second). */
  audioFormat?: AudioFormat;
  /** Largest audio file the provider accepts; bigger audio is split. Default 25 MiB. */
  maxAudioBytes?: number;
  /** Wall-clock limit for each ffmpeg/ffprobe run. Default 10 minutes. */
  ffmpegTimeoutMs?: number;
  /** Where the temporary audio goes (default: the OS temp dir). */
  tmpDir?: string;
  signal?: AbortSignal;
}

export async function extractVideo(path: string, limits: ExtractionLimits, opts: VideoOptions = {}): Promise<ExtractedDocument> {
  await assertNonEmpty(path);
  const transcriber = opts.transcriber;
  if (!transcriber) throw new InputError('no_transcriber', NO_TRANSCRIBER_MESSAGE);
  const tools: MediaTools = { ffmpeg: opts.ffmpegPath ?? 'ffmpeg', ffprobe: opts.ffprobePath ?? 'ffprobe', timeoutMs: opts.ffmpegTimeoutMs ?? 600_000 };

  const probe = await probeMedia(path, tools);
  if (!probe.hasAudio) throw new InputError('no_audio', 'the video has no audio track to transcribe');
  if (probe.duration !== null && probe.duration > limits.maxMediaSeconds) {
    throw new InputError('too_large', `the media is ${clock(probe.duration)} long; the limit is ${clock(limits.maxMediaSeconds)}`);
  }

  const dir = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'cs-audio-'));
  try {
    const format = opts.audioFormat ?? 'mp3';
    const audioPath = join(dir, `audio.${format}`);
    await extractAudio(path, audioPath, format, tools);
    const pieces = await piecesFor(audioPath, dir, format, opts.maxAudioBytes ?? 25 * 1024 * 1024, tools);

    const segments: TranscriptSegment[] = [];
    let language: string | null = null;
    let offset = 0;
    for (const piece of pieces) {
      opts.signal?.throwIfAborted();
      const transcript = await transcriber.transcribe(piece, {
        ...(opts.language && { language: opts.language }),
        ...(opts.signal && { signal: opts.signal }),
      });
      language ??= transcript.language;
      for (const s of transcript.segments) segments.push({ start: s.start + offset, end: s.end + offset, text: s.text });
      offset += pieces.length > 1 ? ((await probeMedia(piece, tools)).duration ?? transcript.durationSeconds) : transcript.durationSeconds;
    }
    return toDocument(segments, language, offset || probe.duration || 0, limits);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function piecesFor(audio: string, dir: string, format: AudioFormat, maxBytes: number, tools: MediaTools): Promise<string[]> {
  const size = (await stat(audio)).size;
  if (size <= maxBytes) return [audio];
  const duration = (await probeMedia(audio, tools)).duration ?? 0;
  // Aim at 90 % of the limit per piece (container overhead, variable bit rates).
  const seconds = Math.max(1, Math.floor((duration * maxBytes * 0.9) / size));
  const partsDir = join(dir, 'parts');
  await mkdir(partsDir);
  return splitAudio(audio, partsDir, format, seconds, tools);
}

function toDocument(segments: TranscriptSegment[], language: string | null, duration: number, limits: ExtractionLimits): ExtractedDocument {
  const budget = new CharBudget(limits.maxChars);
  const blocks: Block[] = [];
  for (const seg of segments) {
    const text = normalizeText(seg.text).replace(/\n+/g, ' ');
    if (!text) continue;
    budget.add(text.length);
    blocks.push({ type: 'transcript', text, metadata: { start_seconds: round(seg.start), end_seconds: round(seg.end) } });
  }
  if (blocks.length === 0) throw new InputError('no_text', 'the transcription found no speech in the media');
  return buildDocument('video', null, blocks, limits, { duration_seconds: round(duration), ...(language && { language }) });
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** 95 → "1 min 35 s", 7200 → "2 h", 2.04 → "2 s". */
function clock(seconds: number): string {
  const s = Math.round(seconds);
  const parts = [[Math.floor(s / 3600), 'h'], [Math.floor((s % 3600) / 60), 'min'], [s % 60, 's']] as const;
  return parts.filter(([n]) => n > 0).map(([n, unit]) => `${n} ${unit}`).join(' ') || '0 s';
}
