import { z } from 'zod';

/** What rtpengine counted on one leg (one NG call), read from an NG `query` reply. */
export interface LegCounters {
  /** RTP packets rtpengine received from the party */
  fromParty: number;
  /** RTP packets rtpengine received from the embedded side (to send on to the party) */
  fromAcd: number;
}

const Stream = z.object({ flags: z.array(z.string()).default([]), stats: z.object({ packets: z.number() }).partial().default({}) }).passthrough();
const Monologue = z.object({ medias: z.array(z.object({ streams: z.array(Stream).default([]) }).passthrough()).default([]) }).passthrough();
const QueryReply = z.object({ tags: z.record(z.string(), Monologue).default({}) }).passthrough();

/** RTP (not RTCP) packets rtpengine received on a monologue's streams. */
function rtpPackets(m: z.infer<typeof Monologue> | undefined): number {
  let n = 0;
  for (const media of m?.medias ?? []) for (const s of media.streams) if (s.flags.includes('RTP')) n += s.stats.packets ?? 0;
  return n;
}

export function legCounters(reply: unknown, tags: { party: string; acd: string }): LegCounters {
  const q = QueryReply.parse(reply);
  return { fromParty: rtpPackets(q.tags[tags.party]), fromAcd: rtpPackets(q.tags[tags.acd]) };
}
