import { describe, expect, it } from 'vitest';
import { wavHeader } from '../acd/media/stereo-wav-recorder';
import { readWavInfo } from './wav-info';

/** A stereo 8 kHz 16-bit header as the ACD's recorder writes it, with `dataBytes` in its data chunk. */
const header = wavHeader;

describe('readWavInfo', () => {
  it('reads a finalised recording: format, where the samples are, duration', () => {
    expect(readWavInfo(header(64_000), 44 + 64_000)).toEqual({
      channels: 2,
      sampleRate: 8000,
      bitsPerSample: 16,
      byteRate: 32000,
      dataOffset: 44,
      dataBytes: 64_000,
      durationMs: 2000,
      finalised: true,
    });
  });

  it('tells a file still being written (header says 0, the file is longer) and measures what is on disk', () => {
    expect(readWavInfo(header(0), 44 + 16_000)).toMatchObject({ finalised: false, dataBytes: 16_000, durationMs: 500 });
    // an empty recording that was closed at once is finalised with no audio
    expect(readWavInfo(header(0), 44)).toMatchObject({ finalised: true, durationMs: 0 });
  });

  it('refuses what is not a PCM WAV', () => {
    expect(readWavInfo(Buffer.from('not a wav file at all, really'), 29)).toBeNull();
    const alaw = header(100);
    alaw.writeUInt16LE(6, 20); // A-law, not PCM
    expect(readWavInfo(alaw, 144)).toBeNull();
    expect(readWavInfo(header(100).subarray(0, 30), 144)).toBeNull(); // cut before the data chunk
  });
});
