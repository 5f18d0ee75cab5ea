import { encode, type G711Law } from './g711';

/** 8 kHz G.711: 20 ms of audio is 160 samples, one byte each. */
export const SAMPLE_RATE = 8000;
export const FRAME_SAMPLES = 160;
export const FRAME_MS = 20;

/**
 * A clip ready to send: its audio cut into 20 ms frames and encoded once in both laws,
 * so playing it costs no encoding per packet.
 */
export interface AudioClip {
  readonly name: string;
  readonly frameCount: number;
  readonly frames: Readonly<Record<G711Law, readonly Buffer[]>>;
}

/** Cuts 8 kHz linear PCM into 160-sample frames (the last one padded with silence) and encodes both laws. */
export function makeClip(name: string, pcm: Int16Array): AudioClip {
  if (pcm.length === 0) throw new RangeError(`clip ${name} is empty`);
  const frameCount = Math.ceil(pcm.length / FRAME_SAMPLES);
  const padded = new Int16Array(frameCount * FRAME_SAMPLES);
  padded.set(pcm);
  const cut = (law: G711Law): Buffer[] => {
    const all = encode(padded, law);
    return Array.from({ length: frameCount }, (_, i) => all.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES));
  };
  return { name, frameCount, frames: { PCMU: cut('PCMU'), PCMA: cut('PCMA') } };
}

/** Frames encoded per step of `makeClipGently` (10 s of audio: a few ms of CPU). */
const GENTLE_FRAMES = 500;

/**
 * `makeClip` for long clips loaded while calls are up: encodes a step at a time and yields to
 * the event loop between steps, so a ten-minute clip does not hold up the RTP pacer.
 */
export async function makeClipGently(name: string, pcm: Int16Array): Promise<AudioClip> {
  if (pcm.length === 0) throw new RangeError(`clip ${name} is empty`);
  const frameCount = Math.ceil(pcm.length / FRAME_SAMPLES);
  const padded = new Int16Array(frameCount * FRAME_SAMPLES);
  padded.set(pcm);
  const frames: Record<G711Law, Buffer[]> = { PCMU: [], PCMA: [] };
  for (let f = 0; f < frameCount; f += GENTLE_FRAMES) {
    const block = padded.subarray(f * FRAME_SAMPLES, Math.min(frameCount, f + GENTLE_FRAMES) * FRAME_SAMPLES);
    for (const law of ['PCMU', 'PCMA'] as const) {
      const enc = encode(block, law);
      for (let i = 0; i < enc.length; i += FRAME_SAMPLES) frames[law].push(enc.subarray(i, i + FRAME_SAMPLES));
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { name, frameCount, frames };
}
