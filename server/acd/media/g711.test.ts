import { describe, expect, it } from 'vitest';
import { alawToLinear, decode, encode, linearToAlaw, linearToUlaw, transcode, ulawToLinear } from './g711';

// Reference values from ITU-T G.711 / the Sun reference implementation (g711.c).
describe('μ-law', () => {
  it('encodes known samples', () => {
    expect(linearToUlaw(0)).toBe(0xff);
    expect(linearToUlaw(-1)).toBe(0x7f);
    expect(linearToUlaw(32767)).toBe(0x80);
    expect(linearToUlaw(-32768)).toBe(0x00);
    expect(linearToUlaw(1000)).toBe(0xce);
    expect(linearToUlaw(-1000)).toBe(0x4e);
  });
  it('decodes known bytes', () => {
    expect(ulawToLinear(0xff)).toBe(0);
    expect(ulawToLinear(0x80)).toBe(32124);
    expect(ulawToLinear(0x00)).toBe(-32124);
    expect(ulawToLinear(0xce)).toBe(988);
  });
  it('is idempotent through decode/encode for every code', () => {
    for (let b = 0; b < 256; b++) {
      const lin = ulawToLinear(b);
      expect(ulawToLinear(linearToUlaw(lin))).toBe(lin);
    }
  });
});

describe('A-law', () => {
  it('encodes known samples', () => {
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(linearToAlaw(-1)).toBe(0x55);
    expect(linearToAlaw(32767)).toBe(0xaa);
    expect(linearToAlaw(-32768)).toBe(0x2a);
    expect(linearToAlaw(1000)).toBe(0xfa);
  });
  it('decodes known bytes', () => {
    expect(alawToLinear(0xd5)).toBe(8);
    expect(alawToLinear(0x55)).toBe(-8);
    expect(alawToLinear(0xaa)).toBe(32256);
    expect(alawToLinear(0x2a)).toBe(-32256);
    expect(alawToLinear(0xfa)).toBe(1008);
  });
  it('is idempotent through decode/encode for every code', () => {
    for (let b = 0; b < 256; b++) {
      const lin = alawToLinear(b);
      expect(alawToLinear(linearToAlaw(lin))).toBe(lin);
    }
  });
});

describe('buffers and transcoding', () => {
  it('keeps a sine within quantisation error', () => {
    const pcm = Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
    for (const law of ['PCMU', 'PCMA'] as const) {
      const back = decode(encode(pcm, law), law);
      for (let i = 0; i < pcm.length; i++) {
        expect(Math.abs((back[i] as number) - (pcm[i] as number))).toBeLessThanOrEqual(Math.abs(pcm[i] as number) / 16 + 16);
      }
    }
  });
  it('transcodes μ-law to A-law like decode+encode', () => {
    const u = Buffer.from([0xff, 0x80, 0x00, 0xce, 0x4e, 0x10]);
    expect([...transcode(u, 'PCMU', 'PCMA')]).toEqual([...encode(decode(u, 'PCMU'), 'PCMA')]);
    expect([...transcode(u, 'PCMU', 'PCMU')]).toEqual([...u]);
  });
});
