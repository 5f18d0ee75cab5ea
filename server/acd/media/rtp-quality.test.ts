import { describe, expect, it } from 'vitest';
import { RtpQualityMeter } from './rtp-quality';

/** A 20 ms stream (160 timestamp units per packet) from `seq0`, with arrival offsets per packet. */
function stream(m: RtpQualityMeter, n: number, o: { seq0?: number; skip?: (i: number) => boolean; late?: (i: number) => number; ssrc?: number } = {}) {
  for (let i = 0; i < n; i++) {
    if (o.skip?.(i)) continue;
    m.feed(((o.seq0 ?? 100) + i) & 0xffff, 1000 + i * 160, o.ssrc ?? 7, i * 20 + (o.late?.(i) ?? 0), true);
  }
}

describe('RTP quality (RFC 3550 loss and jitter)', () => {
  it('a clean stream: no loss, no jitter', () => {
    const m = new RtpQualityMeter();
    stream(m, 250);
    expect(m.take()).toEqual({ packets: 250, lossPct: 0, jitterMs: 0 });
  });

  it('counts the packets that never came, per interval, across a sequence wrap', () => {
    const m = new RtpQualityMeter();
    stream(m, 200, { seq0: 65500, skip: (i) => i % 10 === 3 }); // one in ten lost, wrapping at 65535
    expect(m.take()).toMatchObject({ packets: 180, lossPct: 10 });
    // the next interval is clean: its loss is its own, not the call's so far
    for (let i = 200; i < 300; i++) m.feed((65500 + i) & 0xffff, 1000 + i * 160, 7, i * 20, true);
    expect(m.take()).toMatchObject({ packets: 100, lossPct: 0 });
  });

  it('jitter: packets arriving ±10 ms off their 20 ms slots settle near the RFC estimate', () => {
    const m = new RtpQualityMeter();
    stream(m, 500, { late: (i) => (i % 2 === 0 ? 0 : 10) });
    // |D| is 10 ms for every pair: J converges to 10 ms
    expect(m.take().jitterMs).toBeCloseTo(10, 0);
  });

  it('a new SSRC starts again; DTMF events count for loss but not jitter', () => {
    const m = new RtpQualityMeter();
    stream(m, 50, { skip: (i) => i === 10 });
    m.take();
    stream(m, 50, { seq0: 9000, ssrc: 8 });
    expect(m.take()).toMatchObject({ packets: 50, lossPct: 0 });
    m.feed(9050, 999_999, 8, 5000, false);
    expect(m.take()).toEqual({ packets: 1, lossPct: 0, jitterMs: 0 });
    expect(new RtpQualityMeter().take()).toEqual({ packets: 0, lossPct: 0, jitterMs: 0 });
  });
});
