// Writes the pages' sound files into public/sounds/ (committed; run again after a change here).
// Tones are synthesised, not recorded, so the repo holds no third-party audio.
import { writeFileSync } from 'node:fs';

const RATE = 8000; // plenty for tones under 500 Hz, half the bytes

function wav(samples) {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(s))), i * 2));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(RATE, 24);
  h.writeUInt32LE(RATE * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** `on` seconds of the summed tones (10 ms fades, no clicks), then `off` seconds of silence. */
function cadence(freqs, on, off, level) {
  const n = Math.round((on + off) * RATE);
  const onN = Math.round(on * RATE);
  const fade = Math.round(0.01 * RATE);
  const out = new Float64Array(n);
  for (let i = 0; i < onN; i++) {
    const env = Math.min(1, i / fade, (onN - i) / fade);
    out[i] = (level * env * freqs.reduce((a, f) => a + Math.sin((2 * Math.PI * f * i) / RATE), 0)) / freqs.length;
  }
  return out;
}

// The operator's incoming-call ring: the North American ring (440 + 480 Hz), 1 s on, 2 s off;
// the page loops it while a call is offered.
writeFileSync(new URL('../public/sounds/ringtone.wav', import.meta.url), wav(cadence([440, 480], 1, 2, 9000)));
