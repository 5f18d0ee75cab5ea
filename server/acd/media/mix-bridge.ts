import { randomBytes } from 'node:crypto';
import type { Logger } from '../../log';
import type { MixMode } from '../../shared/sip-control-ops';
import { FRAME_SAMPLES } from './audio-clip';
import type { BridgeAttachment, EndpointBase, MediaFrame, RtpCodecName } from './endpoint-base';
import { FramePacer } from './frame-pacer';
import { decodeInto, encodeInto } from './g711';
import { mixFrame } from './mix-frame';
import { planMix, type MixPlan } from './mix-plan';
import type { MediaMix } from './media-engine';

/** Frames a member may have queued: enough to absorb a little jitter, not enough to build delay. */
const RING = 3;
/** Encoded output buffers per member, reused in turn: a transport is long done with one 60 ms later. */
const OUT_BUFFERS = 3;

/** One endpoint in the mix, with everything its per-frame path needs preallocated. */
class Member implements BridgeAttachment {
  readonly ring = Array.from({ length: RING }, () => new Int16Array(FRAME_SAMPLES));
  head = 0;
  count = 0;
  readonly out = new Int16Array(FRAME_SAMPLES);
  readonly encoded = Array.from({ length: OUT_BUFFERS }, () => Buffer.alloc(FRAME_SAMPLES));
  turn = 0;
  /** The frame handed to the endpoint each tick (fields rewritten in place). */
  readonly frame: { codec: RtpCodecName; payload: Buffer; sequenceNumber: number; timestamp: number; marker: boolean; ssrc: number } = {
    codec: 'PCMU',
    payload: Buffer.alloc(0),
    sequenceNumber: 0,
    timestamp: 0,
    marker: false,
    ssrc: 0,
  };
  unsubscribe: () => void = () => {};
  /** While a notice plays to this member (tell()): the clip it hears instead of the mix. */
  telling: string | null = null;
  untell: () => void = () => {};

  constructor(
    readonly ep: EndpointBase,
    public mode: MixMode,
    public whisperTo: EndpointBase | null,
    private readonly mix: MixBridge,
  ) {}

  push(f: MediaFrame): void {
    if (f.codec === 'telephone-event') return; // digits are the controller's business, not the mix's
    if (this.mode === 'listen') return; // heard by nobody: not even decoded
    if (this.count === RING) {
      this.head = (this.head + 1) % RING; // drop the oldest: late audio is worse than a gap
      this.count--;
    }
    decodeInto(this.ring[(this.head + this.count) % RING] as Int16Array, f.payload, f.codec);
    this.count++;
  }

  /** This tick's frame, or null when the party sent nothing. */
  pop(): Int16Array | null {
    if (this.count === 0) return null;
    const f = this.ring[this.head] as Int16Array;
    this.head = (this.head + 1) % RING;
    this.count--;
    return f;
  }

  /** The endpoint left (closed, ended, played music, bridged elsewhere). */
  unbridge(): void {
    this.mix.remove(this.ep);
  }
}

/**
 * A mixing bridge for N endpoints: every 20 ms each member's latest G.711 frame is decoded,
 * the plan (mix-plan.ts) says who hears whom — talk, listen-only, whisper to one member —
 * and each member gets its own mix (its own audio left out) re-encoded in its own law, on its
 * one continuous outgoing stream. The per-frame path allocates nothing per member: decode
 * rings, sums and encode buffers are made when a member joins.
 */
export class MixBridge implements MediaMix {
  readonly id = `mix-${randomBytes(6).toString('hex')}`;
  private members: Member[] = [];
  private plan: MixPlan = planMix([]);
  private frames: Array<Int16Array | null> = [];
  private outs: Int16Array[] = [];
  private readonly total = new Int32Array(FRAME_SAMPLES);
  private readonly pacer = new FramePacer((n) => this.tick(n));
  private closed = false;

  constructor(
    private readonly log: Logger,
    private readonly onClosed: (m: MixBridge) => void = () => {},
  ) {}

  get size(): number {
    return this.members.length;
  }

  add(ep: EndpointBase, seat: { mode: MixMode; whisperTo: EndpointBase | null }): void {
    if (this.closed || this.members.some((m) => m.ep === ep)) return;
    const m = new Member(ep, seat.mode, seat.whisperTo, this);
    ep.attachBridge(m); // stops its music, takes it out of any other bridge
    m.unsubscribe = ep.subscribeRtp((f) => m.push(f));
    this.members.push(m);
    this.replan();
    this.log.info({ mix: this.id, legId: ep.legId, mode: seat.mode, whisperTo: seat.whisperTo?.legId ?? null, size: this.members.length }, 'joined the mix');
    if (!this.pacer.running) this.pacer.start();
  }

  update(ep: EndpointBase, seat: { mode: MixMode; whisperTo: EndpointBase | null }): void {
    const m = this.members.find((x) => x.ep === ep);
    if (!m) return;
    m.mode = seat.mode;
    m.whisperTo = seat.whisperTo;
    this.replan();
    this.log.info({ mix: this.id, legId: ep.legId, mode: seat.mode, whisperTo: m.whisperTo?.legId ?? null }, 'mix mode changed');
  }

  /**
   * Plays a clip once to one member alone (the recording notice to the caller): until it ends that
   * member hears the clip instead of its mix; every other member goes on hearing everyone as before,
   * that member included. False when `ep` is not in the mix or the mix is closed.
   */
  tell(ep: EndpointBase, clip: string): boolean {
    const m = this.members.find((x) => x.ep === ep);
    if (this.closed || !m) return false;
    m.untell();
    m.telling = clip;
    const off = ep.subscribePlayDone((done) => {
      if (done !== clip) return;
      m.untell();
      this.log.debug({ mix: this.id, to: ep.legId, clip }, 'notice played; the mix is heard again');
    });
    m.untell = () => {
      off();
      m.telling = null;
      m.untell = () => {};
    };
    ep.playOnceUnderBridge(clip);
    this.log.info({ mix: this.id, to: ep.legId, clip }, 'notice to one member of the mix');
    return true;
  }

  remove(ep: EndpointBase): void {
    const i = this.members.findIndex((m) => m.ep === ep);
    if (i < 0) return;
    const [m] = this.members.splice(i, 1) as [Member];
    m.unsubscribe();
    m.untell();
    ep.detachBridge(m);
    this.replan();
    this.log.info({ mix: this.id, legId: ep.legId, size: this.members.length }, 'left the mix');
    if (this.members.length === 0) this.pacer.stop();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const m of [...this.members]) this.remove(m.ep);
    this.pacer.stop();
    this.onClosed(this);
  }

  private replan(): void {
    const index = new Map(this.members.map((m, i) => [m.ep, i]));
    this.plan = planMix(this.members.map((m) => ({ mode: m.mode, whisperTo: m.whisperTo ? (index.get(m.whisperTo) ?? null) : null })));
    this.frames = this.members.map(() => null);
    this.outs = this.members.map((m) => m.out);
  }

  private tick(n: number): void {
    const members = this.members;
    for (let i = 0; i < members.length; i++) this.frames[i] = (members[i] as Member).pop();
    mixFrame(this.plan, this.frames, this.total, this.outs);
    const seq = n & 0xffff;
    const ts = (n * FRAME_SAMPLES) >>> 0;
    for (let i = 0; i < members.length; i++) {
      const m = members[i] as Member;
      const law = m.ep.codec;
      // a member hearing a notice hears only the notice: two sources interleaved would garble both
      if (!law || m.telling !== null) continue;
      const buf = m.encoded[m.turn] as Buffer;
      m.turn = (m.turn + 1) % OUT_BUFFERS;
      encodeInto(buf, m.out, law);
      const f = m.frame;
      f.codec = law;
      f.payload = buf;
      f.sequenceNumber = seq;
      f.timestamp = ts;
      m.ep.forward(this.id, f);
    }
  }
}
