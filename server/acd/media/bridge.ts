import type { Logger } from '../../log';
import { holds, type EndpointBase, type MediaFrame } from './endpoint-base';
import type { MediaBridge, MediaEndpoint } from './media-engine';

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
 * Recording is not the bridge's: it follows the caller's leg across bridges (party-recorder.ts).
 */
export class Bridge implements MediaBridge {
  private unsubscribers: Array<() => void> = [];
  private active = true;
  private onHold = false;
  /** the party hearing a notice (tell()) instead of its peer, while it plays */
  private telling: EndpointBase | null = null;
  private readonly done: Promise<void>;
  private resolveDone: () => void = () => {};

  constructor(
    private readonly a: EndpointBase,
    private readonly b: EndpointBase,
    private readonly log: Logger,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    a.attachBridge(this);
    b.attachBridge(this);
    this.unsubscribers = [
      a.subscribeRtp((f) => this.pass(f, a, b)),
      b.subscribeRtp((f) => this.pass(f, b, a)),
      a.subscribeDirection(() => this.checkHold()),
      b.subscribeDirection(() => this.checkHold()),
    ];
    this.log.debug({ a: a.legId, b: b.legId, codecA: a.codec, codecB: b.codec, kinds: [a.kind, b.kind] }, 'bridged');
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
    this.log.debug({ a: this.a.legId, b: this.b.legId }, 'unbridged');
    this.resolveDone();
  }

  tell(to: MediaEndpoint, clip: string): boolean {
    const ep = to === this.a ? this.a : to === this.b ? this.b : null;
    if (!this.active || !ep) return false;
    // on hold, the party that holds hears nothing: a notice goes only to the one hearing music
    if (this.onHold && holds(ep.remoteDirection)) return false;
    this.telling = ep;
    const off = ep.subscribePlayDone((done) => {
      if (done !== clip) return;
      off();
      if (this.telling === ep) this.telling = null;
      // told while on hold (a device reconnecting): back to the music until the resume
      if (this.onHold) ep.playUnderBridge(ep.holdClip);
      this.log.debug({ to: ep.legId, clip }, 'notice played; the peer is heard again');
    });
    this.unsubscribers.push(off);
    ep.playOnceUnderBridge(clip);
    this.log.info({ to: ep.legId, clip }, 'notice to one party of the bridge');
    return true;
  }

  finished(): Promise<void> {
    return this.done;
  }

  private pass(f: MediaFrame, from: EndpointBase, to: EndpointBase): void {
    // a party hearing a notice hears only the notice: two sources interleaved would garble both
    if (!this.onHold && to !== this.telling) to.forward(`${from.legId}:${f.ssrc}`, f);
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
      this.telling = null; // the resume stops every clip, a notice with it
      this.a.stopPlayback();
      this.b.stopPlayback();
      this.log.info({ a: this.a.legId, b: this.b.legId }, 'bridge resumed');
    }
  }
}
