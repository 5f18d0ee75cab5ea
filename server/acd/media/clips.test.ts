import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { FRAME_SAMPLES, makeClip } from './audio-clip';
import { ClipLibrary, DEFAULT_CLIP } from './clip-library';
import { decode } from './g711';
import { rmsDbfs, synthesizeHoldMusic } from './hold-music';
import { parseWav8kMono16, WavFormatError, writeWav8kMono16 } from './wav';

const log = pino({ level: 'silent' });

describe('hold music', () => {
  const pcm = synthesizeHoldMusic();
  it('is a few seconds long and a whole number of 20 ms frames', () => {
    expect(pcm.length / 8000).toBeGreaterThanOrEqual(4);
    expect(pcm.length / 8000).toBeLessThanOrEqual(15);
    expect(pcm.length % FRAME_SAMPLES).toBe(0);
  });
  it('sits around -16 dBFS and does not clip', () => {
    expect(rmsDbfs(pcm)).toBeGreaterThan(-17);
    expect(rmsDbfs(pcm)).toBeLessThan(-15);
    expect(Math.max(...pcm.map(Math.abs))).toBeLessThan(32000);
  });
  it('loops without a click: the tail has faded out and the wrap-around step is tiny', () => {
    expect(rmsDbfs(pcm.slice(-80))).toBeLessThan(-35);
    expect(Math.abs((pcm[0] as number) - (pcm[pcm.length - 1] as number))).toBeLessThan(100);
  });
  it('keeps its level through μ-law encoding', () => {
    const clip = makeClip('x', pcm);
    const back = decode(Buffer.concat(clip.frames.PCMU), 'PCMU');
    expect(Math.abs(rmsDbfs(back) - rmsDbfs(pcm))).toBeLessThan(0.2);
    expect(clip.frames.PCMA[0]).toHaveLength(160);
  });
});

describe('clips from WAV files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'clips-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('round-trips a WAV and refuses other formats', () => {
    const pcm = Int16Array.from({ length: 1000 }, (_, i) => (i % 100) * 100 - 5000);
    expect([...parseWav8kMono16(writeWav8kMono16(pcm))]).toEqual([...pcm]);
    const stereo = writeWav8kMono16(pcm);
    stereo.writeUInt16LE(2, 22);
    expect(() => parseWav8kMono16(stereo)).toThrow(WavFormatError);
    expect(() => parseWav8kMono16(Buffer.from('hello world, not a wav'))).toThrow(WavFormatError);
  });
  it('loads a directory, skipping bad files', async () => {
    writeFileSync(path.join(dir, 'welcome.wav'), writeWav8kMono16(new Int16Array(1600)));
    writeFileSync(path.join(dir, 'broken.wav'), Buffer.from('RIFFxxxxWAVE'));
    writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    const lib = new ClipLibrary(log);
    expect(await lib.loadClipsFromDir(dir)).toEqual(['welcome']);
    expect(lib.get('welcome')?.frameCount).toBe(10);
    expect(lib.get(DEFAULT_CLIP)).toBeDefined();
  });
});

describe('clips from the audio library (sync)', () => {
  /** An in-memory library: the port's contract, nothing more (the database one is tested end to end). */
  function memorySource() {
    const rows = new Map<string, { stamp: string; wav: Buffer }>();
    return {
      rows,
      list: async () => [...rows].map(([name, r]) => ({ name, stamp: r.stamp })),
      wav: async (name: string) => rows.get(name)?.wav ?? null,
    };
  }
  const tone = (level: number) => writeWav8kMono16(new Int16Array(800).fill(level));

  it('loads new clips, reloads changed ones, drops removed ones, keeps default and skips a bad one', async () => {
    const lib = new ClipLibrary(log);
    const src = memorySource();
    src.rows.set('welcome', { stamp: 'a:1', wav: tone(1000) });
    src.rows.set('broken', { stamp: 'b:1', wav: Buffer.from('not a wav') });
    expect(await lib.sync(src)).toEqual({ loaded: ['welcome'], removed: [] });
    const first = lib.get('welcome');
    expect(first?.frameCount).toBe(5);
    // unchanged stamp: not fetched again
    expect(await lib.sync(src)).toEqual({ loaded: [], removed: [] });
    src.rows.set('welcome', { stamp: 'a:2', wav: tone(2000) });
    await lib.sync(src);
    expect(lib.get('welcome')).not.toBe(first);
    src.rows.delete('welcome');
    expect(await lib.sync(src)).toEqual({ loaded: [], removed: ['welcome'] });
    expect(lib.get('welcome')).toBeUndefined();
    expect(lib.get(DEFAULT_CLIP)).toBeDefined();
    // a call that was playing the removed clip still holds its frames
    expect(first?.frames.PCMU).toHaveLength(5);
  });
});
