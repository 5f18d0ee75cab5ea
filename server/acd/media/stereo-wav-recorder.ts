import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Logger } from '../../log';
import { SAMPLE_RATE } from './audio-clip';

const HEADER_BYTES = 44;
/** How far behind the wall clock audio is written out: room for network jitter. */
const FLUSH_LAG = SAMPLE_RATE / 2; // 500 ms
/** A channel whose own sample clock strays further than this from the wall clock is re-placed at the wall clock. */
const MAX_BEHIND = SAMPLE_RATE / 5; // 200 ms (less than FLUSH_LAG: late audio is never behind what was written)
const MAX_AHEAD = (SAMPLE_RATE * 3) / 10; // 300 ms
/** Samples held in memory per channel: the flush lag plus the allowed lead, rounded up. */
const WINDOW = SAMPLE_RATE * 2;

/**
 * Writes two mono 8 kHz streams (decoded G.711 of each bridged party) as one stereo 16-bit
 * WAV, streamed to disk with bounded memory (a 2 s window).
 *
 * Alignment: each channel has a cursor in samples. A frame is written at its channel's
 * cursor while that cursor stays within [-200 ms, +300 ms] of the wall clock position
 * (jitter and bursts keep their continuity); outside that band (a silent gap, a stall,
 * clock drift) the cursor is re-placed at the wall clock, so neither channel drifts and
 * gaps become silence. Audio older than 500 ms is interleaved and written out.
 * `close()` writes the rest, up to the wall clock, and fills in the RIFF sizes.
 */
export class StereoWavRecorder {
  private readonly out: WriteStream;
  private readonly t0: number;
  /** Interleaved samples for positions [flushed, flushed + WINDOW). */
  private readonly window = new Int16Array(WINDOW * 2);
  private flushed = 0;
  private readonly cursor: [number | null, number | null] = [null, null];
  private maxWritten = 0;
  private closing: Promise<void> | null = null;
  private failed: Error | null = null;

  constructor(
    private readonly path: string,
    private readonly log: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.t0 = now();
    this.out = createWriteStream(path);
    this.out.on('error', (err) => {
      this.failed ??= err;
      this.log.error({ path, err: err.message }, 'recording write failed');
    });
    this.out.write(wavHeader(0));
  }

  /** Adds decoded audio received from one party, now. */
  push(channel: 0 | 1, pcm: Int16Array): void {
    if (this.closing || this.failed) return;
    const wall = this.wallPos();
    let pos = this.cursor[channel];
    if (pos === null || pos < wall - MAX_BEHIND || pos > wall + MAX_AHEAD) pos = Math.max(this.flushed, wall - pcm.length);
    this.flushTo(Math.min(wall - FLUSH_LAG, pos));
    if (pos + pcm.length > this.flushed + WINDOW) this.flushTo(pos + pcm.length - WINDOW);
    const base = pos - this.flushed;
    for (let i = 0; i < pcm.length; i++) this.window[2 * (base + i) + channel] = pcm[i] as number;
    this.cursor[channel] = pos + pcm.length;
    this.maxWritten = Math.max(this.maxWritten, pos + pcm.length);
  }

  /** Writes what is left and finalises the header. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private wallPos(): number {
    return Math.floor(((this.now() - this.t0) * SAMPLE_RATE) / 1000);
  }

  /** Writes out every position below `target` (silence where nothing arrived) and slides the window. */
  private flushTo(target: number): void {
    while (this.flushed < target) {
      const n = Math.min(target - this.flushed, WINDOW);
      this.out.write(Buffer.from(this.window.buffer.slice(0, n * 4)));
      this.window.copyWithin(0, n * 2);
      this.window.fill(0, (WINDOW - n) * 2);
      this.flushed += n;
    }
  }

  private async doClose(): Promise<void> {
    this.flushTo(Math.max(this.maxWritten, this.wallPos()));
    await new Promise<void>((resolve) => this.out.end(resolve));
    if (this.failed) throw this.failed;
    const fh = await open(this.path, 'r+');
    try {
      await fh.write(wavHeader(this.flushed * 4), 0, HEADER_BYTES, 0);
    } finally {
      await fh.close();
    }
    this.log.info({ path: this.path, seconds: this.flushed / SAMPLE_RATE }, 'recording finalised');
  }
}

/** RIFF header of a PCM 8 kHz 16-bit stereo WAV with `dataBytes` of samples (the recordings' one format). */
export function wavHeader(dataBytes: number): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + dataBytes, 4);
  b.write('WAVE', 8, 'ascii');
  b.write('fmt ', 12, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(2, 22); // stereo
  b.writeUInt32LE(SAMPLE_RATE, 24);
  b.writeUInt32LE(SAMPLE_RATE * 4, 28); // byte rate
  b.writeUInt16LE(4, 32); // block align
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(dataBytes, 40);
  return b;
}
