import { MPEGDecoder } from 'mpg123-decoder';
import { AudioFileError, starting } from './audio-file-error';

/** Bytes handed to the decoder per step (a quarter of a second of a 128 kbit/s MP3). */
const STEP_BYTES = 4 * 1024;

/**
 * MP3 (and MPEG layer I/II) through mpg123 compiled to WebAssembly (`mpg123-decoder`, of
 * wasm-audio-decoders): the reference decoder, no native build, works offline after npm install.
 * Yields the decoded audio step by step (each step's channels), so the caller can convert it as
 * it comes and yield to the event loop in between. The decoder's memory is freed at the end.
 */
export async function* mp3Blocks(buf: Buffer): AsyncGenerator<{ sampleRate: number; channels: Float32Array[] }> {
  const decoder = await starting('MP3 decoder', async () => {
    const d = new MPEGDecoder();
    await d.ready;
    return d;
  });
  try {
    let decoded = 0;
    let errors = 0;
    for (let off = 0; off < buf.length; off += STEP_BYTES) {
      const r = decoder.decode(new Uint8Array(buf.buffer, buf.byteOffset + off, Math.min(STEP_BYTES, buf.length - off)));
      errors += r.errors.length;
      if (r.samplesDecoded > 0) {
        decoded += r.samplesDecoded;
        yield { sampleRate: r.sampleRate, channels: r.channelData };
      }
    }
    if (decoded === 0) throw new AudioFileError('this MP3 file could not be decoded (it may be damaged or not an MP3 at all)');
    // a file that is mostly garbage with a frame or two in it is not a recording
    if (errors > 0 && decoded < 4000) throw new AudioFileError('this MP3 file is damaged (most of it could not be decoded)');
  } finally {
    decoder.free();
  }
}

/** Mixes one step's channels to mono. */
export function mixDown(channels: Float32Array[]): Float32Array {
  const first = channels[0] ?? new Float32Array(0);
  if (channels.length <= 1) return first;
  const out = new Float32Array(first.length);
  const k = 1 / channels.length;
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (ch[i] as number) * k;
  return out;
}
