import { RTCPeerConnection, RtpHeader, RtpPacket, type MediaStreamTrack, type RTCRtpTransceiver } from 'werift';
import { z } from 'zod';
import type { Logger } from '../../log';
import { FRAME_SAMPLES, type AudioClip } from './audio-clip';
import { DEFAULT_CLIP, type ClipLibrary } from './clip-library';
import { type ResolvedEngineOptions, peerConfig } from './engine-options';
import { FramePacer } from './frame-pacer';
import { transcode, type G711Law } from './g711';
import { MediaNegotiationError, MediaStateError } from './media-errors';
import type { MediaEndpoint } from './media-engine';
import { RtpStreamRewriter } from './rtp-stream-rewriter';
import { candidateAddresses, keepOnly8kAudio, setDefaultCandidate } from './sdp-tweaks';

export type EndCause = 'rtp-timeout' | 'ice-failed' | 'error';
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
 * Phases of an endpoint:
 *
 *   new ──answer()──────────────────────┐
 *    └──offer()──> offered ──acceptAnswer()──> connecting ──ICE+DTLS up──> connected
 *                                                 │                          │
 *                                                 └── failure / timeout ──> ended
 *   any ──close()──> closed
 */
type Phase = 'new' | 'offered' | 'connecting' | 'connected' | 'ended' | 'closed';

export interface EndpointDeps {
  readonly options: ResolvedEngineOptions;
  readonly clips: ClipLibrary;
  readonly log: Logger;
  /** Runs ICE gathering one endpoint at a time (werift's port-range search races otherwise). */
  readonly serializeGathering: <T>(fn: () => Promise<T>) => Promise<T>;
  readonly onClosed: (ep: WeriftEndpoint) => void;
}

const Sdp = z.string().min(20).max(64_000).startsWith('v=0');
const GATHER_TIMEOUT_MS = 5000;

/** One party's WebRTC leg to the ACD, anchored in werift. */
export class WeriftEndpoint implements MediaEndpoint {
  readonly legId: string;
  private readonly log: Logger;
  private readonly pc: RTCPeerConnection;
  private phase: Phase = 'new';
  private iceUp = false;
  private transceiver: RTCRtpTransceiver | null = null;
  private ptToCodec = new Map<number, RtpCodecName>();
  private sendLaw: G711Law | null = null;
  private sendPt = 0;
  private dtmfPt: number | null = null;
  private received = 0;
  private sent = 0;
  private lastRtpAt = 0;
  private readonly rewriter = new RtpStreamRewriter();
  private readonly pacer: FramePacer;
  private playing: AudioClip | null = null;
  private playId = 0;
  private bridge: BridgeAttachment | null = null;
  private readonly rtpListeners = new Set<(frame: MediaFrame) => void>();
  private endListeners: Array<(cause: EndCause) => void> = [];
  private endedCause: EndCause | null = null;
  private readonly subscriptions: Array<() => void> = [];
  private readonly tracks = new Set<MediaStreamTrack>();
  private connectTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;

  constructor(legId: string, private readonly deps: EndpointDeps) {
    this.legId = legId;
    this.log = deps.log.child({ legId });
    this.pc = new RTCPeerConnection(peerConfig(deps.options));
    this.pacer = new FramePacer((n) => this.sendClipFrame(n));
    this.subscriptions.push(
      this.pc.connectionStateChange.subscribe((s) => this.onConnectionState(s)).unSubscribe,
      this.pc.onTrack.subscribe((track) => this.onTrack(track)).unSubscribe,
    );
  }

  get rtpReceived(): number {
    return this.received;
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

  async answer(remoteOffer: string): Promise<string> {
    const sdp = this.parseSdp(remoteOffer);
    if (this.phase !== 'new' && this.phase !== 'connecting' && this.phase !== 'connected') {
      throw new MediaStateError(`answer() in phase ${this.phase}`);
    }
    await this.pc.setRemoteDescription({ type: 'offer', sdp: keepOnly8kAudio(sdp) });
    const t = this.pc.getTransceivers().find((x) => x.kind === 'audio');
    if (!t) throw new MediaNegotiationError('offer has no audio m-line');
    if (!t.codecs.some((c) => isG711(c.name))) throw new MediaNegotiationError('offer has neither PCMU nor PCMA');
    t.setDirection('sendrecv');
    const answer = await this.pc.createAnswer();
    await this.deps.serializeGathering(async () => {
      await this.pc.setLocalDescription(answer);
      await this.gatheringComplete();
    });
    this.adopt(t);
    if (this.phase === 'new') this.phase = 'connecting';
    this.armConnectTimer();
    this.maybeConnected();
    return this.localSdp();
  }

  async offer(): Promise<string> {
    if (this.phase !== 'new') throw new MediaStateError(`offer() in phase ${this.phase}`);
    const t = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    this.transceiver = t;
    const offer = await this.pc.createOffer();
    await this.deps.serializeGathering(async () => {
      await this.pc.setLocalDescription(offer);
      await this.gatheringComplete();
    });
    this.phase = 'offered';
    return this.localSdp();
  }

  async acceptAnswer(remoteAnswer: string): Promise<void> {
    const sdp = this.parseSdp(remoteAnswer);
    if (this.phase !== 'offered' || !this.transceiver) throw new MediaStateError(`acceptAnswer() in phase ${this.phase}`);
    await this.pc.setRemoteDescription({ type: 'answer', sdp: keepOnly8kAudio(sdp) });
    this.adopt(this.transceiver);
    this.phase = 'connecting';
    this.armConnectTimer();
    this.maybeConnected();
  }

  play(clip: string): void {
    if (this.phase === 'ended' || this.phase === 'closed') return;
    let found = this.deps.clips.get(clip);
    if (!found) {
      this.log.warn({ clip }, 'unknown clip, playing the default');
      found = this.deps.clips.get(DEFAULT_CLIP) as AudioClip;
    }
    // Music means "not bridged": the party must not hear two sources interleaved.
    this.bridge?.unbridge();
    this.pacer.stop();
    this.playing = found;
    this.playId++;
    if (this.phase === 'connected') this.pacer.start();
  }

  stopPlayback(): void {
    this.pacer.stop();
    this.playing = null;
  }

  onEnded(listener: (cause: EndCause) => void): void {
    if (this.phase === 'closed') return;
    if (this.endedCause) {
      const cause = this.endedCause;
      queueMicrotask(() => this.safeCall(() => listener(cause), 'onEnded listener'));
      return;
    }
    this.endListeners.push(listener);
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  // ---- used by WeriftBridge ----

  /** Subscribes to RTP received from this party; returns the unsubscribe function. */
  subscribeRtp(listener: (frame: MediaFrame) => void): () => void {
    this.rtpListeners.add(listener);
    return () => this.rtpListeners.delete(listener);
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
    const t = this.transceiver;
    if (this.phase !== 'connected' || !t || !this.sendLaw) return;
    if (frame.codec === 'telephone-event') {
      if (this.dtmfPt === null) return; // the party did not negotiate DTMF events
      const h = this.rewriter.rewrite(source, frame.sequenceNumber, frame.timestamp, frame.marker, performance.now());
      const header = new RtpHeader({ payloadType: this.dtmfPt, ...h, ssrc: t.sender.ssrc });
      // werift's sender forces the first codec's payload type, so events go straight to the transport.
      this.sent++;
      t.sender.transport.sendRtp(Buffer.from(frame.payload), header).catch((err: unknown) => this.sendFailed(err));
      return;
    }
    this.sendAudio(source, frame.sequenceNumber, frame.timestamp, frame.marker, transcode(frame.payload, frame.codec, this.sendLaw));
  }

  // ---- internals ----

  private parseSdp(raw: string): string {
    const r = Sdp.safeParse(raw);
    if (!r.success) throw new MediaNegotiationError('not an SDP body');
    return r.data;
  }

  private adopt(t: RTCRtpTransceiver): void {
    this.transceiver = t;
    const map = new Map<number, RtpCodecName>();
    let dtmf: number | null = null;
    for (const c of t.codecs) {
      const name = c.name.toUpperCase();
      if (c.clockRate !== 8000) continue;
      if (name === 'PCMU' || name === 'PCMA') map.set(c.payloadType, name);
      else if (name === 'TELEPHONE-EVENT') {
        map.set(c.payloadType, 'telephone-event');
        dtmf ??= c.payloadType;
      }
    }
    const send = t.sender.codec;
    const law = send ? send.name.toUpperCase() : '';
    if (!send || (law !== 'PCMU' && law !== 'PCMA')) throw new MediaNegotiationError(`negotiated ${law || 'no codec'}, not G.711`);
    this.ptToCodec = map;
    this.sendLaw = law;
    this.sendPt = send.payloadType;
    this.dtmfPt = dtmf;
    this.log.debug({ codec: law, pt: this.sendPt, dtmfPt: dtmf }, 'media negotiated');
  }

  private localSdp(): string {
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new MediaStateError('no local description');
    // werift logs and drops a candidate whose socket failed to bind; with none left the party can never reach us.
    if (candidateAddresses(sdp).length === 0) throw new MediaStateError('no ICE candidate gathered (port range exhausted?)');
    return setDefaultCandidate(sdp);
  }

  private async gatheringComplete(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.unSubscribe();
        reject(new MediaStateError('ICE gathering did not complete'));
      }, GATHER_TIMEOUT_MS);
      const sub = this.pc.iceGatheringStateChange.subscribe((s) => {
        if (s !== 'complete') return;
        clearTimeout(timer);
        sub.unSubscribe();
        resolve();
      });
      if (this.pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        sub.unSubscribe();
        resolve();
      }
    });
  }

  private onConnectionState(state: string): void {
    this.log.debug({ state }, 'connection state');
    if (state === 'connected') {
      this.iceUp = true;
      this.maybeConnected();
    } else if (state === 'failed') {
      this.end('ice-failed');
    }
  }

  /** Media starts once both the negotiation is adopted and ICE+DTLS are up (either may come first). */
  private maybeConnected(): void {
    if (!this.iceUp || this.phase !== 'connecting') return;
    this.phase = 'connected';
    this.clearConnectTimer();
    this.lastRtpAt = performance.now();
    const timeoutMs = this.deps.options.rtpTimeoutSec * 1000;
    this.watchdog = setInterval(() => {
      if (performance.now() - this.lastRtpAt > timeoutMs) this.end('rtp-timeout');
    }, Math.min(1000, timeoutMs / 4));
    this.log.info({ codec: this.sendLaw }, 'media connected');
    if (this.playing) this.pacer.start();
  }

  private armConnectTimer(): void {
    if (this.connectTimer || this.phase === 'connected') return;
    this.connectTimer = setTimeout(() => {
      this.connectTimer = null;
      if (this.phase === 'connecting') this.end('ice-failed');
    }, this.deps.options.connectTimeoutSec * 1000);
  }

  private clearConnectTimer(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  private onTrack(track: MediaStreamTrack): void {
    if (this.tracks.has(track)) return;
    this.tracks.add(track);
    this.subscriptions.push(track.onReceiveRtp.subscribe((rtp) => this.onRtp(rtp)).unSubscribe);
  }

  private onRtp(rtp: RtpPacket): void {
    if (this.phase === 'closed') return;
    this.received++;
    this.lastRtpAt = performance.now();
    const codec = this.ptToCodec.get(rtp.header.payloadType);
    if (!codec || this.rtpListeners.size === 0) return;
    const frame: MediaFrame = {
      codec,
      payload: rtp.payload,
      sequenceNumber: rtp.header.sequenceNumber,
      timestamp: rtp.header.timestamp,
      marker: rtp.header.marker,
      ssrc: rtp.header.ssrc,
    };
    for (const l of this.rtpListeners) this.safeCall(() => l(frame), 'rtp listener');
  }

  private sendClipFrame(n: number): void {
    const clip = this.playing;
    if (!clip || !this.sendLaw) return;
    const payload = clip.frames[this.sendLaw][n % clip.frameCount] as Buffer;
    this.sendAudio(`clip:${this.playId}`, n & 0xffff, (n * FRAME_SAMPLES) >>> 0, false, payload);
  }

  private sendAudio(source: string, seq: number, ts: number, marker: boolean, payload: Buffer): void {
    const t = this.transceiver;
    if (!t || this.phase !== 'connected') return;
    const h = this.rewriter.rewrite(source, seq, ts, marker, performance.now());
    const header = new RtpHeader({ payloadType: this.sendPt, ...h, ssrc: t.sender.ssrc });
    this.sent++;
    t.sender.sendRtp(new RtpPacket(header, payload)).catch((err: unknown) => this.sendFailed(err));
  }

  private sendFailed(err: unknown): void {
    this.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'rtp send failed');
  }

  private end(cause: EndCause): void {
    if (this.phase === 'ended' || this.phase === 'closed') return;
    this.phase = 'ended';
    this.endedCause = cause;
    this.stopTimers();
    this.bridge?.unbridge();
    this.log.info({ cause }, 'media ended');
    const listeners = this.endListeners;
    this.endListeners = [];
    for (const l of listeners) this.safeCall(() => l(cause), 'onEnded listener');
  }

  private stopTimers(): void {
    this.pacer.stop();
    this.clearConnectTimer();
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  private async doClose(): Promise<void> {
    this.phase = 'closed';
    this.stopTimers();
    this.playing = null;
    this.bridge?.unbridge();
    this.rtpListeners.clear();
    this.endListeners = [];
    for (const unsubscribe of this.subscriptions.splice(0)) unsubscribe();
    this.tracks.clear();
    try {
      await this.pc.close();
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'peer connection close failed');
    }
    this.deps.onClosed(this);
    this.log.debug({ rtpReceived: this.received, rtpSent: this.sent }, 'endpoint closed');
  }

  /** One bad listener must not break the media path or throw into werift's callbacks. */
  private safeCall(fn: () => void, what: string): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, `${what} threw`);
    }
  }
}

function isG711(name: string): boolean {
  const n = name.toUpperCase();
  return n === 'PCMU' || n === 'PCMA';
}
