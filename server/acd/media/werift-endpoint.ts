import { RTCPeerConnection, RtpHeader, RtpPacket, type MediaStreamTrack, type RTCRtpTransceiver } from 'werift';
import { z } from 'zod';
import { candidateAddresses, keepOnly8kAudio, remoteDirectionOf, setDefaultCandidate, withoutCandidateGenerations } from '../../shared/sdp/audio-edits';
import { EndpointBase, type EndpointBaseDeps, type RtpCodecName } from './endpoint-base';
import { peerConfig } from './engine-options';
import { MediaNegotiationError, MediaPortsExhaustedError, MediaStateError } from './media-errors';
import type { MediaDirection } from './media-engine';
import type { RewrittenHeader } from './rtp-stream-rewriter';

export type { BridgeAttachment, EndCause, MediaFrame, RtpCodecName } from './endpoint-base';

export interface EndpointDeps extends EndpointBaseDeps {
  /** Runs ICE gathering one endpoint at a time (werift's port-range search races otherwise). */
  readonly serializeGathering: <T>(fn: () => Promise<T>) => Promise<T>;
  readonly onClosed: (ep: WeriftEndpoint) => void;
}

const Sdp = z.string().min(20).max(64_000).startsWith('v=0');
const GATHER_TIMEOUT_MS = 5000;

/** One party's WebRTC leg to the ACD (ICE, DTLS-SRTP), anchored in werift. */
export class WeriftEndpoint extends EndpointBase {
  readonly kind = 'webrtc' as const;
  private readonly pc: RTCPeerConnection;
  private iceUp = false;
  private transceiver: RTCRtpTransceiver | null = null;
  private readonly subscriptions: Array<() => void> = [];
  private readonly tracks = new Set<MediaStreamTrack>();
  private connectTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    legId: string,
    private readonly deps: EndpointDeps,
  ) {
    super(legId, deps);
    this.pc = new RTCPeerConnection(peerConfig(deps.options));
    this.subscriptions.push(
      this.pc.connectionStateChange.subscribe((s) => this.onConnectionState(s)).unSubscribe,
      this.pc.onTrack.subscribe((track) => this.onTrack(track)).unSubscribe,
    );
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
    restartStalledIce(t);
    if (this.phase === 'new') this.phase = 'connecting';
    this.armConnectTimer();
    this.maybeConnected();
    return this.localSdp();
  }

  async answerReoffer(remoteOffer: string): Promise<{ sdp: string; remoteDirection: MediaDirection }> {
    if (this.phase !== 'connecting' && this.phase !== 'connected') throw new MediaStateError(`answerReoffer() in phase ${this.phase}`);
    const sdp = await this.answer(remoteOffer);
    this.setDirection(remoteDirectionOf(remoteOffer));
    return { sdp, remoteDirection: this.remoteDirection };
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

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  protected transmit(pt: number, h: RewrittenHeader, payload: Buffer, isEvent: boolean): void {
    const t = this.transceiver;
    if (!t) return;
    const header = new RtpHeader({ payloadType: pt, ...h, ssrc: t.sender.ssrc });
    // werift's sender forces the first codec's payload type, so events go straight to the transport.
    const sending = isEvent ? t.sender.transport.sendRtp(payload, header) : t.sender.sendRtp(new RtpPacket(header, payload));
    sending.catch((err: unknown) => this.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'rtp send failed'));
  }

  // ---- internals ----

  /** A remote description as werift should read it (checked; candidates without their generation: audio-edits.ts). */
  private parseSdp(raw: string): string {
    const r = Sdp.safeParse(raw);
    if (!r.success) throw new MediaNegotiationError('not an SDP body');
    return withoutCandidateGenerations(r.data);
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
    if (candidateAddresses(sdp).length === 0) throw new MediaPortsExhaustedError('no ICE candidate gathered (port range exhausted?)');
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
    this.log.debug({ codec: this.sendLaw }, 'media connected');
    this.mediaStarted();
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

  protected override end(cause: Parameters<EndpointBase['end']>[0]): void {
    this.clearConnectTimer();
    super.end(cause);
  }

  private onTrack(track: MediaStreamTrack): void {
    if (this.tracks.has(track)) return;
    this.tracks.add(track);
    this.subscriptions.push(
      track.onReceiveRtp.subscribe((rtp: RtpPacket) => {
        const h = rtp.header;
        this.receiveRtp(h.payloadType, h.sequenceNumber, h.timestamp, h.marker, h.ssrc, rtp.payload);
      }).unSubscribe,
    );
  }

  private async doClose(): Promise<void> {
    this.closeBase();
    this.clearConnectTimer();
    for (const unsubscribe of this.subscriptions.splice(0)) unsubscribe();
    this.tracks.clear();
    try {
      await this.pc.close();
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'peer connection close failed');
    }
    this.deps.onClosed(this);
    this.log.debug(this.logCounters(), 'endpoint closed');
  }
}

/**
 * An ICE restart (the party re-offered with new ICE credentials, e.g. after its network changed):
 * werift drops the nominated pair, but its connect() skips a transport whose DTLS is already up, so no checks would ever run on the new credentials. Start them here; DTLS and
 * SRTP go on over the new pair. Exported for the test peer, which has the same gap.
 */
export function restartStalledIce(t: RTCRtpTransceiver): void {
  const dtls = t.dtlsTransport;
  const ice = dtls?.iceTransport;
  // after a restart no pair is nominated until new checks succeed
  if (!dtls || !ice || ice.iceRestarts === 0 || ice.connection.nominated || dtls.state !== 'connected') return;
  ice.start().catch(() => undefined); // a failure shows as the connection state 'failed'
}

function isG711(name: string): boolean {
  const n = name.toUpperCase();
  return n === 'PCMU' || n === 'PCMA';
}
