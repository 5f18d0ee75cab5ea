import { randomInt } from 'node:crypto';
import { SAMPLE_RATE } from './audio-clip';

/** What the rewriter decides for one outgoing packet. */
export interface RewrittenHeader {
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
}

/**
 * The one RTP stream the ACD sends to a party. Its sources change (hold music, then the
 * other party's audio, then music again...), but the party must see one continuous stream:
 * sequence numbers keep counting by one and timestamps keep advancing with wall time.
 *
 * Each source is identified by a key (e.g. `clip`, or `leg-id:ssrc`). While a source
 * stays the same, its own seq/timestamp deltas are preserved (so losses and reordering
 * stay visible to the receiver's jitter buffer); on a change, new offsets are computed
 * from the last packet sent and the wall time since, and the marker bit is set to start
 * a new talkspurt.
 */
export class RtpStreamRewriter {
  private lastSeq: number;
  private lastTs: number;
  private lastWallMs: number | null = null;
  private source: string | null = null;
  private seqOffset = 0;
  private tsOffset = 0;

  constructor(initial: { seq: number; ts: number } = { seq: randomInt(0, 0x10000), ts: randomInt(0, 0x1_0000_0000) }) {
    this.lastSeq = (initial.seq - 1) & 0xffff;
    this.lastTs = (initial.ts - 160) >>> 0; // so the very first packet carries `initial.ts`
  }

  rewrite(source: string, inSeq: number, inTs: number, inMarker: boolean, nowMs: number): RewrittenHeader {
    let marker = inMarker;
    if (source !== this.source) {
      const elapsedSamples =
        this.lastWallMs === null ? 0 : Math.max(0, Math.round(((nowMs - this.lastWallMs) * SAMPLE_RATE) / 1000));
      // At least one 20 ms frame after the last packet, so timestamps never go backwards.
      const nextTs = (this.lastTs + Math.max(160, elapsedSamples)) >>> 0;
      this.seqOffset = ((this.lastSeq + 1 - inSeq) & 0xffff) >>> 0;
      this.tsOffset = (nextTs - inTs) >>> 0;
      this.source = source;
      marker = true;
    }
    const sequenceNumber = (inSeq + this.seqOffset) & 0xffff;
    const timestamp = (inTs + this.tsOffset) >>> 0;
    // Only move "last" forward, so a late reordered packet does not pull the next offset back.
    if (((sequenceNumber - this.lastSeq) & 0xffff) < 0x8000) {
      this.lastSeq = sequenceNumber;
      this.lastTs = timestamp;
    }
    this.lastWallMs = nowMs;
    return { sequenceNumber, timestamp, marker };
  }

  /** Forget the current source, so the next packet (even from the same source) starts a new segment. */
  resetSource(): void {
    this.source = null;
  }
}
