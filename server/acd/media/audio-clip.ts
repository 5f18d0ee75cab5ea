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
