/**
 * G.711 μ-law and A-law (ITU-T G.711), as pure functions on 16-bit linear PCM.
 * The ACD negotiates only G.711 with every party, so this is the whole codec story:
 * encode hold music once at startup, and transcode PCMU↔PCMA when two bridged legs
 * ended up with different laws.
 */

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;

/** 16-bit linear sample → μ-law byte (the classic Sun g711.c segment search). */
export function linearToUlaw(sample: number): number {
  let pcm = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = pcm < 0 ? 0x80 : 0;
  if (sign) pcm = -pcm;
  if (pcm > ULAW_CLIP) pcm = ULAW_CLIP;
  pcm += ULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (pcm & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (pcm >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** μ-law byte → 16-bit linear sample. */
export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
  return sign ? 0 - magnitude || 0 : magnitude;
}

/** 16-bit linear sample → A-law byte (even bits inverted with 0x55, as on the wire). */
export function linearToAlaw(sample: number): number {
  let pcm = Math.max(-32768, Math.min(32767, Math.round(sample)));
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  // A-law works on 13-bit magnitude.
  pcm >>= 3;
  let seg = 0;
  const segEnds = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
  while (seg < 8 && pcm > (segEnds[seg] as number)) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  const aval = (seg << 4) | (seg < 2 ? (pcm >> 1) & 0x0f : (pcm >> seg) & 0x0f);
  return aval ^ mask;
}

/** A-law byte → 16-bit linear sample. */
export function alawToLinear(byte: number): number {
  const a = (byte ^ 0x55) & 0xff;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

export type G711Law = 'PCMU' | 'PCMA';

const ULAW_DECODE = Int16Array.from({ length: 256 }, (_, b) => ulawToLinear(b));
const ALAW_DECODE = Int16Array.from({ length: 256 }, (_, b) => alawToLinear(b));
const ULAW_TO_ALAW = Uint8Array.from({ length: 256 }, (_, b) => linearToAlaw(ulawToLinear(b)));
const ALAW_TO_ULAW = Uint8Array.from({ length: 256 }, (_, b) => linearToUlaw(alawToLinear(b)));

export function encode(pcm: Int16Array, law: G711Law): Buffer {
  const out = Buffer.alloc(pcm.length);
  const f = law === 'PCMU' ? linearToUlaw : linearToAlaw;
  for (let i = 0; i < pcm.length; i++) out[i] = f(pcm[i] as number);
  return out;
}

export function decode(bytes: Uint8Array, law: G711Law): Int16Array {
  const table = law === 'PCMU' ? ULAW_DECODE : ALAW_DECODE;
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i] as number] as number;
  return out;
}

/** Converts a G.711 payload from one law to the other through linear PCM (table lookup). */
export function transcode(payload: Uint8Array, from: G711Law, to: G711Law): Buffer {
  if (from === to) return Buffer.from(payload);
  const table = from === 'PCMU' ? ULAW_TO_ALAW : ALAW_TO_ULAW;
  const out = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = table[payload[i] as number] as number;
  return out;
}

/** The byte of digital silence in each law (linear 0). */
export const SILENCE_BYTE: Readonly<Record<G711Law, number>> = { PCMU: 0xff, PCMA: 0xd5 };
const SILENCE_FRAMES: Record<G711Law, Buffer> = { PCMU: Buffer.alloc(160, 0xff), PCMA: Buffer.alloc(160, 0xd5) };

/** A silent payload of `length` bytes; the usual 20 ms frame is one shared buffer (never written to). */
export function silenceFrame(law: G711Law, length: number): Buffer {
  return length === 160 ? SILENCE_FRAMES[law] : Buffer.alloc(length, SILENCE_BYTE[law]);
}

// Whole-range encode tables (64 KiB each): the mixer encodes every member's frame every 20 ms.
const ULAW_ENCODE = Uint8Array.from({ length: 65536 }, (_, i) => linearToUlaw(i - 32768));
const ALAW_ENCODE = Uint8Array.from({ length: 65536 }, (_, i) => linearToAlaw(i - 32768));

/** Decodes into `out` (no allocation); bytes beyond `out` are ignored, missing ones are silence. */
export function decodeInto(out: Int16Array, bytes: Uint8Array, law: G711Law): void {
  const table = law === 'PCMU' ? ULAW_DECODE : ALAW_DECODE;
  const n = Math.min(out.length, bytes.length);
  for (let i = 0; i < n; i++) out[i] = table[bytes[i] as number] as number;
  if (n < out.length) out.fill(0, n);
}

/** Encodes `pcm` into `out` (no allocation), by table lookup. */
export function encodeInto(out: Uint8Array, pcm: Int16Array, law: G711Law): void {
  const table = law === 'PCMU' ? ULAW_ENCODE : ALAW_ENCODE;
  const n = Math.min(out.length, pcm.length);
  for (let i = 0; i < n; i++) out[i] = table[(pcm[i] as number) + 32768] as number;
}
