import type { Logger } from '../../log';
import { holds, type EndpointBase, type MediaFrame } from './endpoint-base';
import { decode } from './g711';
import type { MediaBridge, MediaEndpoint } from './media-engine';
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
  private recorder: StereoWavRecorder | null;
  /** the party hearing a notice (tell()) instead of its peer, while it plays */
  private telling: EndpointBase | null = null;
  /** recordings stopped on demand while the bridge goes on; `finished()` waits for them too */
  private readonly closings: Array<Promise<void>> = [];
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
    this.log.debug({ a: a.legId, b: b.legId, codecA: a.codec, codecB: b.codec, kinds: [a.kind, b.kind], recordTo: opts.recordTo }, 'bridged');
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
    if (this.recorder) this.closeRecorder();
    void Promise.all(this.closings).finally(() => this.resolveDone());
  }

  get recording(): boolean {
    return this.recorder !== null;
  }

  startRecording(path: string): boolean {
    if (!this.active || this.recorder) return false;
    this.recorder = new StereoWavRecorder(path, this.log);
    this.log.info({ a: this.a.legId, b: this.b.legId, recordTo: path }, 'recording started on demand');
    return true;
  }

  async stopRecording(): Promise<boolean> {
    if (!this.recorder) return false;
    await this.closeRecorder();
    return true;
  }

  /** Finalises the current file; failures are logged (the call goes on). */
  private closeRecorder(): Promise<void> {
    const r = this.recorder;
    this.recorder = null;
    if (!r) return Promise.resolve();
    const p = r.close().catch((err: unknown) => this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'recording could not be finalised'));
    this.closings.push(p);
    return p;
  }

  tell(to: MediaEndpoint, clip: string): boolean {
    const ep = to === this.a ? this.a : to === this.b ? this.b : null;
    if (!this.active || this.onHold || !ep) return false;
    this.telling = ep;
    const off = ep.subscribePlayDone((done) => {
      if (done !== clip) return;
      off();
      if (this.telling === ep) this.telling = null;
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

  private pass(channel: 0 | 1, f: MediaFrame, from: EndpointBase, to: EndpointBase): void {
    if (this.recorder && f.codec !== 'telephone-event') this.recorder.push(channel, decode(f.payload, f.codec));
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
