import type { MediaKind } from '../media-engine';

/**
 * The NG flags for each side of a leg anchored in rtpengine. A leg is one rtpengine call with
 * two monologues: the party (a browser, a phone, a trunk) and the ACD (the embedded engine's
 * plain RTP endpoint). In an NG `offer` the flags describe the SDP rtpengine writes for the
 * *receiving* side, in an `answer` the SDP it writes back to the offerer; so:
 *
 * - toward the ACD: always plain RTP/AVP, no ICE, no DTLS, no SDES, RTCP not muxed, and
 *   μ-law only — whatever law the party speaks, rtpengine transcodes it (`transcode-PCMU`,
 *   every other codec masked). The embedded side then never transcodes and never does SRTP.
 * - toward the party: WebRTC (`UDP/TLS/RTP/SAVPF`, ICE forced, DTLS-SRTP, rtcp-mux) or plain
 *   RTP/AVP, as the party speaks; PCMU and PCMA offered, telephone-event kept.
 */
export type NgBody = Record<string, unknown>;

const REPLACE = ['origin', 'session-connection'];

/** Flags for the SDP written toward the embedded engine. */
export function towardAcd(opts: { answer?: boolean } = {}): NgBody {
  // in an answer the codecs were settled by our offer (μ-law only): no codec flags
  const codec = opts.answer ? {} : { codec: { mask: ['all'], except: ['telephone-event'], transcode: ['PCMU'] } };
  return {
    ...codec,
    ICE: 'remove',
    DTLS: 'off',
    SDES: ['off'],
    'transport-protocol': 'RTP/AVP',
    'rtcp-mux': ['demux'],
    replace: REPLACE,
  };
}

/** Flags for the SDP written toward the party, in an offer the ACD makes (it dials). */
export function offerTowardParty(kind: MediaKind): NgBody {
  const common = { replace: REPLACE, codec: { transcode: ['PCMA'] }, SDES: ['off'] };
  return kind === 'webrtc'
    ? { ...common, ICE: 'force', 'transport-protocol': 'UDP/TLS/RTP/SAVPF', 'rtcp-mux': ['offer', 'require'] }
    : { ...common, ICE: 'remove', DTLS: 'off', 'transport-protocol': 'RTP/AVP' };
}

/**
 * Flags for the SDP written toward the party, in the answer to its offer. rtpengine takes the
 * DTLS client role (`active`): it starts the handshake as soon as ICE is up. (The stalls once
 * seen as `passive` were rtpengine reading one socket from two threads: docs/media.md, "The
 * DTLS stall"; it must run with --poller-per-thread.)
 */
export function answerTowardParty(kind: MediaKind): NgBody {
  return kind === 'webrtc' ? { replace: REPLACE, ICE: 'force', DTLS: 'active', 'rtcp-mux': ['accept'] } : { replace: REPLACE, ICE: 'remove', DTLS: 'off' };
}

/** The embedded side's offer, μ-law and telephone-event only (rtpengine adds A-law toward the party). */
export function onlyMuLaw(plainOffer: string): string {
  return plainOffer
    .split(/\r\n/)
    .filter((l) => !/^a=rtpmap:8 /.test(l))
    .map((l) => (l.startsWith('m=audio ') ? l.replace(/ 8(?= |$)/, '') : l))
    .join('\r\n');
}

/**
 * rtpengine writes `a=rtcp:PORT` (no address) beside `a=rtcp-mux`; werift's parser (and some
 * browsers') want the address form, and with rtcp-mux the line says nothing: it is dropped.
 */
export function forWebrtcParty(sdp: string): string {
  let out = /^a=rtcp-mux\r?$/m.test(sdp) ? sdp.replace(/^a=rtcp:\d+\r\n/m, '') : sdp;
  // an offer made from the embedded side's plain SDP has no mid; browsers (and werift) bundle by mid
  if (!/^a=mid:/m.test(out)) out = out.replace(/^(m=audio [^\r\n]*\r\n)/m, '$1a=mid:0\r\n').replace(/^(t=[^\r\n]*\r\n)/m, '$1a=group:BUNDLE 0\r\n');
  return out;
}
