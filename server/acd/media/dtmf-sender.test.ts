import { describe, expect, it } from 'vitest';
import { DtmfDetector } from './dtmf-detector';
import { digitPackets } from './dtmf-sender';

describe('RFC 4733 digit packets', () => {
  it('grows the duration a frame at a time, marks the first packet, ends with three end packets', () => {
    const p = digitPackets('#', 100, 3);
    expect(p.map((x) => x.payload.readUInt16BE(2))).toEqual([160, 320, 480, 640, 800, 800, 800]);
    expect(p.map((x) => x.marker)).toEqual([true, false, false, false, false, false, false]);
    expect(p.map((x) => (x.payload[1]! & 0x80) !== 0)).toEqual([false, false, false, false, true, true, true]);
    expect(new Set(p.map((x) => x.ts)).size).toBe(1);
    expect(p.map((x) => x.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(new Set(p.map((x) => x.source))).toEqual(new Set(['dtmf:3']));
  });

  it('is read back as one digit of the asked duration by the ACD’s own detector', () => {
    const d = new DtmfDetector();
    const events = ['1', 'A'].flatMap((digit, n) => digitPackets(digit, 200, n).flatMap((p) => d.feed(1, n * 10_000, p.payload)));
    expect(events).toEqual([
      { digit: '1', durationMs: 200 },
      { digit: 'A', durationMs: 200 },
    ]);
  });

  it('sends a digit shorter than a frame as one frame', () => {
    const p = digitPackets('5', 10, 0);
    expect(p).toHaveLength(3);
    expect(p[0]!.marker).toBe(true);
  });
});
