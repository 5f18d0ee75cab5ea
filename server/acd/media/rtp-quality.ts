/**
 * How well a party's audio reaches the ACD, from the RTP it sends (RFC 3550 appendix A.1 and A.8,
 * pure): packets lost, from the gaps in the sequence numbers, and the interarrival jitter, from
 * each packet's arrival against its RTP timestamp (8 kHz: G.711). O(1) per packet, no allocation.
 * `take()` answers the loss since the previous `take()` (what the call is like now, not since it
 * began) and the jitter estimate as it stands. A new SSRC (the party restarted its stream) starts
 * the count again.
 */
export interface RtpQualityFigures {
  /** packets received since the last take */
  packets: number;
  /** of the packets expected since the last take, the share that never came, % (one decimal) */
  lossPct: number;
  /** the interarrival jitter estimate, ms (one decimal) */
  jitterMs: number;
}

const CLOCK_PER_MS = 8; // G.711's 8 kHz RTP clock

export class RtpQualityMeter {
  private ssrc: number | null = null;
  private maxSeq = 0;
  private cycles = 0;
  private baseSeq = 0;
  private received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private lastTransit: number | null = null;
  private jitter = 0;
  /** packets lost in the streams before the current SSRC */
  private lostBefore = 0;

  /** One packet: its sequence number, RTP timestamp, SSRC, arrival (ms, any monotonic clock); `audio` false for RFC 4733 events (no jitter from them). */
  feed(seq: number, timestamp: number, ssrc: number, arrivalMs: number, audio: boolean): void {
    if (ssrc !== this.ssrc) this.restart(ssrc, seq);
    else if (seq < this.maxSeq && this.maxSeq - seq > 32768) {
      this.cycles += 65536; // wrapped
      this.maxSeq = seq;
    } else if (seq > this.maxSeq && seq - this.maxSeq < 32768) this.maxSeq = seq;
    this.received++;
    if (!audio) return;
    const transit = arrivalMs * CLOCK_PER_MS - timestamp;
    if (this.lastTransit !== null) {
      let d = Math.abs(transit - this.lastTransit);
      // a timestamp that jumped by more than a minute is a new talk spurt's clock, not jitter
      if (d > 60_000 * CLOCK_PER_MS) d = this.jitter;
      this.jitter += (d - this.jitter) / 16;
    }
    this.lastTransit = transit;
  }

  take(): RtpQualityFigures {
    const expected = this.ssrc === null ? 0 : this.cycles + this.maxSeq - this.baseSeq + 1;
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = this.received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const lost = Math.max(0, expectedInterval - receivedInterval);
    return {
      packets: receivedInterval,
      lossPct: expectedInterval > 0 ? Math.round((1000 * lost) / expectedInterval) / 10 : 0,
      jitterMs: Math.round((10 * this.jitter) / CLOCK_PER_MS) / 10,
    };
  }

  /** Packets lost since the first packet, over every SSRC the party used (for /metrics). */
  get lostTotal(): number {
    return this.lostBefore + this.lostNow();
  }

  /** The interarrival jitter estimate now, ms. */
  get jitterMs(): number {
    return this.jitter / CLOCK_PER_MS;
  }

  private lostNow(): number {
    return this.ssrc === null ? 0 : Math.max(0, this.cycles + this.maxSeq - this.baseSeq + 1 - this.received);
  }

  private restart(ssrc: number, seq: number): void {
    this.lostBefore += this.lostNow();
    this.ssrc = ssrc;
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.cycles = 0;
    this.received = 0;
    this.expectedPrior = 0;
    this.receivedPrior = 0;
    this.lastTransit = null;
    this.jitter = 0;
  }
}
