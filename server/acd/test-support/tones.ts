import { decode, encode } from '../media/g711';
import type { SeenRtp, UdpRtpPeer } from '../media/test-udp-peer';

/**
 * Tones for media tests: each party speaks its own frequency, and what a party received
 * is checked by the power at each frequency (Goertzel), so "A hears B, never C" is a
 * measurement, not a packet count. Frequencies above 2.1 kHz stay clear of the built-in
 * hold music (notes and harmonics below 2 kHz).
 */
export const TONE = { caller: 2200, operator: 2700, third: 3100 } as const;

export function tone(hz: number, amp: number, samples: number, from = 0): Int16Array {
  return Int16Array.from({ length: samples }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * hz * (from + i)) / 8000)));
}

/** Amplitude of one frequency in a block (Goertzel, normalised: a sine of amplitude A reads ≈ A/2). */
export function goertzel(pcm: Int16Array, hz: number): number {
  if (pcm.length === 0) return 0;
  const k = 2 * Math.cos((2 * Math.PI * hz) / 8000);
  let s1 = 0;
  let s2 = 0;
  for (const x of pcm) {
    const s = x + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - k * s1 * s2)) / pcm.length;
}

export function rms(pcm: Int16Array): number {
  if (pcm.length === 0) return 0;
  let s = 0;
  for (const v of pcm) s += v * v;
  return Math.sqrt(s / pcm.length);
}

/** The audio (PCMU/PCMA payloads) a peer received from packet index `from` on, decoded. */
export function heardPcm(received: readonly SeenRtp[], from = 0): Int16Array {
  const frames = received.slice(from).filter((p) => p.pt === 0 || p.pt === 8);
  const out = new Int16Array(frames.length * 160);
  let o = 0;
  for (const f of frames) {
    const pcm = decode(f.payload, f.pt === 0 ? 'PCMU' : 'PCMA');
    out.set(pcm.subarray(0, Math.min(pcm.length, out.length - o)), o);
    o += pcm.length;
  }
  return out.subarray(0, o);
}

/** Sends a tone from a plain RTP peer in 20 ms frames until the returned function is called. */
export function speak(peer: UdpRtpPeer, pt: 0 | 8, hz: number, amp = 6000): () => void {
  let n = 0;
  const t = setInterval(() => {
    peer.send(pt, encode(tone(hz, amp, 160, n * 160), pt === 0 ? 'PCMU' : 'PCMA'));
    n++;
  }, 20);
  return () => clearInterval(t);
}
