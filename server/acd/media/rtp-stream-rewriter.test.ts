import { describe, expect, it, vi } from 'vitest';
import { FramePacer } from './frame-pacer';
import { RtpStreamRewriter } from './rtp-stream-rewriter';

describe('RtpStreamRewriter', () => {
  it('keeps one continuous stream across a change of source', () => {
    const rw = new RtpStreamRewriter({ seq: 65534, ts: 0xffffff00 });
    // Music: 3 frames, 20 ms apart.
    const music = [0, 1, 2].map((n) => rw.rewrite('clip', n, n * 160, false, 1000 + n * 20));
    expect(music.map((h) => h.sequenceNumber)).toEqual([65534, 65535, 0]);
    expect(music.map((h) => h.timestamp)).toEqual([0xffffff00, 0xffffffa0 >>> 0, 0x40]);
    expect(music.map((h) => h.marker)).toEqual([true, false, false]);
    // The other party's audio arrives 100 ms later with its own numbering.
    const a = rw.rewrite('leg-b:42', 30000, 123456, false, 1140);
    expect(a.sequenceNumber).toBe(1);
    expect(a.timestamp).toBe((0x40 + 100 * 8) >>> 0);
    expect(a.marker).toBe(true);
    // Its deltas are kept: a lost packet (seq +2) stays a gap; timestamps follow.
    const b = rw.rewrite('leg-b:42', 30002, 123456 + 320, false, 1180);
    expect(b).toEqual({ sequenceNumber: 3, timestamp: (0x40 + 800 + 320) >>> 0, marker: false });
    // A late reordered packet is passed through and does not move the stream back.
    expect(rw.rewrite('leg-b:42', 30001, 123456 + 160, false, 1181).sequenceNumber).toBe(2);
    expect(rw.rewrite('clip', 0, 0, false, 1190).sequenceNumber).toBe(4);
  });

  it('never lets timestamps stall when sources switch quickly', () => {
    const rw = new RtpStreamRewriter({ seq: 0, ts: 0 });
    const x = rw.rewrite('a', 5, 5000, false, 0);
    const y = rw.rewrite('b', 9, 9000, false, 0);
    expect(y.timestamp - x.timestamp).toBe(160);
    expect(rw.rewrite('b', 10, 9160, false, 20).marker).toBe(false);
  });
});

describe('FramePacer', () => {
  it('paces frames against the clock, catches up a little and skips a long stall', () => {
    vi.useFakeTimers();
    try {
      let now = 0;
      const frames: number[] = [];
      const pacer = new FramePacer((n) => frames.push(n), () => now, 3);
      pacer.start();
      expect(frames).toEqual([0]);
      for (let i = 0; i < 5; i++) {
        now += 20;
        vi.advanceTimersByTime(20);
      }
      expect(frames).toEqual([0, 1, 2, 3, 4, 5]);
      // The loop was blocked for 200 ms: at most 3 frames of catch-up, then on time again.
      now += 200;
      vi.advanceTimersByTime(20);
      expect(frames.slice(6)).toEqual([12, 13, 14, 15]);
      pacer.stop();
      pacer.stop();
      now += 100;
      vi.advanceTimersByTime(100);
      expect(frames).toHaveLength(10);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
