import { remoteDirectionOf } from '../../shared/sdp/audio-edits';
import { firstAudio, ipv4Of, isPlainRtpProtocol, looksLikeSdp, parseSdp, payloadTypes, writeSdp } from '../../shared/sdp/sdp-document';
import type { RtpCodecName } from './endpoint-base';
import { MediaNegotiationError } from './media-errors';
import type { MediaDirection } from './media-engine';

/**
 * SDP for plain RTP/AVP legs (trunks, SIP phones): no ICE, no DTLS, one audio stream,
 * G.711 + telephone-event only. Reading is deliberately narrow: the first audio m-line,
 * its connection address (media-level, else session-level), its payload types and
 * direction. Everything else is ignored. Parsing and writing go through the shared SDP
 * module; this file only maps SDP to our codecs.
 */
export interface RemoteMedia {
  readonly address: string;
  readonly port: number;
  /** Payload types in the order the party listed them, resolved to our codecs (others dropped). */
  readonly codecs: ReadonlyArray<{ pt: number; codec: RtpCodecName }>;
  readonly direction: MediaDirection;
}

const STATIC: Record<number, RtpCodecName> = { 0: 'PCMU', 8: 'PCMA' };

export function parseRemoteMedia(sdp: string): RemoteMedia {
  if (!looksLikeSdp(sdp)) throw new MediaNegotiationError('not an SDP body');
  const doc = parseSdp(sdp);
  const audio = firstAudio(doc);
  if (!audio || audio.port === undefined || !audio.protocol) throw new MediaNegotiationError('no audio m-line');
  if (!isPlainRtpProtocol(audio.protocol)) throw new MediaNegotiationError(`not plain RTP: ${audio.protocol.toUpperCase()}`);
  const address = ipv4Of(audio.connection) ?? ipv4Of(doc.connection);
  if (!address) throw new MediaNegotiationError('no IPv4 connection address');
  const rtpmap = new Map(audio.rtp.map((r) => [r.payload, { name: r.codec.toUpperCase(), rate: r.rate }]));
  const codecs: Array<{ pt: number; codec: RtpCodecName }> = [];
  for (const pt of payloadTypes(audio)) {
    const map = rtpmap.get(pt);
    let codec: RtpCodecName | undefined;
    if (map) {
      if (map.rate !== 8000) continue;
      if (map.name === 'PCMU' || map.name === 'PCMA') codec = map.name;
      else if (map.name === 'TELEPHONE-EVENT') codec = 'telephone-event';
    } else codec = STATIC[pt];
    if (codec) codecs.push({ pt, codec });
  }
  return { address, port: audio.port, codecs, direction: remoteDirectionOf(doc) };
}

export interface LocalMediaDesc {
  readonly address: string;
  readonly port: number;
  readonly sessionId: number;
  readonly version: number;
  readonly codecs: ReadonlyArray<{ pt: number; codec: RtpCodecName }>;
  readonly direction: MediaDirection;
}

export function writeLocalSdp(d: LocalMediaDesc): string {
  return writeSdp({
    version: 0,
    origin: { username: 'patchbay', sessionId: d.sessionId, sessionVersion: d.version, netType: 'IN', ipVer: 4, address: d.address },
    name: 'patchbay',
    connection: { version: 4, ip: d.address },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: 'audio',
        port: d.port,
        protocol: 'RTP/AVP',
        payloads: d.codecs.map((c) => c.pt).join(' '),
        rtp: d.codecs.map((c) => ({ payload: c.pt, codec: c.codec, rate: 8000 })),
        fmtp: d.codecs.filter((c) => c.codec === 'telephone-event').map((c) => ({ payload: c.pt, config: '0-16' })),
        ptime: 20,
        direction: d.direction,
      },
    ],
  });
}
