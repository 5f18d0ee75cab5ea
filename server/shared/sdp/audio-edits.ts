import { firstAudio, parseSdp, payloadTypes, writeSdp, type ParsedSdp, type SdpDirection } from './sdp-document';

/**
 * The SDP edits and reads the media side needs around werift and plain RTP. werift matches
 * codecs by name only, so a browser's `telephone-event/48000` (which pairs with Opus) would
 * be accepted next to G.711; and werift writes `c=IN IP4 0.0.0.0` / port 9 even when its
 * candidates are complete.
 */

/** Drops from audio m-sections every payload type whose rtpmap is not an 8 kHz codec. */
export function keepOnly8kAudio(sdp: string): string {
  const doc = parseSdp(sdp);
  for (const m of doc.media) {
    if (m.type !== 'audio') continue;
    const drop = new Set(m.rtp.filter((r) => r.rate !== undefined && r.rate !== 8000).map((r) => r.payload));
    if (drop.size === 0) continue;
    m.payloads = payloadTypes(m)
      .filter((pt) => !drop.has(pt))
      .join(' ');
    m.rtp = m.rtp.filter((r) => !drop.has(r.payload));
    m.fmtp = m.fmtp.filter((f) => !drop.has(f.payload));
    if (m.rtcpFb) m.rtcpFb = m.rtcpFb.filter((f) => !drop.has(Number(f.payload)));
  }
  return writeSdp(doc);
}

/**
 * Drops the `generation` extension (and Chrome's network-id / network-cost) from every candidate line. werift nominates a pair only when
 * its remote candidate's generation equals its *own* restart count, but the two agents count
 * their ICE restarts apart: a peer that restarted once more than we did (a re-offer that never
 * reached us, e.g. sent on the connection that died) would never get a pair nominated by us
 * again, and our media would stop for good. With full SDP the ufrag already names the
 * generation (werift forgets the old remote candidates on a restart), so the number adds nothing.
 */
export function withoutCandidateGenerations(sdp: string): string {
  const doc = parseSdp(sdp);
  let changed = false;
  for (const m of doc.media) {
    for (const c of m.candidates ?? []) {
      if (c.generation === undefined) continue;
      // sdp-transform writes network-id in generation's place when generation is absent;
      // werift reads neither network-id nor network-cost, so they go too
      delete c.generation;
      delete c['network-id'];
      delete c['network-cost'];
      changed = true;
    }
  }
  return changed ? writeSdp(doc) : sdp;
}

/** Host UDP candidates (component 1): [address, port] in SDP order. */
export function candidateAddresses(sdp: string): Array<[string, number]> {
  return hostCandidatesOf(parseSdp(sdp));
}

function hostCandidatesOf(doc: ParsedSdp): Array<[string, number]> {
  const found: Array<[string, number]> = [];
  for (const m of doc.media) {
    for (const c of m.candidates ?? []) {
      if (Number(c.component) === 1 && c.transport.toLowerCase() === 'udp' && c.type === 'host') found.push([String(c.ip), Number(c.port)]);
    }
  }
  return found;
}

/**
 * Puts a real default address into `c=` and the m-line port (the first non-loopback host
 * candidate, else the first one), as RFC 8839 asks, for SIP parties that read them.
 */
export function setDefaultCandidate(sdp: string): string {
  const doc = parseSdp(sdp);
  const cands = hostCandidatesOf(doc);
  const pick = cands.find(([a]) => !a.startsWith('127.')) ?? cands[0];
  if (!pick) return sdp;
  const [addr, port] = pick;
  for (const m of doc.media) {
    m.port = port;
    if (m.connection?.version === 4) m.connection = { version: 4, ip: addr };
  }
  return writeSdp(doc);
}

/**
 * The direction the remote party asked for in its SDP: the first audio m-section's attribute,
 * else the session-level one, else sendrecv. `c=IN IP4 0.0.0.0` with no attribute is the old
 * RFC 2543 hold and counts as `inactive`.
 */
export function remoteDirectionOf(sdp: string | ParsedSdp): SdpDirection {
  const doc = typeof sdp === 'string' ? parseSdp(sdp) : sdp;
  const audio = firstAudio(doc);
  const dir = audio?.direction ?? doc.direction;
  if (dir) return dir;
  const held = (c: { version: number; ip: string } | undefined) => c?.version === 4 && c.ip === '0.0.0.0';
  return held(doc.connection) || held(audio?.connection) ? 'inactive' : 'sendrecv';
}

/** Our side's direction for a remote one (RFC 3264 §6.1). */
export function answerDirection(remote: SdpDirection): SdpDirection {
  if (remote === 'sendonly') return 'recvonly';
  if (remote === 'recvonly') return 'sendonly';
  return remote;
}
