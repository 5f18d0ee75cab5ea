import { randomInt } from 'node:crypto';
import type { RemoteInfo, Socket } from 'node:dgram';
import { EndpointBase, type EndpointBaseDeps, type RtpCodecName } from './endpoint-base';
import { PT_PCMA, PT_PCMU, PT_TELEPHONE_EVENT } from './engine-options';
import type { G711Law } from './g711';
import { MediaNegotiationError, MediaStateError } from './media-errors';
import type { MediaDirection } from './media-engine';
import { answerDirection } from '../../shared/sdp/audio-edits';
import { parseRemoteMedia, writeLocalSdp, type RemoteMedia } from './plain-sdp';
import type { RewrittenHeader } from './rtp-stream-rewriter';

export interface RtpEndpointDeps extends EndpointBaseDeps {
  /** Binds this leg's UDP socket on the media address. */
  readonly bindSocket: () => Promise<{ socket: Socket; port: number }>;
  /** The address written into our SDP. */
  readonly advertiseAddress: string;
  readonly onClosed: (ep: RtpEndpoint) => void;
}

type Codecs = ReadonlyArray<{ pt: number; codec: RtpCodecName }>;

const OUR_OFFER: Codecs = [
  { pt: PT_PCMU, codec: 'PCMU' },
  { pt: PT_PCMA, codec: 'PCMA' },
  { pt: PT_TELEPHONE_EVENT, codec: 'telephone-event' },
];

/**
 * One party's plain RTP/AVP leg (a trunk, a SIP phone): one UDP socket, no ICE, no
 * encryption. Symmetric RTP: we send from the port we receive on, and we latch onto the
 * source address of the first packet the party sends (comedia), so a phone behind NAT
 * that wrote its private address into its SDP is still reached; after latching, packets
 * from any other source are dropped (RTP injection). RTCP is not sent; RTCP arriving on
 * the RTP port (rtcp-mux) is ignored, and the odd RTCP port is not bound.
 */
export class RtpEndpoint extends EndpointBase {
  readonly kind = 'rtp' as const;
  private socket: Socket | null = null;
  private port = 0;
  private remote: { address: string; port: number } | null = null;
  /** The address the party last wrote in its SDP (it may differ from `remote` after latching). */
  private sdpRemote: { address: string; port: number } | null = null;
  private latched = false;
  private foreignDropped = 0;
  private readonly ssrc = randomInt(1, 0xffff_ffff);
  private readonly sessionId = randomInt(1, 2 ** 31 - 1);
  private version = 1;
  private localCodecs: Codecs = OUR_OFFER;
  private closing: Promise<void> | null = null;

  constructor(
    legId: string,
    private readonly deps: RtpEndpointDeps,
  ) {
    super(legId, deps);
  }

  /** The local UDP port (0 before negotiation). */
  get localPort(): number {
    return this.port;
  }

  /** Where we send: the SDP address until the party's first packet, then its source. */
  get remoteAddress(): { address: string; port: number } | null {
    return this.remote;
  }

  async answer(remoteOffer: string): Promise<string> {
    if (this.phase !== 'new') throw new MediaStateError(`answer() in phase ${this.phase}`);
    const remote = parseRemoteMedia(remoteOffer);
    const chosen = chooseAnswerCodecs(remote.codecs);
    await this.open();
    this.adopt(remote, chosen);
    this.phase = 'connected';
    this.log.debug({ codec: this.sendLaw, remote: this.remote, port: this.port }, 'plain RTP leg answered');
    this.mediaStarted();
    return this.localSdp();
  }

  async offer(): Promise<string> {
    if (this.phase !== 'new') throw new MediaStateError(`offer() in phase ${this.phase}`);
    await this.open();
    this.phase = 'offered';
    this.localCodecs = OUR_OFFER;
    return writeLocalSdp({ address: this.deps.advertiseAddress, port: this.port, sessionId: this.sessionId, version: this.version, codecs: OUR_OFFER, direction: 'sendrecv' });
  }

  async acceptAnswer(remoteAnswer: string): Promise<void> {
    if (this.phase !== 'offered') throw new MediaStateError(`acceptAnswer() in phase ${this.phase}`);
    const remote = parseRemoteMedia(remoteAnswer);
    // An answer may only pick among what we offered (RFC 3264 §6.1): our PT numbers for 0/8,
    // its own number for telephone-event (it echoes ours in practice).
    const codecs = remote.codecs.filter((c) => c.codec === 'telephone-event' || OUR_OFFER.some((o) => o.pt === c.pt && o.codec === c.codec));
    if (!codecs.some((c) => c.codec !== 'telephone-event')) throw new MediaNegotiationError('answer has neither PCMU nor PCMA');
    this.adopt(remote, codecs);
    this.phase = 'connected';
    this.log.debug({ codec: this.sendLaw, remote: this.remote, port: this.port }, 'plain RTP leg connected');
    this.mediaStarted();
  }

  async answerReoffer(remoteOffer: string): Promise<{ sdp: string; remoteDirection: MediaDirection }> {
    if (this.phase !== 'connected') throw new MediaStateError(`answerReoffer() in phase ${this.phase}`);
    const remote = parseRemoteMedia(remoteOffer);
    const chosen = chooseAnswerCodecs(remote.codecs);
    this.version++;
    this.adopt(remote, chosen);
    return { sdp: this.localSdp(), remoteDirection: this.remoteDirection };
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  protected transmit(pt: number, h: RewrittenHeader, payload: Buffer): void {
    const r = this.remote;
    const s = this.socket;
    if (!r || !s || r.port === 0 || r.address === '0.0.0.0') return;
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = (h.marker ? 0x80 : 0) | (pt & 0x7f);
    header.writeUInt16BE(h.sequenceNumber & 0xffff, 2);
    header.writeUInt32BE(h.timestamp >>> 0, 4);
    header.writeUInt32BE(this.ssrc, 8);
    s.send([header, payload], r.port, r.address, (err) => {
      if (err) this.log.debug({ err: err.message }, 'rtp send failed');
    });
  }

  // ---- internals ----

  private async open(): Promise<void> {
    const { socket, port } = await this.deps.bindSocket();
    if (this.phase === 'closed') {
      socket.close();
      throw new MediaStateError('closed while binding');
    }
    this.socket = socket;
    this.port = port;
    socket.on('message', (msg, rinfo) => this.onPacket(msg, rinfo));
    socket.on('error', (err) => this.log.warn({ err: err.message }, 'rtp socket error'));
  }

  private adopt(remote: RemoteMedia, codecs: Codecs): void {
    const map = new Map<number, RtpCodecName>();
    for (const c of codecs) map.set(c.pt, c.codec);
    const send = codecs.find((c) => c.codec !== 'telephone-event') as { pt: number; codec: G711Law };
    this.ptToCodec = map;
    this.sendLaw = send.codec;
    this.sendPt = send.pt;
    this.dtmfPt = codecs.find((c) => c.codec === 'telephone-event')?.pt ?? null;
    this.localCodecs = codecs;
    const moved = !this.sdpRemote || this.sdpRemote.address !== remote.address || this.sdpRemote.port !== remote.port;
    // A re-offer naming a new address (or the first offer) lets the party latch again; a
    // re-offer repeating its (private) address or saying 0.0.0.0 (hold) keeps the latched one.
    if (moved && remote.address !== '0.0.0.0') {
      this.remote = { address: remote.address, port: remote.port };
      this.latched = false;
    }
    this.sdpRemote = { address: remote.address, port: remote.port };
    this.setDirection(remote.direction);
  }

  private localSdp(): string {
    return writeLocalSdp({
      address: this.deps.advertiseAddress,
      port: this.port,
      sessionId: this.sessionId,
      version: this.version,
      codecs: this.localCodecs,
      direction: answerDirection(this.remoteDirection),
    });
  }

  private onPacket(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.phase !== 'connected' || msg.length < 12 || msg[0]! >> 6 !== 2) return;
    const second = msg[1] as number;
    if (second >= 192 && second <= 223) return; // RTCP on the RTP port (rtcp-mux): not used
    if (!this.latched) {
      this.latched = true;
      const r = this.remote;
      if (!r || r.address !== rinfo.address || r.port !== rinfo.port) {
        this.log.debug({ sdp: r, source: { address: rinfo.address, port: rinfo.port } }, 'latched onto the RTP source (symmetric RTP)');
      }
      this.remote = { address: rinfo.address, port: rinfo.port };
    } else if (this.remote?.address !== rinfo.address || this.remote.port !== rinfo.port) {
      if (this.foreignDropped++ === 0) this.log.warn({ source: `${rinfo.address}:${rinfo.port}` }, 'RTP from a foreign source dropped');
      return;
    }
    const cc = msg[0]! & 0x0f;
    let offset = 12 + 4 * cc;
    if (msg[0]! & 0x10) {
      if (offset + 4 > msg.length) return;
      offset += 4 + 4 * msg.readUInt16BE(offset + 2);
    }
    const end = msg.length - (msg[0]! & 0x20 ? (msg[msg.length - 1] as number) : 0);
    if (offset > end) return;
    this.receiveRtp(second & 0x7f, msg.readUInt16BE(2), msg.readUInt32BE(4), (second & 0x80) !== 0, msg.readUInt32BE(8), msg.subarray(offset, end));
  }

  private async doClose(): Promise<void> {
    this.closeBase();
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    this.deps.onClosed(this);
    this.log.debug({ ...this.logCounters(), foreignDropped: this.foreignDropped }, 'endpoint closed');
  }
}

/** Our answer: the party's G.711 payload types in its order (the first is what we send), plus its first telephone-event. */
function chooseAnswerCodecs(offered: Codecs): Codecs {
  const audio = offered.filter((c) => c.codec !== 'telephone-event');
  if (audio.length === 0) throw new MediaNegotiationError('offer has neither PCMU nor PCMA');
  const te = offered.find((c) => c.codec === 'telephone-event');
  return te ? [...audio, te] : audio;
}
