import * as sdpTransform from 'sdp-transform';
import type { MediaDescription, SessionDescription } from 'sdp-transform';

/**
 * The one door to `sdp-transform` (RFC 4566 parse and write): every SDP the servers read or
 * edit goes through here, so no module splits SDP into lines by hand. werift and JsSIP
 * parse their own SDP internally; only our edits and reads live in `server/shared/sdp/`.
 *
 * `sdp-transform` never throws: lines it does not know are kept (as `invalid`) and written
 * back, a malformed m-line leaves a media entry without a type. The types below say what
 * a parse really gives (fields absent when the text lacks them), not what the library's
 * typings promise.
 */
export type ParsedMedia = Partial<MediaDescription> & Pick<MediaDescription, 'rtp' | 'fmtp'>;
export type ParsedSdp = Omit<Partial<SessionDescription>, 'media'> & { media: ParsedMedia[] };
export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export function parseSdp(text: string): ParsedSdp {
  return sdpTransform.parse(text) as ParsedSdp;
}

/** Writes a description; lines end with CRLF, the last one too. Absent fields are left out. */
export function writeSdp(doc: ParsedSdp | SessionDescription): string {
  return sdpTransform.write(doc as SessionDescription);
}

/** A cheap first check before parsing: SDP starts with its version line. */
export function looksLikeSdp(text: unknown): text is string {
  return typeof text === 'string' && text.startsWith('v=0');
}

/** True when a SIP message body is SDP: not empty, and `Content-Type: application/sdp`. */
export function isSdpBody(contentType: string | undefined, body: string): boolean {
  return body.length > 0 && (contentType ?? '').toLowerCase().startsWith('application/sdp');
}

/** The first audio m-section, if any. */
export function firstAudio(doc: ParsedSdp): ParsedMedia | undefined {
  return doc.media.find((m) => m.type === 'audio');
}

/** The payload types of an m-line, in its order (`sdp-transform` gives a lone one as a number). */
export function payloadTypes(m: ParsedMedia): number[] {
  return String(m.payloads ?? '')
    .trim()
    .split(/\s+/)
    .filter((t) => /^\d+$/.test(t))
    .map(Number);
}

/** The transport protocol of the first audio m-line (`RTP/AVP`, `UDP/TLS/RTP/SAVPF`…), '' when none. */
export function audioProtocolOf(sdp: string): string {
  return firstAudio(parseSdp(sdp))?.protocol ?? '';
}

/** Plain RTP (`RTP/AVP`, `RTP/AVPF`: no DTLS, no ICE required), as opposed to WebRTC's secure profiles. */
export function isPlainRtpProtocol(protocol: string): boolean {
  const p = protocol.toUpperCase();
  return p === 'RTP/AVP' || p === 'RTP/AVPF';
}

/** An IPv4 connection address (`c=IN IP4 a.b.c.d`, a multicast TTL cut off), null otherwise. */
export function ipv4Of(connection: { version: number; ip: string } | undefined): string | null {
  if (!connection || connection.version !== 4) return null;
  return /^\d{1,3}(?:\.\d{1,3}){3}/.exec(connection.ip)?.[0] ?? null;
}

/**
 * True when a re-offer describes the session the previous offer did, differing at most in
 * its o= version (RFC 4028 refreshes, RFC 3264 §8 unchanged offers). Both are compared as
 * `sdp-transform` reads them, so line endings and blank lines do not count.
 */
export function sameSession(prev: string | null, next: string): boolean {
  if (prev === null) return false;
  return withoutVersion(prev) === withoutVersion(next);
}

function withoutVersion(sdp: string): string {
  const doc = parseSdp(sdp);
  if (doc.origin) doc.origin = { ...doc.origin, sessionVersion: 0 };
  // the parsed form is the normal form: cheaper to compare than written text
  return JSON.stringify(doc);
}
