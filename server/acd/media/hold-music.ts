import { SAMPLE_RATE } from './audio-clip';

/**
 * The built-in `default` hold music: a slow arpeggio over four chords
 * (Cmaj7 – Am7 – Fmaj7 – G7sus), soft bell-like notes with a quiet pad underneath,
 * 8 s long. Every note and the pad fade out inside the loop, so the clip loops without
 * a click. Normalised to an RMS level of -16 dBFS (full scale = a ±32768 square wave).
 */
export const HOLD_MUSIC_LEVEL_DBFS = -16;

const CHORDS: readonly (readonly number[])[] = [
  [60, 64, 67, 71], // Cmaj7
  [57, 60, 64, 67], // Am7
  [53, 57, 60, 64], // Fmaj7
  [55, 60, 62, 65], // G7sus4
];
const CHORD_SEC = 2;
const NOTE_SEC = 0.25;

const midiHz = (note: number): number => 440 * 2 ** ((note - 69) / 12);

export function synthesizeHoldMusic(): Int16Array {
  const total = CHORDS.length * CHORD_SEC * SAMPLE_RATE;
  const mix = new Float64Array(total);
  CHORDS.forEach((chord, c) => {
    const chordStart = c * CHORD_SEC * SAMPLE_RATE;
    const chordLen = CHORD_SEC * SAMPLE_RATE;
    // Pad: the chord's lower notes, slow swell and fade within the chord's own two seconds.
    for (let i = 0; i < chordLen; i++) {
      const env = Math.sin((Math.PI * i) / chordLen) ** 2;
      let s = 0;
      for (const n of chord.slice(0, 3)) s += Math.sin((2 * Math.PI * midiHz(n - 12) * i) / SAMPLE_RATE);
      mix[chordStart + i] = (mix[chordStart + i] as number) + 0.12 * env * s;
    }
    // Arpeggio up and down: 8 notes of 250 ms, each ringing for up to 500 ms but ending in the chord.
    const pattern = [0, 1, 2, 3, 2, 1, 0, 1];
    pattern.forEach((k, step) => {
      const hz = midiHz((chord[k] as number) + 12);
      const start = chordStart + Math.round(step * NOTE_SEC * SAMPLE_RATE);
      const len = Math.min(Math.round(2 * NOTE_SEC * SAMPLE_RATE), chordStart + chordLen - start);
      for (let i = 0; i < len; i++) {
        const t = i / SAMPLE_RATE;
        const attack = Math.min(1, i / 80);
        const release = Math.min(1, (len - i) / 400);
        const env = attack * Math.exp(-5 * t) * release;
        // A touch of the second harmonic makes it bell-like rather than a bare sine.
        const s = Math.sin(2 * Math.PI * hz * t) + 0.2 * Math.sin(4 * Math.PI * hz * t);
        mix[start + i] = (mix[start + i] as number) + env * s;
      }
    });
  });
  return normalise(mix, HOLD_MUSIC_LEVEL_DBFS);
}

/** Scales to the target RMS level; a soft limiter keeps rare peaks away from clipping. */
function normalise(x: Float64Array, dbfs: number): Int16Array {
  let sum = 0;
  for (const v of x) sum += v * v;
  const rms = Math.sqrt(sum / x.length);
  const gain = (32768 * 10 ** (dbfs / 20)) / rms;
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = (x[i] as number) * gain;
    out[i] = Math.round(Math.abs(v) < 24000 ? v : Math.sign(v) * (24000 + 8000 * Math.tanh((Math.abs(v) - 24000) / 8000)));
  }
  return out;
}

/** RMS level of linear PCM in dBFS (exported for tests and for checking loaded clips). */
export function rmsDbfs(pcm: Int16Array): number {
  let sum = 0;
  for (const v of pcm) sum += v * v;
  return 20 * Math.log10(Math.sqrt(sum / pcm.length) / 32768);
}
