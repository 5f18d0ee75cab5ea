import type { Logger } from '../../log';
import { RtpQualityMeter, type RtpQualityFigures } from './rtp-quality';
import { TypedEmitter } from '../../shared/typed-emitter';
import { FRAME_SAMPLES, type AudioClip } from './audio-clip';
import { DEFAULT_CLIP, type ClipLibrary } from './clip-library';
import { DtmfDetector, type DtmfEvent } from './dtmf-detector';
import { DtmfSender, type DtmfPacket } from './dtmf-sender';
import type { ResolvedEngineOptions } from './engine-options';
import { FramePacer } from './frame-pacer';
import { silenceFrame, transcode, type G711Law } from './g711';
import type { MediaDirection, MediaEndCause, MediaEndpoint, MediaKind, PlayOptions } from './media-engine';
import { RtpStreamRewriter, type RewrittenHeader } from './rtp-stream-rewriter';

export type EndCause = MediaEndCause;
export type RtpCodecName = G711Law | 'telephone-event';

/** One RTP packet received from a party, with its codec resolved from that leg's negotiation. */
export interface MediaFrame {
  readonly codec: RtpCodecName;
  readonly payload: Buffer;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly marker: boolean;
  readonly ssrc: number;
}

/** What a bridge needs from an endpoint it attaches to. */
export interface BridgeAttachment {
  unbridge(): void;
}

/**
 * Phases of an endpoint (a plain RTP endpoint goes from negotiation straight to connected):
 *
 *   new ──answer()──────────────────────┐
 *    └──offer()──> offered ──acceptAnswer()──> connecting ──ICE+DTLS up──> connected
 *                                                 │                          │
 *                                                 └── failure / timeout ──> ended
 *   any ──close()──> closed
 */
export type Phase = 'new' | 'offered' | 'connecting' | 'connected' | 'ended' | 'closed';

export interface EndpointBaseDeps {
  readonly options: ResolvedEngineOptions;
  readonly clips: ClipLibrary;
  readonly log: Logger;
}

/** Directions in which the party does not want our audio: it has put us on hold. */
export function holds(d: MediaDirection): boolean {
  return d === 'sendonly' || d === 'inactive';
}

/** Directions in which the party sends us nothing (so silence is not a dead leg). */
function sendsNothing(d: MediaDirection): boolean {
  return d === 'recvonly' || d === 'inactive';
}

/** What an endpoint reports to the ACD and to its bridge. */
type EndpointEvents = {
  rtp: MediaFrame;
  direction: MediaDirection;
  ended: EndCause;
  dtmf: DtmfEvent;
  'play-done': string;
  /** audio a bridge or mix sent to this party (not its music or notices): a recording's far channel */
  heard: MediaFrame;
};

interface Playing {
  clip: AudioClip;
  loop: boolean;
  id: number;
}

/**
 * Everything an anchored leg does that does not depend on how packets travel: playback
 * (looped or once), the one continuous outgoing stream, forwarding from a bridge with PT
 * mapping and PCMU↔PCMA transcoding, DTMF detection, hold direction, the dead-leg watchdog
 * and the end/close bookkeeping. Subclasses (WebRTC through werift, plain RTP over UDP)
 * negotiate, receive (calling `receiveRtp`) and `transmit`.
 */
export abstract class EndpointBase implements MediaEndpoint {
  readonly legId: string;
  abstract readonly kind: MediaKind;
  protected readonly log: Logger;
  protected phase: Phase = 'new';
  /** Negotiated: payload type → codec for what the party sends us. */
  protected ptToCodec = new Map<number, RtpCodecName>();
  protected sendLaw: G711Law | null = null;
  protected sendPt = 0;
  protected dtmfPt: number | null = null;
  private received = 0;
  private sent = 0;
  private lastRtpAt = 0;
  private direction: MediaDirection = 'sendrecv';
  private readonly rewriter = new RtpStreamRewriter();
  private readonly pacer: FramePacer;
  private playing: Playing | null = null;
  private playId = 0;
  /** The last looped clip: what the bridge peer of a party that holds hears. */
  private musicClip = DEFAULT_CLIP;
  private bridge: BridgeAttachment | null = null;
  private readonly dtmf = new DtmfDetector();
  private readonly quality = new RtpQualityMeter();
  /** Digits the controller sends toward this party (RFC 4733); audio waits while one is sent. */
  private readonly dtmfOut = new DtmfSender((p) => this.sendDtmfPacket(p));
  /** The controller muted this party: what it sends is replaced by silence before anyone hears it. */
  private muted = false;
  /**
   * Everything this endpoint reports, per-packet `rtp` included: TypedEmitter's emit costs
   * what the hand-made loop did (one copy of the listener set instead of one closure per
   * listener, ≈110 ns either way), and a throwing listener is logged, never fatal.
   */
  private readonly events: TypedEmitter<EndpointEvents>;
  private endedCause: EndCause | null = null;
  private watchdog: NodeJS.Timeout | null = null;

  constructor(
    legId: string,
    protected readonly base: EndpointBaseDeps,
  ) {
    this.legId = legId;
    this.log = base.log.child({ legId });
    // One bad listener must not break the media path or throw into socket callbacks.
    this.events = new TypedEmitter<EndpointEvents>((err, event) => this.listenerFailed(err, event));
    this.pacer = new FramePacer((n) => this.sendClipFrame(n));
  }

  get rtpReceived(): number {
    return this.received;
  }

  takeQuality(): RtpQualityFigures {
    return this.quality.take();
  }

  /** Packets of this party's that never arrived (sequence gaps), since the leg began. */
  get rtpLost(): number {
    return this.quality.lostTotal;
  }

  /** The interarrival jitter of this party's audio now, ms (RFC 3550 A.8). */
  get jitterMs(): number {
    return this.quality.jitterMs;
  }

  /** Packets sent to this party (music and bridged audio). */
  get rtpSent(): number {
    return this.sent;
  }

  /** The law this party receives from us, once negotiated. */
  get codec(): G711Law | null {
    return this.sendLaw;
  }

  get connected(): boolean {
    return this.phase === 'connected';
  }

  /** close() was called (its engine drops it from its totals' live set). */
  get closed(): boolean {
    return this.phase === 'closed';
  }

  get remoteDirection(): MediaDirection {
    return this.direction;
  }

  get isPlaying(): boolean {
    return this.playing !== null;
  }

  /** The clip a bridge plays to this party while its peer holds. */
  get holdClip(): string {
    return this.musicClip;
  }

  abstract answer(remoteOffer: string): Promise<string>;
  abstract offer(): Promise<string>;
  abstract acceptAnswer(remoteAnswer: string): Promise<void>;
  abstract answerReoffer(remoteOffer: string): Promise<{ sdp: string; remoteDirection: MediaDirection }>;
  abstract close(): Promise<void>;

  /** Sends one packet to the party with this payload type and header; errors are the subclass's to log. */
  protected abstract transmit(pt: number, h: RewrittenHeader, payload: Buffer, isEvent: boolean): void;

  play(clip: string, opts: PlayOptions = {}): void {
    // Music means "not bridged": the party must not hear two sources interleaved.
    this.bridge?.unbridge();
    this.startClip(clip, opts.loop ?? true);
  }

  /** Plays without undoing the bridge: the bridge's own music while the peer holds. */
  playUnderBridge(clip: string): void {
    this.startClip(clip, true);
  }

  /** Plays a clip once without undoing the bridge (a notice to this party alone); `play-done` follows. */
  playOnceUnderBridge(clip: string): void {
    this.startClip(clip, false);
  }

  stopPlayback(): void {
    this.pacer.stop();
    this.playing = null;
  }

  onPlayDone(listener: (clip: string) => void): void {
    if (this.phase !== 'closed') this.events.on('play-done', listener);
  }

  onDtmf(listener: (digit: string, durationMs: number) => void): void {
    if (this.phase !== 'closed') this.events.on('dtmf', (ev) => listener(ev.digit, ev.durationMs));
  }

  /** Called once with the cause; a listener added after the end is called at once (in a microtask). */
  onEnded(listener: (cause: EndCause) => void): void {
    if (this.phase === 'closed') return;
    if (this.endedCause) {
      const cause = this.endedCause;
      queueMicrotask(() => {
        try {
          listener(cause);
        } catch (err) {
          this.listenerFailed(err, 'ended');
        }
      });
      return;
    }
    this.events.once('ended', listener);
  }

  setDirection(remoteDirection: MediaDirection): void {
    if (remoteDirection === this.direction) return;
    this.log.info({ from: this.direction, to: remoteDirection }, 'party changed direction');
    this.direction = remoteDirection;
    this.lastRtpAt = performance.now(); // a party resuming gets a full timeout before it counts as dead
    this.events.emit('direction', remoteDirection);
  }

  /** Mutes (or unmutes) what this party sends: every listener (bridge, mix, recording) gets silence instead. */
  setMuted(muted: boolean): void {
    if (muted === this.muted) return;
    this.muted = muted;
    this.log.info({ muted }, muted ? 'party muted' : 'party unmuted');
  }

  get isMuted(): boolean {
    return this.muted;
  }

  /** Sends digits to the party as RFC 4733 events; false when it negotiated no telephone-event. */
  sendDtmf(digits: string, durationMs: number): boolean {
    if (this.dtmfPt === null || this.phase === 'closed' || this.phase === 'ended') return false;
    this.log.info({ digits: digits.length, durationMs }, 'sending DTMF to the party');
    this.dtmfOut.enqueue(digits, durationMs);
    return true;
  }

  // ---- used by Bridge ----

  /** Subscribes to RTP received from this party; returns the unsubscribe function. */
  subscribeRtp(listener: (frame: MediaFrame) => void): () => void {
    return this.events.on('rtp', listener);
  }

  /** Subscribes to the end of a once-played clip; returns the unsubscribe function. */
  subscribePlayDone(listener: (clip: string) => void): () => void {
    return this.events.on('play-done', listener);
  }

  /** Subscribes to the party's hold/resume; returns the unsubscribe function. */
  subscribeDirection(listener: (d: MediaDirection) => void): () => void {
    return this.events.on('direction', listener);
  }

  /** Subscribes to the audio other parties send this party through a bridge or mix; returns the unsubscribe function. */
  subscribeHeard(listener: (frame: MediaFrame) => void): () => void {
    return this.events.on('heard', listener);
  }

  attachBridge(bridge: BridgeAttachment): void {
    if (this.bridge && this.bridge !== bridge) this.bridge.unbridge();
    this.stopPlayback();
    this.bridge = bridge;
  }

  detachBridge(bridge: BridgeAttachment): void {
    if (this.bridge === bridge) this.bridge = null;
  }

  /** Sends a frame received from another leg to this party, in this leg's codec and numbering. */
  forward(source: string, frame: MediaFrame): void {
    if (!this.canSend()) return;
    const law = this.sendLaw as G711Law;
    if (frame.codec === 'telephone-event') {
      if (this.dtmfPt === null) return; // the party did not negotiate DTMF events
      const h = this.rewriter.rewrite(source, frame.sequenceNumber, frame.timestamp, frame.marker, performance.now());
      this.sent++;
      this.transmit(this.dtmfPt, h, Buffer.from(frame.payload), true);
      return;
    }
    if (this.events.listenerCount('heard') > 0) this.events.emit('heard', frame);
    // Same law on both legs (the usual case): the received payload is a fresh buffer that no
    // transport mutates or keeps, so it goes out as it is instead of being copied per packet.
    const payload = frame.codec === law ? frame.payload : transcode(frame.payload, frame.codec, law);
    this.sendAudio(source, frame.sequenceNumber, frame.timestamp, frame.marker, payload);
  }

  // ---- for subclasses ----

  /** Call for every RTP packet the party sent us (after transport checks). */
  protected receiveRtp(pt: number, sequenceNumber: number, timestamp: number, marker: boolean, ssrc: number, payload: Buffer): void {
    if (this.phase === 'closed') return;
    this.received++;
    this.lastRtpAt = performance.now();
    const codec = this.ptToCodec.get(pt);
    if (!codec) return;
    this.quality.feed(sequenceNumber, timestamp, ssrc, this.lastRtpAt, codec !== 'telephone-event');
    if (codec === 'telephone-event' && this.events.listenerCount('dtmf') > 0) {
      for (const ev of this.dtmf.feed(ssrc, timestamp, payload)) {
        this.log.info({ digit: ev.digit, durationMs: ev.durationMs }, 'DTMF received');
        this.events.emit('dtmf', ev);
      }
    }
    if (this.events.listenerCount('rtp') === 0) return;
    // muted: the frame keeps its numbering (the stream stays continuous) but carries silence
    const heard = this.muted && codec !== 'telephone-event' ? silenceFrame(codec, payload.length) : payload;
    this.events.emit('rtp', { codec, payload: heard, sequenceNumber, timestamp, marker, ssrc });
  }

  /** Media is flowing (ICE+DTLS up, or a plain leg negotiated): start the watchdog and queued music. */
  protected mediaStarted(): void {
    this.lastRtpAt = performance.now();
    const timeoutMs = this.base.options.rtpTimeoutSec * 1000;
    this.watchdog ??= setInterval(
      () => {
        if (sendsNothing(this.direction)) this.lastRtpAt = performance.now();
        else if (performance.now() - this.lastRtpAt > timeoutMs) this.end('rtp-timeout');
      },
      Math.min(1000, timeoutMs / 4),
    );
    if (this.playing) this.pacer.start();
  }

  protected end(cause: EndCause): void {
    if (this.phase === 'ended' || this.phase === 'closed') return;
    this.phase = 'ended';
    this.endedCause = cause;
    this.stopBaseTimers();
    this.bridge?.unbridge();
    this.log.debug({ cause }, 'media ended');
    this.events.emit('ended', cause); // once-listeners: each is called once, then gone
  }

  protected stopBaseTimers(): void {
    this.pacer.stop();
    this.dtmfOut.stop();
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  /** The shared part of close(): timers, playback, bridge, listeners. */
  protected closeBase(): void {
    this.phase = 'closed';
    this.stopBaseTimers();
    this.playing = null;
    this.bridge?.unbridge();
    this.events.clear();
  }

  protected logCounters(): Record<string, number> {
    return { rtpReceived: this.received, rtpSent: this.sent };
  }

  // ---- internals ----

  private listenerFailed(err: unknown, event: keyof EndpointEvents): void {
    this.log.error({ err: err instanceof Error ? err.message : String(err) }, `${event} listener threw`);
  }

  private canSend(): boolean {
    return this.phase === 'connected' && this.sendLaw !== null && !holds(this.direction);
  }

  private startClip(name: string, loop: boolean): void {
    if (this.phase === 'ended' || this.phase === 'closed') return;
    let found = this.base.clips.get(name);
    if (!found) {
      this.log.warn({ clip: name }, 'unknown clip, playing the default');
      found = this.base.clips.get(DEFAULT_CLIP) as AudioClip;
    }
    this.pacer.stop();
    this.playing = { clip: found, loop, id: ++this.playId };
    if (loop) this.musicClip = found.name;
    if (this.phase === 'connected') this.pacer.start();
  }

  private sendClipFrame(n: number): void {
    const p = this.playing;
    if (!p || !this.sendLaw) return;
    if (!p.loop && n >= p.clip.frameCount) {
      this.stopPlayback();
      this.log.debug({ clip: p.clip.name }, 'clip played to its end');
      // after the pacer's tick has unwound, so a listener may start the next clip at once
      queueMicrotask(() => this.events.emit('play-done', p.clip.name));
      return;
    }
    const payload = p.clip.frames[this.sendLaw][n % p.clip.frameCount] as Buffer;
    this.sendAudio(`clip:${p.id}`, n & 0xffff, (n * FRAME_SAMPLES) >>> 0, false, payload);
  }

  private sendDtmfPacket(p: DtmfPacket): void {
    if (!this.canSend() || this.dtmfPt === null) return;
    const h = this.rewriter.rewrite(p.source, p.seq, p.ts, p.marker, performance.now());
    this.sent++;
    this.transmit(this.dtmfPt, h, p.payload, true);
  }

  private sendAudio(source: string, seq: number, ts: number, marker: boolean, payload: Buffer): void {
    // while a digit is sent the party's stream carries the event alone
    if (!this.canSend() || this.dtmfOut.active) return;
    const h = this.rewriter.rewrite(source, seq, ts, marker, performance.now());
    this.sent++;
    this.transmit(this.sendPt, h, payload, false);
  }
}
