import { describe, expect, it } from 'vitest';
import { decode, decodeInto, encode, encodeInto } from './g711';
import { mixFrame } from './mix-frame';
import { planMix, type MixSeatSpec } from './mix-plan';

const N = 160;
const frame = (v: number) => new Int16Array(N).fill(v);
const outs = (n: number) => Array.from({ length: n }, () => new Int16Array(N));
const talk: MixSeatSpec = { mode: 'talk', whisperTo: null };

describe('mixFrame', () => {
  it('gives each member the sum of the others, its own audio left out', () => {
    const o = outs(3);
    mixFrame(planMix([talk, talk, talk]), [frame(100), frame(20), frame(3)], new Int32Array(N), o);
    expect([o[0]![0], o[1]![0], o[2]![0]]).toEqual([23, 103, 120]);
  });

  it('saturates instead of wrapping when loud talkers add up', () => {
    const o = outs(3);
    mixFrame(planMix([talk, talk, talk]), [frame(30000), frame(30000), frame(-30000)], new Int32Array(N), o);
    expect(o[2]![0]).toBe(32767);
    expect(o[0]![0]).toBe(0);
    mixFrame(planMix([talk, talk, talk]), [frame(-30000), frame(-30000), frame(5)], new Int32Array(N), o);
    expect(o[2]![0]).toBe(-32768);
  });

  it('treats a member that sent nothing this tick as silence', () => {
    const o = outs(3);
    mixFrame(planMix([talk, talk, talk]), [frame(100), null, frame(3)], new Int32Array(N), o);
    expect([o[0]![0], o[1]![0], o[2]![0]]).toEqual([3, 103, 100]);
  });

  it('listen contributes nothing; whisper reaches only its target', () => {
    const o = outs(4);
    const plan = planMix([talk, talk, { mode: 'listen', whisperTo: null }, { mode: 'whisper', whisperTo: 1 }]);
    mixFrame(plan, [frame(1000), frame(200), frame(30), frame(4)], new Int32Array(N), o);
    expect([o[0]![0], o[1]![0], o[2]![0], o[3]![0]]).toEqual([200, 1004, 1200, 1200]);
  });

  it('writes into the buffers it is given (no new arrays per frame)', () => {
    const o = outs(2);
    const before = o.map((x) => x.buffer);
    mixFrame(planMix([talk, talk]), [frame(1), frame(2)], new Int32Array(N), o);
    expect(o.map((x) => x.buffer)).toEqual(before);
  });
});

describe('G.711 into preallocated buffers', () => {
  it('matches the allocating encode/decode in both laws for every 16-bit sample', () => {
    const pcm = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    for (const law of ['PCMU', 'PCMA'] as const) {
      const out = new Uint8Array(pcm.length);
      encodeInto(out, pcm, law);
      expect(Buffer.from(out).equals(encode(pcm, law))).toBe(true);
      const back = new Int16Array(256);
      const bytes = Uint8Array.from({ length: 256 }, (_, b) => b);
      decodeInto(back, bytes, law);
      expect([...back]).toEqual([...decode(bytes, law)]);
    }
  });

  it('pads a short payload with silence', () => {
    const out = new Int16Array(4).fill(7);
    decodeInto(out, encode(Int16Array.of(1000, 1000), 'PCMU'), 'PCMU');
    expect(out[2]).toBe(0);
    expect(out[3]).toBe(0);
  });
});
