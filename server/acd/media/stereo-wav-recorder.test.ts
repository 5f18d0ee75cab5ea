import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { StereoWavRecorder } from './stereo-wav-recorder';

const dir = mkdtempSync(path.join(tmpdir(), 'pb-rec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function frame(value: number): Int16Array {
  return new Int16Array(160).fill(value);
}

describe('StereoWavRecorder (fake clock)', () => {
  it('interleaves two channels aligned by time, fills gaps with silence, and finalises the header', async () => {
    let now = 1000;
    const file = path.join(dir, 'a.wav');
    const rec = new StereoWavRecorder(file, pino({ level: 'silent' }), () => now);
    // 2 s: left talks all the time, right only during the second second
    for (let i = 1; i <= 100; i++) {
      now = 1000 + i * 20;
      rec.push(0, frame(1000));
      if (i > 50) rec.push(1, frame(-2000));
    }
    await rec.close();
    await rec.close();
    const b = readFileSync(file);
    expect(b.toString('ascii', 0, 4)).toBe('RIFF');
    expect(b.readUInt16LE(22)).toBe(2);
    expect(b.readUInt32LE(24)).toBe(8000);
    const data = b.readUInt32LE(40);
    expect(data).toBe(b.length - 44);
    expect(b.readUInt32LE(4)).toBe(36 + data);
    const frames = data / 4;
    expect(frames).toBe(16000); // 2 s at 8 kHz, no drift
    const at = (i: number, ch: 0 | 1) => b.readInt16LE(44 + i * 4 + ch * 2);
    expect(at(100, 0)).toBe(1000);
    expect(at(100, 1)).toBe(0); // right was silent in the first second
    expect(at(12_000, 0)).toBe(1000);
    expect(at(12_000, 1)).toBe(-2000);
    // the right channel starts within one frame of the second mark
    let first = 0;
    while (at(first, 1) === 0) first++;
    expect(Math.abs(first - 8000)).toBeLessThanOrEqual(160);
  });

  it('re-places a channel that went silent for long at the wall clock (no drift) and keeps memory bounded', async () => {
    let now = 0;
    const file = path.join(dir, 'b.wav');
    const rec = new StereoWavRecorder(file, pino({ level: 'silent' }), () => now);
    now = 20;
    rec.push(0, frame(500));
    now = 60_000; // a minute of nothing: written as silence in window-sized pieces
    rec.push(0, frame(700));
    await rec.close();
    const b = readFileSync(file);
    const frames = b.readUInt32LE(40) / 4;
    expect(frames).toBe(60_000 * 8);
    expect(b.readInt16LE(44 + (frames - 1) * 4)).toBe(700);
    expect(b.readInt16LE(44 + 30 * 8000 * 4)).toBe(0);
  });
});
