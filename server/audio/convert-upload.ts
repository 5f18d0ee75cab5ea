import { MAX_DURATION_SEC, MAX_UPLOAD_BYTES } from '../contracts/admin/audio';
import { AudioFileError } from './audio-file-error';
import { mixDown, mp3Blocks } from './decode-mp3';
import { monoBlock, readWavLayout } from './decode-wav';
import { MonoResampler, STEP } from './resample';

export const CLIP_RATE = 8000;

export interface ConvertedClip {
  /** 8 kHz mono 16-bit linear PCM */
  pcm: Int16Array;
  durationMs: number;
}

/** What the bytes are, from their first bytes (a file's name or type says nothing reliable). */
export function sniff(buf: Buffer): 'wav' | 'mp3' | null {
  if (buf.length >= 12 && buf.toString('ascii', 0, 4) === 'RIFF' && buf.toString('ascii', 8, 12) === 'WAVE') return 'wav';
  if (buf.length >= 3 && buf.toString('ascii', 0, 3) === 'ID3') return 'mp3';
  // an MPEG audio frame: 11 sync bits, a layer that is not "reserved"
  if (buf.length >= 2 && buf[0] === 0xff && ((buf[1] as number) & 0xe0) === 0xe0 && ((buf[1] as number) & 0x06) !== 0) return 'mp3';
  return null;
}

const tooLong = () => new AudioFileError(`the audio is longer than ${MAX_DURATION_SEC / 60} minutes; shorten it or split it in parts`);

/**
 * An uploaded file to the one format the ACD plays: 8 kHz mono 16-bit PCM. WAV or MP3 in,
 * mixed down, resampled with a proper low-pass, checked (not empty, not silent, not too long).
 * Every refusal is an AudioFileError with words for the admin. The work goes block by block
 * with a yield to the event loop after each (the ACD's media timers share this process).
 */
export async function convertUpload(buf: Buffer): Promise<ConvertedClip> {
  if (buf.length > MAX_UPLOAD_BYTES) throw new AudioFileError(`the file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`);
  const kind = sniff(buf);
  if (!kind) throw new AudioFileError('this is not a WAV or MP3 file');
  return kind === 'wav' ? convertWav(buf) : convertMp3(buf);
}

/** A WAV (an upload, or the speech synthesiser's output) to an 8 kHz clip. */
export async function convertWav(buf: Buffer): Promise<ConvertedClip> {
  const wav = readWavLayout(buf);
  if (wav.frames / wav.sampleRate > MAX_DURATION_SEC) throw tooLong();
  const rs = await MonoResampler.create(wav.sampleRate, CLIP_RATE);
  for (let first = 0; first < wav.frames; first += STEP) {
    await rs.push(monoBlock(wav, first, Math.min(STEP, wav.frames - first)));
  }
  return finish(rs);
}

async function convertMp3(buf: Buffer): Promise<ConvertedClip> {
  let rs: MonoResampler | null = null;
  try {
    for await (const block of mp3Blocks(buf)) {
      // a stream whose rate changes midway is not one recording; the first rate holds
      rs ??= await MonoResampler.create(block.sampleRate, CLIP_RATE);
      await rs.push(mixDown(block.channels));
      if (rs.inputSeconds > MAX_DURATION_SEC) throw tooLong();
    }
  } catch (err) {
    rs?.finish();
    throw err;
  }
  if (!rs) throw new AudioFileError('this MP3 file could not be decoded (it may be damaged or not an MP3 at all)');
  return finish(rs);
}

function finish(rs: MonoResampler): ConvertedClip {
  const seconds = rs.inputSeconds;
  const pcm = rs.finish();
  if (seconds < 0.1) throw new AudioFileError('the audio is shorter than a tenth of a second');
  // below -60 dBFS everywhere: a caller would hear nothing
  if (rs.peak < 33) throw new AudioFileError('the audio is silent');
  return { pcm, durationMs: Math.round((pcm.length / CLIP_RATE) * 1000) };
}
