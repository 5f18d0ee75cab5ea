import type { Logger } from '../../log';
import { holds, type EndpointBase, type MediaFrame } from './endpoint-base';
import { decode } from './g711';
import type { MediaBridge } from './media-engine';
import { StereoWavRecorder } from './stereo-wav-recorder';

/**
 * Two endpoints' audio, both ways, through the ACD, whatever carries each leg (WebRTC or
 * plain RTP): each packet received from one party is re-sent to the other in that leg's
 * codec, payload type and numbering (EndpointBase.forward). Attaching stops any music on
 * both sides.
 *
 * Hold: while either party holds (its SDP says sendonly/inactive), forwarding stops and the
 * other party hears its music clip; when the party resumes, the music stops and forwarding
 * starts again on the same continuous streams.
 *
 * Recording (optional): what each party sends, decoded, into a stereo WAV (left = a).
 */
export class Bridge implements MediaBridge {
  private unsubscribers: Array<() => void> = [];
  private active = true;
  private onHold = false;
  private readonly recorder: StereoWavRecorder | null;
  private readonly done: Promise<void>;
  private resolveDone: () => void = () => {};

  constructor(
    private readonly a: EndpointBase,
    private readonly b: EndpointBase,
    private readonly log: Logger,
    opts: { recordTo?: string } = {},
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.recorder = opts.recordTo ? new StereoWavRecorder(opts.recordTo, log) : null;
    a.attachBridge(this);
    b.attachBridge(this);
    this.unsubscribers = [
      a.subscribeRtp((f) => this.pass(0, f, a, b)),
      b.subscribeRtp((f) => this.pass(1, f, b, a)),
      a.subscribeDirection(() => this.checkHold()),
      b.subscribeDirection(() => this.checkHold()),
    ];
    this.log.info({ a: a.legId, b: b.legId, codecA: a.codec, codecB: b.codec, kinds: [a.kind, b.kind], recordTo: opts.recordTo }, 'bridged');
    this.checkHold();
  }

  get bridged(): boolean {
    return this.active;
  }

  /** True while a party holds and the other hears music. */
  get held(): boolean {
    return this.onHold;
  }

  unbridge(): void {
    if (!this.active) return;
    this.active = false;
    for (const off of this.unsubscribers.splice(0)) off();
    if (this.onHold) {
      // the bridge's own hold music ends with it; the ACD decides what each leg plays next
      this.a.stopPlayback();
      this.b.stopPlayback();
    }
    this.a.detachBridge(this);
    this.b.detachBridge(this);
    this.log.info({ a: this.a.legId, b: this.b.legId }, 'unbridged');
    if (this.recorder) {
      this.recorder
        .close()
        .catch((err: unknown) => this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'recording could not be finalised'))
        .finally(() => this.resolveDone());
    } else this.resolveDone();
  }

  finished(): Promise<void> {
    return this.done;
  }

  private pass(channel: 0 | 1, f: MediaFrame, from: EndpointBase, to: EndpointBase): void {
    if (this.recorder && f.codec !== 'telephone-event') this.recorder.push(channel, decode(f.payload, f.codec));
    if (!this.onHold) to.forward(`${from.legId}:${f.ssrc}`, f);
  }

  private checkHold(): void {
    if (!this.active) return;
    const aHolds = holds(this.a.remoteDirection);
    const bHolds = holds(this.b.remoteDirection);
    const held = aHolds || bHolds;
    if (held) {
      // the party that holds hears nothing from us (it said so); the other one hears music
      if (!aHolds && !this.a.isPlaying) this.a.playUnderBridge(this.a.holdClip);
      if (!bHolds && !this.b.isPlaying) this.b.playUnderBridge(this.b.holdClip);
      if (!this.onHold) this.log.info({ a: this.a.legId, b: this.b.legId, aHolds, bHolds }, 'bridge on hold');
      this.onHold = true;
    } else if (this.onHold) {
      this.onHold = false;
      this.a.stopPlayback();
      this.b.stopPlayback();
      this.log.info({ a: this.a.legId, b: this.b.legId }, 'bridge resumed');
    }
  }
}
