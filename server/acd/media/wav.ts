/**
 * Reads the one WAV flavour clips may come in: RIFF/WAVE, PCM (format 1), 8 kHz,
 * 16-bit, mono. Anything else is refused with a message saying what was found,
 * so an operator can convert with `sox in.wav -r 8000 -c 1 -b 16 out.wav`.
 */
export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

export function parseWav8kMono16(buf: Buffer): Int16Array {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  let off = 12;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      if (size < 16) throw new WavFormatError('fmt chunk too short');
      fmt = {
        format: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        rate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('data chunk before fmt chunk');
      if (fmt.format !== 1 || fmt.channels !== 1 || fmt.rate !== 8000 || fmt.bits !== 16) {
        throw new WavFormatError(
          `need PCM 8000 Hz 16-bit mono, got format ${fmt.format} ${fmt.rate} Hz ${fmt.bits}-bit ${fmt.channels} channel(s)`,
        );
      }
      const len = Math.min(size, buf.length - body) & ~1;
      // one copy (Node runs on little-endian machines, WAV is little-endian)
      const pcm = new Int16Array(len / 2);
      new Uint8Array(pcm.buffer).set(buf.subarray(body, body + len));
      return pcm;
    }
    off = body + size + (size & 1); // chunks are word-aligned
  }
  throw new WavFormatError('no data chunk');
}

/** Writes 8 kHz 16-bit mono PCM as a WAV file (the audio library's stored format, tests). */
export function writeWav8kMono16(pcm: Int16Array): Buffer {
  const buf = Buffer.alloc(44 + pcm.length * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + pcm.length * 2, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(8000, 24);
  buf.writeUInt32LE(16000, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(pcm.length * 2, 40);
  buf.set(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength), 44);
  return buf;
}
