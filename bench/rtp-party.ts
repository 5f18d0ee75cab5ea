/**
 * A plain RTP party for the media benches (bench/mix-bench.ts, bench/media-engines.ts): a UDP
 * socket on loopback that offers G.711 (its law, plus telephone-event) and sends one 20 ms frame
 * of a 1 kHz tone per `sendFrame` once it knows where to send. What comes back is counted.
 */
import dgram from 'node:dgram';
import { encode } from '../server/acd/media/g711';

export interface RtpParty {
  sock: dgram.Socket;
  pt: 0 | 8;
  target: { port: number; address: string } | null;
  seq: number;
  ts: number;
  /** packets received from the engine */
  got: number;
}

const tone = Int16Array.from({ length: 160 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
/** One 20 ms frame of the tone in each law (payload type 0: PCMU, 8: PCMA). */
export const TONE_FRAMES = { 0: encode(tone, 'PCMU'), 8: encode(tone, 'PCMA') } as const;

export async function openRtpParty(pt: 0 | 8): Promise<RtpParty> {
  const sock = dgram.createSocket('udp4');
  const p: RtpParty = { sock, pt, target: null, seq: 1, ts: 1000, got: 0 };
  sock.on('message', () => void p.got++);
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return p;
}

/** The party's SDP offer: plain RTP/AVP on its port, its law and telephone-event. */
export const rtpPartyOffer = (p: RtpParty): string =>
  ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${p.sock.address().port} RTP/AVP ${p.pt} 101`, `a=rtpmap:${p.pt} ${p.pt === 0 ? 'PCMU' : 'PCMA'}/8000`, 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join('\r\n');

/** One 20 ms frame toward the engine (nothing before the answer gave a target). */
export function sendRtpFrame(p: RtpParty): void {
  if (!p.target) return;
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = p.pt;
  h.writeUInt16BE(p.seq++ & 0xffff, 2);
  h.writeUInt32BE(p.ts >>> 0, 4);
  p.ts += 160;
  h.writeUInt32BE(0x1000 + p.sock.address().port, 8);
  p.sock.send([h, TONE_FRAMES[p.pt]], p.target.port, p.target.address);
}
