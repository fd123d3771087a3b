import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractSubtitles, parseCues, toSeconds } from './subtitles.js';
import { resolveLimits } from './document.js';
import { makeTmpDir, write } from './fixtures.test-support.js';

const limits = resolveLimits();
let tmp: Awaited<ReturnType<typeof makeTmpDir>>;
beforeAll(async () => {
  tmp = await makeTmpDir();
});
afterAll(() => tmp.cleanup());

const VTT = `WEBVTT - lecture 3

NOTE this note is not spoken

STYLE
::cue { color: yellow }

intro
00:00:01.000 --> 00:00:04.500 align:start position:10%
<v Lecturer>Welcome to <b>lecture three</b>.</v>

00:00:04.500 --> 00:00:09.250
Today: hash tables &amp; their <00:00:06.000>collisions.

01:02.000 --> 01:05.125
A short mm:ss cue.

01:00:00.000 --> 01:00:02.000
One hour in.
`;

const SRT = `1
00:00:00,500 --> 00:00:02,000
{\\an8}<i>Hello</i> students

2
00:00:02,000 --> 00:00:05,750
Recursion calls itself.
Until the base case.

3
00:00:05,750 --> 00:00:06,000
Recursion calls itself.
Until the base case.
`;

describe('subtitles', () => {
  it('parses WebVTT cues with timecodes, dropping NOTE/STYLE blocks and cue markup', async () => {
    const path = tmp.file('lecture.vtt');
    await write(path, VTT);
    const doc = await extractSubtitles(path, limits);
    expect(doc.format).toBe('subtitles');
    expect(doc.blocks.map((b) => [b.type, b.text, b.metadata.start_seconds, b.metadata.end_seconds])).toEqual([
      ['transcript', 'Welcome to lecture three.', 1, 4.5],
      ['transcript', 'Today: hash tables & their collisions.', 4.5, 9.25],
      ['transcript', 'A short mm:ss cue.', 62, 65.125],
      ['transcript', 'One hour in.', 3600, 3602],
    ]);
    expect(doc.stats.duration_seconds).toBe(3602);
  });

  it('parses SRT (comma millis, multi-line cues, styling tags) and merges a repeated cue', async () => {
    const path = tmp.file('lecture.srt');
    await write(path, SRT.replace(/\n/g, '\r\n'));
    const doc = await extractSubtitles(path, limits);
    expect(doc.blocks.map((b) => [b.text, b.metadata.start_seconds, b.metadata.end_seconds])).toEqual([
      ['Hello students', 0.5, 2],
      ['Recursion calls itself. Until the base case.', 2, 6],
    ]);
  });

  it('refuses a file without cues', async () => {
    const path = tmp.file('nothing.vtt');
    await write(path, 'WEBVTT\n\nNOTE only a note\n');
    await expect(extractSubtitles(path, limits)).rejects.toThrow('no subtitle cues were found: the file is not valid WebVTT or SRT');
  });

  it('converts timestamps in all accepted shapes', () => {
    expect(toSeconds('00:00:01.000')).toBe(1);
    expect(toSeconds('1:02:03,450')).toBe(3723.45);
    expect(toSeconds('02:03.4')).toBe(123.4);
    expect(parseCues('00:00:05.000 --> 00:00:01.000\nbackwards')).toEqual([]);
  });
});
