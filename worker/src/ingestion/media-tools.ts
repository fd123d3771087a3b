// ffprobe/ffmpeg helpers for video.ts: probe streams and duration, extract 16 kHz mono audio, and split audio
// into pieces small enough for a provider's upload limit. Each run has a wall-clock limit and is SIGKILLed
// after it; stderr is drained and dropped (it names paths), so messages stay generic.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../input-error.js';

export type AudioFormat = 'mp3' | 'wav' | 'flac';

export interface MediaTools {
  ffmpeg: string;
  ffprobe: string;
  timeoutMs: number;
}

const CODEC: Record<AudioFormat, string[]> = {
  mp3: ['-c:a', 'libmp3lame', '-b:a', '32k'],
  wav: ['-c:a', 'pcm_s16le'],
  flac: ['-c:a', 'flac'],
};

export interface MediaProbe {
  duration: number | null;
  hasAudio: boolean;
  hasVideo: boolean;
}

export async function probeMedia(path: string, tools: MediaTools): Promise<MediaProbe> {
  const args = ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', path];
  const { code, stdout } = await run(tools.ffprobe, args, tools.timeoutMs);
  type ProbeJson = { format?: { duration?: string }; streams?: { codec_type?: string }[] };
  let parsed: ProbeJson | null;
  try {
    parsed = JSON.parse(stdout) as ProbeJson;
  } catch {
    parsed = null;
  }
  if (code !== 0 || !parsed || !parsed.streams || parsed.streams.length === 0) {
    throw new InputError('corrupt', 'the file is not a readable video or audio file');
  }
  const duration = Number(parsed.format?.duration);
  return {
    duration: Number.isFinite(duration) ? duration : null,
    hasAudio: parsed.streams.some((s) => s.codec_type === 'audio'),
    hasVideo: parsed.streams.some((s) => s.codec_type === 'video'),
  };
}

/** First audio track → mono 16 kHz in the chosen format. */
export async function extractAudio(input: string, output: string, format: AudioFormat, tools: MediaTools): Promise<void> {
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-i', input, '-map', '0:a:0', '-vn', '-sn', '-dn',
    '-ac', '1', '-ar', '16000', ...CODEC[format], '-y', output];
  const { code } = await run(tools.ffmpeg, args, tools.timeoutMs);
  if (code !== 0) throw new InputError('media_failed', 'the audio track could not be decoded (ffmpeg failed)');
}

/** Cuts audio into consecutive pieces of about `seconds` each (stream copy, no re-encoding), in order. */
export async function splitAudio(input: string, dir: string, format: AudioFormat, seconds: number, tools: MediaTools): Promise<string[]> {
  const pattern = join(dir, `part-%05d.${format}`);
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-i', input, '-f', 'segment', '-segment_time', String(seconds),
    '-reset_timestamps', '1', '-c', 'copy', '-y', pattern];
  const { code } = await run(tools.ffmpeg, args, tools.timeoutMs);
  if (code !== 0) throw new InputError('media_failed', 'the audio could not be split for transcription (ffmpeg failed)');
  const parts = (await readdir(dir)).filter((f) => /^part-\d{5}\./.test(f)).sort();
  return parts.map((f) => join(dir, f));
}

interface RunResult {
  code: number | null;
  stdout: string;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < 1_000_000) stdout += d.toString('utf8');
    });
    child.stderr.resume();
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // A missing binary is a deployment problem, not a property of the file: a plain (retryable) error.
      if (err.code === 'ENOENT') reject(new Error(`${cmd} is not installed (needed for video ingestion)`));
      else reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) reject(new InputError('timeout', `processing the media took longer than ${Math.round(timeoutMs / 1000)} s`));
      else resolve({ code, stdout });
    });
  });
}
