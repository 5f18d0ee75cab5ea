import { AudioFileError } from './audio-file-error';

/** A WAV file's layout, read from its header: where the samples are and how to read them. */
export interface WavLayout {
  sampleRate: number;
  channels: number;
  frames: number;
  /** byte offset of the first sample */
  start: number;
  frameBytes: number;
  read(at: number): number;
}

const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;

/**
 * Reads the WAV files people actually have: RIFF/WAVE with integer PCM (8, 16, 24 or 32 bit)
 * or IEEE float (32 or 64 bit), any sample rate from 8 kHz up, any number of channels
 * (WAVE_FORMAT_EXTENSIBLE included). A few dozen lines of well-specified parsing: no npm
 * decoder reads more of these than this does, and each would be one more dependency.
 * A truncated data chunk is refused, not played short.
 */
export function readWavLayout(buf: Buffer): WavLayout {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new AudioFileError('this is not a WAV file');
  }
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  let off = 12;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw new AudioFileError('the WAV file is damaged (its format header is cut short)');
      let format = buf.readUInt16LE(body);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID
      if (format === EXTENSIBLE && size >= 40 && body + 26 <= buf.length) format = buf.readUInt16LE(body + 24);
      fmt = { format, channels: buf.readUInt16LE(body + 2), rate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt) throw new AudioFileError('the WAV file is damaged (audio before its format header)');
      return layout(buf, body, size, fmt);
    }
    off = body + size + (size & 1); // chunks are word-aligned
  }
  throw new AudioFileError(fmt ? 'the WAV file has no audio in it' : 'the WAV file is damaged (no format header)');
}

function layout(buf: Buffer, body: number, size: number, f: { format: number; channels: number; rate: number; bits: number }): WavLayout {
  const { format, channels, rate, bits } = f;
  if (format !== PCM && format !== FLOAT) throw new AudioFileError(`this WAV file is compressed (format ${format}); save it as plain PCM WAV or MP3`);
  if (channels < 1 || channels > 8) throw new AudioFileError(`a WAV file with ${channels} channels is not supported`);
  if (rate < 8000 || rate > 192000) throw new AudioFileError(`a sample rate of ${rate} Hz is not supported (8,000 to 192,000)`);
  const ok = format === PCM ? [8, 16, 24, 32].includes(bits) : bits === 32 || bits === 64;
  if (!ok) throw new AudioFileError(`${bits}-bit ${format === FLOAT ? 'float' : 'PCM'} WAV is not supported`);
  if (body + size > buf.length) throw new AudioFileError('the WAV file is cut short (it says it holds more audio than it does)');
  const frameBytes = (bits / 8) * channels;
  const frames = Math.floor(size / frameBytes);
  if (frames === 0) throw new AudioFileError('the WAV file has no audio in it');
  return { sampleRate: rate, channels, frames, start: body, frameBytes, read: sampleReader(buf, format, bits) };
}

/** `count` frames from `first` on, mixed to mono (-1…1). */
export function monoBlock(l: WavLayout, first: number, count: number): Float32Array {
  const out = new Float32Array(count);
  const width = l.frameBytes / l.channels;
  const k = 1 / l.channels;
  for (let i = 0; i < count; i++) {
    const at = l.start + (first + i) * l.frameBytes;
    let v = 0;
    for (let c = 0; c < l.channels; c++) v += l.read(at + c * width);
    out[i] = v * k;
  }
  return out;
}

function sampleReader(buf: Buffer, format: number, bits: number): (at: number) => number {
  if (format === FLOAT) return bits === 32 ? (at) => buf.readFloatLE(at) : (at) => buf.readDoubleLE(at);
  switch (bits) {
    case 8:
      return (at) => ((buf[at] as number) - 128) / 128; // 8-bit WAV is unsigned
    case 16:
      return (at) => buf.readInt16LE(at) / 32768;
    case 24:
      return (at) => buf.readIntLE(at, 3) / 8388608;
    default:
      return (at) => buf.readInt32LE(at) / 2147483648;
  }
}
