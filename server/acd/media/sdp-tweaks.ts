/**
 * The little SDP text surgery werift needs around it. werift matches codecs by name only,
 * so a browser's `telephone-event/48000` (which pairs with Opus) would be accepted next to
 * G.711; and werift writes `c=IN IP4 0.0.0.0` / port 9 even when candidates are complete.
 */

const lines = (sdp: string): string[] => sdp.split(/\r?\n/).filter((l) => l.length > 0);
const join = (ls: string[]): string => ls.join('\r\n') + '\r\n';

/** Drops from audio m-sections every payload type whose rtpmap is not an 8 kHz codec. */
export function keepOnly8kAudio(sdp: string): string {
  const ls = lines(sdp);
  const out: string[] = [];
  let i = 0;
  while (i < ls.length) {
    const line = ls[i] as string;
    if (!line.startsWith('m=audio ')) {
      out.push(line);
      i++;
      continue;
    }
    let end = i + 1;
    while (end < ls.length && !(ls[end] as string).startsWith('m=')) end++;
    const section = ls.slice(i + 1, end);
    const drop = new Set<string>();
    for (const l of section) {
      const m = /^a=rtpmap:(\d+) [^/]+\/(\d+)/.exec(l);
      if (m && m[2] !== '8000') drop.add(m[1] as string);
    }
    const toks = line.split(' ');
    out.push([...toks.slice(0, 3), ...toks.slice(3).filter((pt) => !drop.has(pt))].join(' '));
    for (const l of section) {
      const pt = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)/.exec(l)?.[1];
      if (pt === undefined || !drop.has(pt)) out.push(l);
    }
    i = end;
  }
  return join(out);
}

/** Host candidates of the first m-section: [address, port] in SDP order. */
export function candidateAddresses(sdp: string): Array<[string, number]> {
  const found: Array<[string, number]> = [];
  for (const l of lines(sdp)) {
    const m = /^a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ host/i.exec(l);
    if (m) found.push([m[1] as string, Number(m[2])]);
  }
  return found;
}

/**
 * Puts a real default address into `c=` and the m-line port (the first non-loopback host
 * candidate, else the first one), as RFC 8839 asks, for SIP parties that read them.
 */
export function setDefaultCandidate(sdp: string): string {
  const cands = candidateAddresses(sdp);
  const pick = cands.find(([a]) => !a.startsWith('127.')) ?? cands[0];
  if (!pick) return sdp;
  const [addr, port] = pick;
  let inMedia = false;
  return join(
    lines(sdp).map((l) => {
      if (l.startsWith('m=')) {
        inMedia = true;
        return l.replace(/^(m=\S+ )\d+/, `$1${port}`);
      }
      if (inMedia && l.startsWith('c=IN IP4 ')) return `c=IN IP4 ${addr}`;
      return l;
    }),
  );
}

/**
 * The direction the remote party asked for in its SDP: the first audio m-section's attribute,
 * else the session-level one, else sendrecv. `c=IN IP4 0.0.0.0` with no attribute is the old
 * RFC 2543 hold and counts as `inactive`.
 */
export function remoteDirectionOf(sdp: string): 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' {
  let session: string | null = null;
  let media: string | null = null;
  let inAudio = false;
  let seenAudio = false;
  let zeroAddr = false;
  for (const l of lines(sdp)) {
    if (l.startsWith('m=')) {
      if (seenAudio) break;
      inAudio = l.startsWith('m=audio ');
      seenAudio = inAudio;
      continue;
    }
    const d = /^a=(sendrecv|sendonly|recvonly|inactive)$/.exec(l)?.[1];
    if (/^c=IN IP4 0\.0\.0\.0$/.test(l) && (inAudio || !seenAudio)) zeroAddr = true;
    if (!d) continue;
    if (inAudio) media = d;
    else if (!seenAudio) session = d;
  }
  const dir = (media ?? session) as 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' | null;
  if (dir) return dir;
  return zeroAddr ? 'inactive' : 'sendrecv';
}
