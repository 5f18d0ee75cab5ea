/**
 * RFC 4733 telephone-event decoding, pure. One event is one RTP timestamp of one SSRC; the
 * sender repeats its packets while the key is held and sends the end packet (E bit) three
 * times. We report each event once, on its first end packet, with the duration it carries
 * (timestamp units at 8 kHz → ms). If an event's end packets are all lost and a new event
 * starts, the old one is reported then, with the longest duration seen.
 */
export interface DtmfEvent {
  readonly digit: string;
  readonly durationMs: number;
}

const DIGITS = '0123456789*#ABCD';
const CLOCK_HZ = 8000;
/** Recently finished events (late or reordered end packets of these are ignored). */
const REMEMBER = 16;

interface Current {
  key: string;
  event: number;
  duration: number;
  ended: boolean;
}

export class DtmfDetector {
  private current: Current | null = null;
  private readonly finished: string[] = [];

  /** Feeds one telephone-event payload; returns the events completed by it (usually none or one). */
  feed(ssrc: number, timestamp: number, payload: Uint8Array): DtmfEvent[] {
    if (payload.length < 4) return [];
    const event = payload[0] as number;
    const end = ((payload[1] as number) & 0x80) !== 0;
    const duration = ((payload[2] as number) << 8) | (payload[3] as number);
    const key = `${ssrc}:${timestamp}`;
    const out: DtmfEvent[] = [];
    const cur = this.current;
    if (cur && cur.key === key) {
      if (cur.ended) return out; // a retransmitted end packet
      cur.duration = Math.max(cur.duration, duration);
      if (end) this.finish(cur, out);
      return out;
    }
    if (this.finished.includes(key)) return out; // a late packet of an event already reported
    if (cur && !cur.ended) this.finish(cur, out); // its end packets were lost
    const next: Current = { key, event, duration, ended: false };
    this.current = next;
    if (end) this.finish(next, out);
    return out;
  }

  private finish(cur: Current, out: DtmfEvent[]): void {
    cur.ended = true;
    this.finished.push(cur.key);
    if (this.finished.length > REMEMBER) this.finished.shift();
    const digit = DIGITS[cur.event];
    // events 16+ (flash, tones) are not digits: nobody downstream understands them
    if (digit !== undefined) out.push({ digit, durationMs: Math.round((cur.duration * 1000) / CLOCK_HZ) });
  }
}

/** Builds a telephone-event payload (tests and announcements of digits). */
export function dtmfPayload(digit: string, end: boolean, durationSamples: number, volume = 10): Buffer {
  const event = DIGITS.indexOf(digit.toUpperCase());
  if (event < 0) throw new RangeError(`not a DTMF digit: ${digit}`);
  const b = Buffer.alloc(4);
  b[0] = event;
  b[1] = (end ? 0x80 : 0) | (volume & 0x3f);
  b.writeUInt16BE(durationSamples & 0xffff, 2);
  return b;
}
