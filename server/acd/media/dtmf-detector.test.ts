import { describe, expect, it } from 'vitest';
import { DtmfDetector, dtmfPayload } from './dtmf-detector';

describe('DtmfDetector (RFC 4733)', () => {
  it('reports an event once, on its first end packet, with its duration', () => {
    const d = new DtmfDetector();
    const seen = [];
    for (let dur = 0; dur <= 1600; dur += 320) seen.push(...d.feed(1, 1000, dtmfPayload('7', false, dur)));
    expect(seen).toEqual([]);
    for (let i = 0; i < 3; i++) seen.push(...d.feed(1, 1000, dtmfPayload('7', true, 1760)));
    expect(seen).toEqual([{ digit: '7', durationMs: 220 }]);
  });

  it('reads every digit, * # and A-D, and ignores non-digit events', () => {
    const d = new DtmfDetector();
    const got = [...'0123456789*#ABCD'].flatMap((digit, i) => d.feed(9, i * 10_000, dtmfPayload(digit, true, 800)).map((e) => e.digit));
    expect(got.join('')).toBe('0123456789*#ABCD');
    expect(d.feed(9, 999_999, Buffer.from([16, 0x8a, 0, 100]))).toEqual([]); // flash
  });

  it('reports an event whose end packets were all lost when the next one starts, and ignores late retransmissions', () => {
    const d = new DtmfDetector();
    expect(d.feed(1, 100, dtmfPayload('1', false, 400))).toEqual([]);
    expect(d.feed(1, 5000, dtmfPayload('2', false, 160))).toEqual([{ digit: '1', durationMs: 50 }]);
    expect(d.feed(1, 5000, dtmfPayload('2', true, 640))).toEqual([{ digit: '2', durationMs: 80 }]);
    expect(d.feed(1, 100, dtmfPayload('1', true, 800))).toEqual([]); // late end of the first
    expect(d.feed(1, 5000, dtmfPayload('2', true, 640))).toEqual([]);
  });

  it('keeps the same timestamp from two sources apart and refuses short payloads', () => {
    const d = new DtmfDetector();
    expect(d.feed(1, 100, dtmfPayload('4', true, 800))).toHaveLength(1);
    expect(d.feed(2, 100, dtmfPayload('4', true, 800))).toHaveLength(1);
    expect(d.feed(3, 100, Buffer.from([1, 0x80]))).toEqual([]);
  });
});
