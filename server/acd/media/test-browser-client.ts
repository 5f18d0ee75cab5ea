import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
  useOPUS,
  type MediaStreamTrack,
  type RTCRtpTransceiver,
} from 'werift';
import { withoutCandidateGenerations } from '../../shared/sdp/audio-edits';
import { restartStalledIce } from './werift-endpoint';

/**
 * Test helper: a real werift peer connection standing in for a browser (Opus first, then
 * G.711 and telephone-event, like Chromium; host candidates only, no STUN). It records
 * every RTP packet it receives and sends G.711 frames it is given.
 */
export class TestBrowserClient {
  readonly pc: RTCPeerConnection;
  readonly received: RtpPacket[] = [];
  private transceiver: RTCRtpTransceiver | null = null;
  private seq = 1000;
  private ts = 50_000;

  constructor(laws: Array<'PCMU' | 'PCMA'> = ['PCMU', 'PCMA']) {
    const g711 = laws.map(
      (law) => new RTCRtpCodecParameters({ mimeType: `audio/${law}`, clockRate: 8000, channels: 1, payloadType: law === 'PCMU' ? 0 : 8 }),
    );
    this.pc = new RTCPeerConnection({
      iceServers: [],
      iceUseIpv6: false,
      codecs: {
        audio: [
          useOPUS(),
          ...g711,
          new RTCRtpCodecParameters({ mimeType: 'audio/telephone-event', clockRate: 8000, channels: 1, payloadType: 126 }),
        ],
        video: [],
      },
    });
    this.acceptUnsignalledSsrc();
    // onTrack fires again for the same track after a renegotiation: subscribe once per track.
    this.pc.onTrack.subscribe((track) => this.listen(track));
  }

  /**
   * Like Chromium (its "default unsignaled stream" for one audio m-line), an SSRC no a=ssrc
   * line named goes to the one audio receiver: rtpengine signals none, and picks its own SSRC
   * when it transcodes. werift alone drops such packets.
   */
  private readonly seen = new Set<MediaStreamTrack>();

  private listen(track: MediaStreamTrack): void {
    if (this.seen.has(track)) return;
    this.seen.add(track);
    track.onReceiveRtp.subscribe((rtp) => this.received.push(rtp.clone()));
  }

  private acceptUnsignalledSsrc(): void {
    type Router = {
      ssrcTable: Record<number, unknown>;
      routeRtp: (p: RtpPacket) => void;
      registerRtpReceiverBySsrc: (t: RTCRtpTransceiver, params: { encodings: Array<{ ssrc: number }>; codecs: unknown[]; headerExtensions: unknown[] }) => void;
    };
    const router = (this.pc as unknown as { router: Router }).router;
    const route = router.routeRtp;
    router.routeRtp = (packet: RtpPacket) => {
      const ts = this.pc.getTransceivers();
      if (!router.ssrcTable[packet.header.ssrc] && ts.length === 1) {
        router.registerRtpReceiverBySsrc(ts[0]!, { encodings: [{ ssrc: packet.header.ssrc }], codecs: ts[0]!.codecs, headerExtensions: [] });
        const track = (ts[0]!.receiver as unknown as { trackBySSRC: Record<number, MediaStreamTrack | undefined> }).trackBySSRC[packet.header.ssrc];
        if (track) this.listen(track);
      }
      route(packet);
    };
  }

  async makeOffer(): Promise<string> {
    this.transceiver = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await this.gathered();
    return this.pc.localDescription?.sdp ?? '';
  }

  // werift's generation check (audio-edits.ts, withoutCandidateGenerations) is not a browser's:
  // the peer reads the ACD's candidates as the ACD does a browser's

  async acceptAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: withoutCandidateGenerations(sdp) });
    const t = this.pc.getTransceivers()[0];
    if (t) restartStalledIce(t);
  }

  async answerOffer(sdp: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: withoutCandidateGenerations(sdp) });
    const t = this.pc.getTransceivers()[0];
    if (!t) throw new Error('no transceiver');
    t.setDirection('sendrecv');
    this.transceiver = t;
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await this.gathered();
    return this.pc.localDescription?.sdp ?? '';
  }

  /** A new offer on the live connection (a re-INVITE's), with new ICE credentials when `iceRestart`. */
  async reoffer(opts: { iceRestart?: boolean } = {}): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer(opts.iceRestart ? { iceRestart: true } : {}));
    await this.gathered();
    return this.pc.localDescription?.sdp ?? '';
  }

  connected(timeoutMs = 4000): Promise<void> {
    if (this.pc.connectionState === 'connected') return Promise.resolve();
    return this.pc.connectionStateChange.watch((s) => s === 'connected', timeoutMs).then(() => undefined);
  }

  /** The law our sender uses (werift sends with the first negotiated codec). */
  get sendCodec(): string {
    return this.transceiver?.sender.codec?.name.toUpperCase() ?? '';
  }

  /** Sends one 20 ms audio frame with the negotiated codec. */
  async sendFrame(payload: Buffer): Promise<void> {
    const t = this.transceiver;
    if (!t) throw new Error('not negotiated');
    const header = new RtpHeader({ sequenceNumber: this.seq++ & 0xffff, timestamp: this.ts, ssrc: t.sender.ssrc, payloadType: 0 });
    this.ts += 160;
    await t.sender.sendRtp(new RtpPacket(header, payload));
  }

  /** Sends one RFC 4733 telephone-event packet with the payload type this client negotiated. */
  async sendDtmf(payload: Buffer): Promise<void> {
    const t = this.transceiver;
    const pt = t?.codecs.find((c) => c.name.toLowerCase() === 'telephone-event')?.payloadType;
    if (!t || pt === undefined) throw new Error('no telephone-event negotiated');
    const header = new RtpHeader({ sequenceNumber: this.seq++ & 0xffff, timestamp: this.ts, ssrc: t.sender.ssrc, payloadType: pt, marker: true });
    await t.sender.transport.sendRtp(payload, header);
  }

  close(): Promise<void> {
    return this.pc.close();
  }

  private async gathered(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') return;
    await this.pc.iceGatheringStateChange.watch((s) => s === 'complete', 4000);
  }
}
