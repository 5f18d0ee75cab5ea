/**
 * Tone helpers for audio tests: a sine generator and the Goertzel filter (the power of one
 * frequency in a block), so a test can say "the 1 kHz tone is still at 1 kHz after conversion".
 */
export function sine(hz: number, seconds: number, rate: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

/** Relative power of `hz` in `x` (normalised by the block's length and full scale). */
export function goertzel(x: ArrayLike<number>, hz: number, rate: number, scale = 32768): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const s = (x[i] as number) / scale + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (x.length * x.length);
}

/** The strongest of `candidates` in `x`. */
export function loudest(x: ArrayLike<number>, candidates: number[], rate: number, scale = 32768): number {
  let best = candidates[0] as number;
  let bestP = -1;
  for (const hz of candidates) {
    const p = goertzel(x, hz, rate, scale);
    if (p > bestP) [best, bestP] = [hz, p];
  }
  return best;
}

export function rms(x: ArrayLike<number>, scale = 32768): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += ((x[i] as number) / scale) ** 2;
  return Math.sqrt(s / Math.max(1, x.length));
}

/** A 16-bit PCM WAV of any rate and channel count (interleaves `channels`). */
export function pcmWav(channels: Float32Array[], rate: number): Buffer {
  const n = channels[0]?.length ?? 0;
  const c = channels.length;
  const buf = Buffer.alloc(44 + n * c * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + n * c * 2, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(c, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * c * 2, 28);
  buf.writeUInt16LE(c * 2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(n * c * 2, 40);
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) buf.writeInt16LE(Math.round(((channels[k] as Float32Array)[i] as number) * 32767), 44 + (i * c + k) * 2);
  return buf;
}
