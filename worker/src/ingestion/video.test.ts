import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { extractVideo } from './video.js';
import { resolveLimits } from './document.js';
import { InputError } from '../input-error.js';
import { NO_TRANSCRIBER_MESSAGE, type Transcriber } from './transcriber.js';
import { makeTmpDir, makeVideo, probeAudio, write } from './fixtures.test-support.js';

const limits = resolveLimits();
let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
let video: string;
beforeAll(async () => {
  tmp = await makeTmpDir();
  video = tmp.file('clip.mp4');
  makeVideo(video, 2);
});
afterAll(() => tmp.cleanup());

/** A stub provider that inspects the audio it is handed, as a real one would upload it. */
function recordingTranscriber() {
  const calls: { audioPath: string; language: string | undefined; audio: ReturnType<typeof probeAudio> }[] = [];
  const transcriber: Transcriber = {
    async transcribe(audioPath, { language }) {
      calls.push({ audioPath, language, audio: probeAudio(audioPath) });
      return {
        language: language ?? 'en',
        durationSeconds: 2,
        segments: [
          { start: 0, end: 1.2, text: ' A sine wave plays. ' },
          { start: 1.2, end: 1.25, text: '   ' },
          { start: 1.25, end: 2, text: 'The tone is 440 hertz.' },
        ],
      };
    },
  };
  return { transcriber, calls };
}

describe('extractVideo', () => {
  it('extracts a 16 kHz mono audio track, transcribes it, and returns timed transcript blocks', async () => {
    const { transcriber, calls } = recordingTranscriber();
    const workDir = tmp.file('work');
    await mkdir(workDir);
    const doc = await extractVideo(video, limits, { transcriber, language: 'en', tmpDir: workDir });

    expect(calls).toHaveLength(1);
    expect(calls[0]!.language).toBe('en');
    expect(calls[0]!.audio.sampleRate).toBe(16000);
    expect(calls[0]!.audio.channels).toBe(1);
    expect(calls[0]!.audio.codec).toBe('mp3');
    expect(calls[0]!.audio.duration).toBeGreaterThan(1.8);
    expect(calls[0]!.audio.duration).toBeLessThan(2.3);

    expect(doc.format).toBe('video');
    expect(doc.blocks).toEqual([
      { type: 'transcript', text: 'A sine wave plays.', metadata: { start_seconds: 0, end_seconds: 1.2 } },
      { type: 'transcript', text: 'The tone is 440 hertz.', metadata: { start_seconds: 1.25, end_seconds: 2 } },
    ]);
    expect(doc.stats.duration_seconds).toBe(2);
    expect(doc.stats.language).toBe('en');
    // The temporary audio is removed afterwards.
    expect(await readdir(workDir)).toEqual([]);
  });

  it('splits audio over the provider limit into pieces and shifts their times', async () => {
    const long = tmp.file('six.mp4');
    makeVideo(long, 6);
    const pieces: { path: string; duration: number; size: number }[] = [];
    const transcriber: Transcriber = {
      async transcribe(audioPath) {
        const { duration } = probeAudio(audioPath);
        pieces.push({ path: audioPath, duration, size: (await stat(audioPath)).size });
        const n = pieces.length;
        return { language: 'en', durationSeconds: duration, segments: [{ start: 0.1, end: duration - 0.1, text: `piece ${n}` }] };
      },
    };
    const doc = await extractVideo(long, limits, { transcriber, maxAudioBytes: 12_000 });
    expect(pieces.length).toBeGreaterThanOrEqual(2);
    expect(pieces.every((p) => p.size <= 12_000)).toBe(true);
    expect(doc.blocks.map((b) => b.text)).toEqual(pieces.map((_, i) => `piece ${i + 1}`));
    let offset = 0;
    doc.blocks.forEach((b, i) => {
      expect(b.metadata.start_seconds).toBeCloseTo(offset + 0.1, 2);
      offset += pieces[i]!.duration;
      expect(b.metadata.end_seconds).toBeCloseTo(offset - 0.1, 2);
    });
    expect(doc.stats.duration_seconds).toBeGreaterThan(5.8);
    expect(doc.stats.duration_seconds).toBeLessThan(6.3);
  });

  it('can hand the transcriber WAV instead', async () => {
    const { transcriber, calls } = recordingTranscriber();
    await extractVideo(video, limits, { transcriber, audioFormat: 'wav' });
    expect(calls[0]!.audio).toMatchObject({ sampleRate: 16000, channels: 1, codec: 'pcm_s16le' });
  });

  it('fails with a how-to-fix message when no transcription provider is configured — no fake transcript', async () => {
    for (const transcriber of [undefined, null]) {
      const err = await extractVideo(video, limits, { transcriber }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).code).toBe('no_transcriber');
      expect((err as Error).message).toBe(NO_TRANSCRIBER_MESSAGE);
    }
    expect(NO_TRANSCRIBER_MESSAGE).toMatch(/^no transcription provider configured: set TRANSCRIPTION_PROVIDER=openai .* or upload the subtitles \(\.vtt\/\.srt\)/);
  });

  it('refuses a video without an audio track, media over the length cap, and junk', async () => {
    const { transcriber, calls } = recordingTranscriber();
    const silent = tmp.file('silent.mp4');
    makeVideo(silent, 1, false);
    await expect(extractVideo(silent, limits, { transcriber })).rejects.toThrow('the video has no audio track to transcribe');
    await expect(extractVideo(video, resolveLimits({ maxMediaSeconds: 1 }), { transcriber })).rejects.toThrow('the media is 2 s long; the limit is 1 s');
    const junk = tmp.file('junk.mp4');
    await write(junk, 'definitely not a video');
    await expect(extractVideo(junk, limits, { transcriber })).rejects.toThrow('the file is not a readable video or audio file');
    expect(calls).toHaveLength(0);
  });

  it('passes provider errors through unchanged (they may be retried)', async () => {
    const failing: Transcriber = {
      transcribe: async () => {
        throw new Error('provider answered 503');
      },
    };
    const err = await extractVideo(video, limits, { transcriber: failing }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(InputError);
    expect((err as Error).message).toBe('provider answered 503');
  });
});
