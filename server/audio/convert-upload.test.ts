import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_UPLOAD_BYTES } from '../contracts/admin/audio';
import { requireTool } from '../test-support/system-tools';
import { goertzel, loudest, pcmWav, rms, sine } from '../test-support/tone';
import { AudioFileError } from './audio-file-error';
import { convertUpload, sniff } from './convert-upload';
import { synthesise } from './speech-synth';

const dir = mkdtempSync(path.join(tmpdir(), 'pb-audio-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CANDIDATES = [300, 440, 697, 1000, 1500, 2000, 3000];

/** The middle second of a converted clip (the resampler's edges left out). */
const middle = (pcm: Int16Array) => pcm.subarray(Math.floor(pcm.length / 2) - 4000, Math.floor(pcm.length / 2) + 4000);

describe('uploads are converted to 8 kHz mono 16-bit', () => {
  it('a 44.1 kHz stereo WAV keeps its 1 kHz tone, its length and its level', async () => {
    const left = sine(1000, 3, 44100, 0.5);
    const right = sine(1000, 3, 44100, 0.5);
    const c = await convertUpload(pcmWav([left, right], 44100));
    expect(c.pcm.length).toBe(3 * 8000);
    expect(c.durationMs).toBe(3000);
    // the tail is there too (the resampler's delay flushed, not cut off)
    expect(rms(c.pcm.subarray(-400, -80))).toBeGreaterThan(0.3);
    const mid = middle(c.pcm);
    expect(loudest(mid, CANDIDATES, 8000)).toBe(1000);
    expect(rms(mid)).toBeGreaterThan(0.3); // 0.5 amplitude sine: RMS 0.354
    expect(rms(mid)).toBeLessThan(0.4);
  });

  it('a tone above the new band is filtered out, not folded back (proper low-pass)', async () => {
    // 6 kHz at 44.1 kHz would alias to 2 kHz at 8 kHz without the anti-aliasing filter
    const c = await convertUpload(pcmWav([sine(6000, 3, 44100, 0.5)], 44100));
    expect(rms(middle(c.pcm))).toBeLessThan(0.0005); // below -66 dBFS, from a -9 dBFS input
  }, 20_000);

  it('stereo with different channels is mixed down (both tones survive)', async () => {
    const c = await convertUpload(pcmWav([sine(440, 2, 48000, 0.4), sine(1500, 2, 48000, 0.4)], 48000));
    const mid = middle(c.pcm);
    expect(goertzel(mid, 440, 8000)).toBeGreaterThan(100 * goertzel(mid, 1000, 8000));
    expect(goertzel(mid, 1500, 8000)).toBeGreaterThan(100 * goertzel(mid, 1000, 8000));
  });

  it('an MP3 (encoded by ffmpeg at test time, 44.1 kHz stereo) decodes and keeps its 697 Hz tone', async () => {
    const ffmpeg = requireTool('ffmpeg');
    const mp3 = path.join(dir, 'tone.mp3');
    execFileSync(ffmpeg, ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=697:duration=3:sample_rate=44100', '-ac', '2', '-b:a', '96k', mp3]);
    const buf = readFileSync(mp3);
    expect(sniff(buf)).toBe('mp3');
    const c = await convertUpload(buf);
    expect(Math.abs(c.durationMs - 3000)).toBeLessThan(100);
    expect(loudest(middle(c.pcm), CANDIDATES, 8000)).toBe(697);
  });
});

describe('bad files are refused with words, not a crash', () => {
  const refusal = async (buf: Buffer) => {
    const err = await convertUpload(buf).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioFileError);
    return (err as Error).message;
  };

  it('a renamed text file', async () => {
    expect(await refusal(Buffer.from('Dear admin,\nthis is a letter, not a song.\n'))).toBe('this is not a WAV or MP3 file');
  });

  it('a truncated WAV', async () => {
    const whole = pcmWav([sine(440, 1, 16000)], 16000);
    expect(await refusal(whole.subarray(0, 2000))).toMatch(/cut short/);
    expect(await refusal(whole.subarray(0, 30))).toMatch(/damaged/);
  });

  it('an MP3 that does not decode (an ID3 tag, then noise)', async () => {
    const junk = Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00', 'latin1'), Buffer.alloc(20000, 0x5a)]);
    expect(await refusal(junk)).toMatch(/MP3 file (could not be decoded|is damaged)/);
  });

  it('a compressed WAV, a silent one, one too long, one too large', async () => {
    const adpcm = pcmWav([sine(440, 1, 8000)], 8000);
    adpcm.writeUInt16LE(2, 20);
    expect(await refusal(adpcm)).toMatch(/compressed/);
    expect(await refusal(pcmWav([new Float32Array(8000)], 8000))).toBe('the audio is silent');
    // 11 minutes of 8-bit 8 kHz fits in 10 MB: the duration is what refuses it
    const long = Buffer.alloc(44 + 660 * 8000, 0x80);
    pcmWav([new Float32Array(0)], 8000).copy(long);
    long.writeUInt32LE(8000, 28);
    long.writeUInt16LE(1, 32);
    long.writeUInt16LE(8, 34);
    long.writeUInt32LE(660 * 8000, 40);
    expect(await refusal(long)).toMatch(/longer than 10 minutes/);
    expect(await refusal(Buffer.alloc(MAX_UPLOAD_BYTES + 1))).toMatch(/larger than 10 MB/);
  }, 30_000);
});

describe('speech synthesis (espeak-ng from npm, offline)', () => {
  it('speaks a sentence as non-silent 8 kHz audio of a plausible length', async () => {
    const c = await synthesise('Thank you for calling. All our operators are busy; please hold.', 'en-us', 175);
    expect(c.durationMs).toBeGreaterThan(2000);
    expect(c.durationMs).toBeLessThan(8000);
    expect(rms(c.pcm)).toBeGreaterThan(0.02);
  }, 30_000);

  it('a slower speed gives longer audio; a sentence starting with a dash is spoken, not parsed', async () => {
    const fast = await synthesise('-v please hold the line', 'en-gb', 250);
    const slow = await synthesise('-v please hold the line', 'en-gb', 100);
    expect(slow.durationMs).toBeGreaterThan(fast.durationMs * 1.5);
  }, 30_000);
});
