/**
 * What a recording's RIFF header says: its format, where the samples start and how many bytes of
 * them there are. The ACD's recorder writes a header with data size 0 when it opens the file and
 * the real sizes when the bridge ends, so a file whose data chunk does not reach its end is still
 * being written (`finalised: false`).
 */
export interface WavInfo {
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** bytes of sample data per second (channels × rate × bytes per sample) */
  byteRate: number;
  /** offset of the first sample byte */
  dataOffset: number;
  /** the data chunk's declared size */
  dataBytes: number;
  durationMs: number;
  /** the header's sizes cover the whole file: the recorder has closed it */
  finalised: boolean;
}

/** Enough of the file's start to hold the header (the recorder writes 44 bytes; others may add chunks). */
export const WAV_HEADER_PROBE_BYTES = 4096;

/** Reads the header from the file's first bytes; null when they are not a PCM WAV header. */
export function readWavInfo(head: Buffer, fileSize: number): WavInfo | null {
  if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return null;
  let fmt: Pick<WavInfo, 'channels' | 'sampleRate' | 'bitsPerSample' | 'byteRate'> | null = null;
  let off = 12;
  while (off + 8 <= head.length) {
    const id = head.toString('ascii', off, off + 4);
    const size = head.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ' && body + 16 <= head.length) {
      if (head.readUInt16LE(body) !== 1) return null; // PCM only
      fmt = { channels: head.readUInt16LE(body + 2), sampleRate: head.readUInt32LE(body + 4), byteRate: head.readUInt32LE(body + 8), bitsPerSample: head.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt || fmt.byteRate === 0) return null;
      const finalised = body + size === fileSize;
      // while the recorder writes, the header says 0: what is on disk so far is the best length we have
      const dataBytes = finalised ? size : Math.max(0, fileSize - body);
      return { ...fmt, dataOffset: body, dataBytes, durationMs: Math.round((dataBytes / fmt.byteRate) * 1000), finalised };
    }
    off = body + size + (size & 1);
  }
  return null;
}
