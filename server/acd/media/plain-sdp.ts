import type { RtpCodecName } from './endpoint-base';
import { MediaNegotiationError } from './media-errors';
import type { MediaDirection } from './media-engine';
import { remoteDirectionOf } from './sdp-tweaks';

/**
 * SDP for plain RTP/AVP legs (trunks, SIP phones): no ICE, no DTLS, one audio stream,
 * G.711 + telephone-event only. Parsing is deliberately narrow: the first audio m-line,
 * its connection address (media-level, else session-level), its payload types and
 * direction. Everything else is ignored.
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
  if (!sdp.startsWith('v=0')) throw new MediaNegotiationError('not an SDP body');
  const ls = sdp.split(/\r?\n/);
  let sessionAddr: string | null = null;
  let mediaAddr: string | null = null;
  let mline: RegExpExecArray | null = null;
  const rtpmap = new Map<number, { name: string; rate: number }>();
  for (const l of ls) {
    if (l.startsWith('m=')) {
      if (mline) break; // only the first audio stream
      mline = /^m=audio (\d+)(?:\/\d+)? (\S+) ([\d ]+)$/.exec(l.trim());
      continue;
    }
    const c = /^c=IN IP4 (\d{1,3}(?:\.\d{1,3}){3})/.exec(l);
    if (c) {
      if (mline) mediaAddr = c[1] as string;
      else sessionAddr = c[1] as string;
    }
    const r = /^a=rtpmap:(\d+) ([^/\s]+)\/(\d+)/.exec(l);
    if (r && mline) rtpmap.set(Number(r[1]), { name: (r[2] as string).toUpperCase(), rate: Number(r[3]) });
  }
  if (!mline) throw new MediaNegotiationError('no audio m-line');
  const proto = (mline[2] as string).toUpperCase();
  if (proto !== 'RTP/AVP' && proto !== 'RTP/AVPF') throw new MediaNegotiationError(`not plain RTP: ${proto}`);
  const address = mediaAddr ?? sessionAddr;
  if (!address) throw new MediaNegotiationError('no IPv4 connection address');
  const codecs: Array<{ pt: number; codec: RtpCodecName }> = [];
  for (const tok of (mline[3] as string).trim().split(/\s+/)) {
    const pt = Number(tok);
    const map = rtpmap.get(pt);
    let codec: RtpCodecName | undefined;
    if (map) {
      if (map.rate !== 8000) continue;
      if (map.name === 'PCMU' || map.name === 'PCMA') codec = map.name;
      else if (map.name === 'TELEPHONE-EVENT') codec = 'telephone-event';
    } else codec = STATIC[pt];
    if (codec) codecs.push({ pt, codec });
  }
  return { address, port: Number(mline[1]), codecs, direction: remoteDirectionOf(sdp) };
}

/** Our side's direction for a remote one (RFC 3264 §6.1). */
export function answerDirection(remote: MediaDirection): MediaDirection {
  if (remote === 'sendonly') return 'recvonly';
  if (remote === 'recvonly') return 'sendonly';
  return remote;
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
  const pts = d.codecs.map((c) => c.pt);
  const out = [
    'v=0',
    `o=patchbay ${d.sessionId} ${d.version} IN IP4 ${d.address}`,
    's=patchbay',
    `c=IN IP4 ${d.address}`,
    't=0 0',
    `m=audio ${d.port} RTP/AVP ${pts.join(' ')}`,
  ];
  for (const c of d.codecs) {
    if (c.codec === 'telephone-event') out.push(`a=rtpmap:${c.pt} telephone-event/8000`, `a=fmtp:${c.pt} 0-16`);
    else out.push(`a=rtpmap:${c.pt} ${c.codec}/8000`);
  }
  out.push('a=ptime:20', `a=${d.direction}`);
  return out.join('\r\n') + '\r\n';
}
