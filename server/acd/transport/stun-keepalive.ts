/**
 * RFC 5626 §4.4.2 keep-alives over UDP are STUN Binding requests (RFC 5389) sent to the
 * SIP port. The ACD answers them with a Binding success carrying XOR-MAPPED-ADDRESS, so
 * a phone behind NAT learns its public address and keeps its binding open. Nothing
 * else of STUN is spoken (no authentication, no other methods).
 */
const MAGIC = 0x2112a442;

/** True when a datagram looks like STUN (first two bits zero, magic cookie), not SIP. */
export function isStun(buf: Buffer): boolean {
  return buf.length >= 20 && (buf[0]! & 0xc0) === 0 && buf.readUInt32BE(4) === MAGIC;
}

/** The Binding success response to a Binding request, or null for anything else. */
export function stunBindingResponse(req: Buffer, address: string, port: number): Buffer | null {
  if (!isStun(req) || req.readUInt16BE(0) !== 0x0001) return null;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!v4) return null; // IPv6 XOR-MAPPED-ADDRESS is not needed on the ACD's IPv4 sockets
  const attr = Buffer.alloc(12);
  attr.writeUInt16BE(0x0020, 0); // XOR-MAPPED-ADDRESS
  attr.writeUInt16BE(8, 2);
  attr.writeUInt8(0, 4);
  attr.writeUInt8(0x01, 5); // IPv4
  attr.writeUInt16BE(port ^ (MAGIC >>> 16), 6);
  const ip = ((Number(v4[1]) << 24) | (Number(v4[2]) << 16) | (Number(v4[3]) << 8) | Number(v4[4])) >>> 0;
  attr.writeUInt32BE((ip ^ MAGIC) >>> 0, 8);
  const head = Buffer.alloc(20);
  head.writeUInt16BE(0x0101, 0); // Binding success response
  head.writeUInt16BE(attr.length, 2);
  head.writeUInt32BE(MAGIC, 4);
  req.copy(head, 8, 8, 20); // transaction id
  return Buffer.concat([head, attr]);
}
