import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';

/** One RTP packet as a test peer saw it. */
export interface SeenRtp {
  pt: number;
  marker: boolean;
  seq: number;
  ts: number;
  ssrc: number;
  payload: Buffer;
  from: string;
}

/**
 * Test helper: a plain RTP party on a real UDP socket on 127.0.0.1 (a SIP phone or a
 * trunk's media gateway). It writes its own SDP, sends RTP packets it is given and
 * records every RTP packet it receives.
 */
export class UdpRtpPeer {
  readonly received: SeenRtp[] = [];
  private socket: Socket | null = null;
  private seq = 3000;
  private ts = 80_000;
  readonly ssrc = 0x1234_5678;
  target: { address: string; port: number } | null = null;

  static async open(): Promise<UdpRtpPeer> {
    const p = new UdpRtpPeer();
    await p.bind();
    return p;
  }

  get port(): number {
    return this.socket?.address().port ?? 0;
  }

  /** An offer (or answer) naming this socket; `port` overrides the advertised port (NAT tests). */
  sdp(opts: { pts?: string; direction?: string; port?: number; address?: string } = {}): string {
    const pts = opts.pts ?? '0 8 101';
    const lines = ['v=0', 'o=peer 1 1 IN IP4 127.0.0.1', 's=peer', `c=IN IP4 ${opts.address ?? '127.0.0.1'}`, 't=0 0', `m=audio ${opts.port ?? this.port} RTP/AVP ${pts}`];
    for (const pt of pts.split(' ')) {
      if (pt === '0') lines.push('a=rtpmap:0 PCMU/8000');
      else if (pt === '8') lines.push('a=rtpmap:8 PCMA/8000');
      else lines.push(`a=rtpmap:${pt} telephone-event/8000`, `a=fmtp:${pt} 0-16`);
    }
    lines.push(`a=${opts.direction ?? 'sendrecv'}`);
    return lines.join('\r\n') + '\r\n';
  }

  /** Points this peer at the endpoint's SDP address. */
  aimAt(sdp: string): void {
    const addr = /^c=IN IP4 (\S+)/m.exec(sdp)?.[1];
    const port = /^m=audio (\d+)/m.exec(sdp)?.[1];
    if (!addr || !port) throw new Error('no address in SDP');
    this.target = { address: addr, port: Number(port) };
  }

  send(pt: number, payload: Buffer, opts: { marker?: boolean; ts?: number } = {}): void {
    if (!this.socket || !this.target) throw new Error('peer not aimed');
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h[1] = (opts.marker ? 0x80 : 0) | pt;
    h.writeUInt16BE(this.seq++ & 0xffff, 2);
    h.writeUInt32BE((opts.ts ?? this.ts) >>> 0, 4);
    if (opts.ts === undefined) this.ts += 160;
    h.writeUInt32BE(this.ssrc, 8);
    this.socket.send(Buffer.concat([h, payload]), this.target.port, this.target.address);
  }

  /** A packet lost on the way: its number and its 20 ms of timestamp pass, nothing is sent. */
  skip(): void {
    this.seq++;
    this.ts += 160;
  }

  /** Sends a raw datagram (replayed pcap packets). */
  sendRaw(datagram: Buffer): void {
    if (!this.socket || !this.target) throw new Error('peer not aimed');
    this.socket.send(datagram, this.target.port, this.target.address);
  }

  close(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    return s ? new Promise((r) => s.close(() => r())) : Promise.resolve();
  }

  private bind(): Promise<void> {
    const s = createSocket('udp4');
    this.socket = s;
    s.on('message', (m, r) => {
      if (m.length < 12) return;
      this.received.push({
        pt: m[1]! & 0x7f,
        marker: (m[1]! & 0x80) !== 0,
        seq: m.readUInt16BE(2),
        ts: m.readUInt32BE(4),
        ssrc: m.readUInt32BE(8),
        payload: Buffer.from(m.subarray(12)),
        from: `${r.address}:${r.port}`,
      });
    });
    return new Promise((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  }
}

/** UDP payloads (with capture times in ms) of a classic little-endian Ethernet/IPv4 pcap, like SIPp's samples. */
export function readPcapUdp(file: string): Array<{ atMs: number; dstPort: number; data: Buffer }> {
  const b = readFileSync(file);
  if (b.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('not a little-endian pcap');
  if (b.readUInt32LE(20) !== 1) throw new Error('not an Ethernet capture');
  const out: Array<{ atMs: number; dstPort: number; data: Buffer }> = [];
  let off = 24;
  let t0: number | null = null;
  while (off + 16 <= b.length) {
    const sec = b.readUInt32LE(off);
    const usec = b.readUInt32LE(off + 4);
    const incl = b.readUInt32LE(off + 8);
    const frame = b.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    if (frame.readUInt16BE(12) !== 0x0800) continue; // IPv4 only
    const ip = frame.subarray(14);
    if (ip[9] !== 17) continue; // UDP only
    const udp = ip.subarray((ip[0]! & 0x0f) * 4);
    const at = sec * 1000 + usec / 1000;
    t0 ??= at;
    out.push({ atMs: at - t0, dstPort: udp.readUInt16BE(2), data: Buffer.from(udp.subarray(8, udp.readUInt16BE(4))) });
  }
  return out;
}
