/** A 160-byte G.711 frame tagged with who sent it and its index, so it can be recognised after forwarding. */
export function taggedFrame(tag: number, n: number): Buffer {
  const b = Buffer.alloc(160, 0xd5 ^ tag);
  b.writeUInt8(tag, 0);
  b.writeUInt16BE(n, 1);
  return b;
}
