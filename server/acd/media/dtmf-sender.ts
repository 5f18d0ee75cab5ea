import { FRAME_SAMPLES } from './audio-clip';
import { dtmfPayload } from './dtmf-detector';
import { FramePacer } from './frame-pacer';

/** One telephone-event packet to send: its payload and its place in the digit's own numbering. */
export interface DtmfPacket {
  /** `dtmf:<n>`: one source per digit, so the stream rewriter starts each digit as a new talkspurt. */
  readonly source: string;
  readonly seq: number;
  /** The digit's start: the same on every packet of one event (RFC 4733 §2.5.1.1). */
  readonly ts: number;
  readonly marker: boolean;
  readonly payload: Buffer;
}

/** Frames of silence between two digits, so a receiver sees two events. */
const GAP_FRAMES = 3;
/** The end packet is sent three times (RFC 4733 §2.5.1.4). */
const END_REPEATS = 3;

/**
 * The packets of one digit, in order, one per 20 ms frame (pure): updates while the key is
 * "held" (duration growing by one frame), then the end packet three times.
 */
export function digitPackets(digit: string, durationMs: number, n: number): DtmfPacket[] {
  const total = Math.max(FRAME_SAMPLES, Math.round((durationMs * 8000) / 1000 / FRAME_SAMPLES) * FRAME_SAMPLES);
  const source = `dtmf:${n}`;
  const ts = 0;
  const out: DtmfPacket[] = [];
  let seq = 0;
  for (let d = FRAME_SAMPLES; d < total; d += FRAME_SAMPLES) out.push({ source, seq: seq++, ts, marker: d === FRAME_SAMPLES, payload: dtmfPayload(digit, false, d) });
  for (let i = 0; i < END_REPEATS; i++) out.push({ source, seq: seq++, ts, marker: out.length === 0, payload: dtmfPayload(digit, true, total) });
  return out;
}

/**
 * Sends queued digits toward one party as RFC 4733 telephone-events, one packet per 20 ms
 * frame. `active` is true while a digit is being sent: the endpoint holds its audio back
 * then, so the party's one stream carries either the event or audio, never both interleaved.
 */
export class DtmfSender {
  private readonly queue: DtmfPacket[][] = [];
  private current: DtmfPacket[] | null = null;
  private index = 0;
  private gap = 0;
  private digitsSent = 0;
  private readonly pacer = new FramePacer(() => this.frame());

  constructor(private readonly send: (p: DtmfPacket) => void) {}

  get active(): boolean {
    return this.current !== null;
  }

  enqueue(digits: string, durationMs: number): void {
    for (const d of digits) this.queue.push(digitPackets(d, durationMs, this.digitsSent++));
    if (!this.pacer.running) this.pacer.start();
  }

  stop(): void {
    this.pacer.stop();
    this.queue.length = 0;
    this.current = null;
  }

  private frame(): void {
    if (!this.current) {
      if (this.gap > 0) {
        this.gap--;
        return;
      }
      const next = this.queue.shift();
      if (!next) return this.pacer.stop();
      this.current = next;
      this.index = 0;
    }
    const p = this.current[this.index++] as DtmfPacket;
    if (this.index >= this.current.length) {
      this.current = null;
      this.gap = GAP_FRAMES;
    }
    this.send(p);
  }
}
