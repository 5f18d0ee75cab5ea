import libsamplerate from '@alexanderolsen/libsamplerate-js';
import { starting } from './audio-file-error';

const { create, ConverterType } = libsamplerate;

/** Input samples per resampling call: a few ms of CPU, so the caller can yield between pushes. */
export const STEP = 8192;

type Src = Awaited<ReturnType<typeof create>>;

/**
 * Mono audio to `outRate` 16-bit PCM with libsamplerate (Erik de Castro Lopo's band-limited
 * sinc converter, compiled to WebAssembly: `@alexanderolsen/libsamplerate-js`).
 * SRC_SINC_MEDIUM_QUALITY: its low-pass keeps 90 % of the new band (to 3.6 kHz at 8 kHz, past
 * the 3.4 kHz of the telephone band) with 97 dB of stop-band rejection, at a quarter of the
 * best-quality converter's CPU. Fed block by block through libsamplerate's `full` API, which
 * keeps the filter's state between calls (the blocks join without a seam), yielding to the event
 * loop after each step, so a long file does not stall RTP pacing in the same process.
 */
export class MonoResampler {
  private readonly parts: Int16Array[] = [];
  private inSamples = 0;
  peak = 0;

  private constructor(
    private readonly src: Src | null,
    readonly inRate: number,
    readonly outRate: number,
  ) {}

  static async create(inRate: number, outRate: number): Promise<MonoResampler> {
    const src = inRate === outRate ? null : await starting('resampler', () => create(1, inRate, outRate, { converterType: ConverterType.SRC_SINC_MEDIUM_QUALITY }));
    return new MonoResampler(src, inRate, outRate);
  }

  get inputSeconds(): number {
    return this.inSamples / this.inRate;
  }

  /** Converts a block, STEP samples at a time with a yield to the event loop after each. */
  async push(mono: Float32Array): Promise<void> {
    this.inSamples += mono.length;
    for (let off = 0; off < mono.length; off += STEP) {
      const part = mono.subarray(off, Math.min(off + STEP, mono.length));
      this.keep(this.src ? this.src.full(part) : part);
      await nextTick();
    }
  }

  /** The whole output, exactly input length × ratio long; frees the converter. */
  finish(): Int16Array {
    const want = Math.round((this.inSamples * this.outRate) / this.inRate);
    try {
      // the converter holds back its filter's delay; 50 ms of silence pushes the real tail out
      if (this.src) this.keep(this.src.full(new Float32Array(Math.ceil(this.inRate * 0.05))));
    } finally {
      this.src?.destroy();
    }
    const out = new Int16Array(want);
    let at = 0;
    for (const p of this.parts) {
      if (at >= want) break;
      const n = Math.min(p.length, want - at);
      out.set(p.subarray(0, n), at);
      at += n;
    }
    return out;
  }

  private keep(x: Float32Array): void {
    const out = new Int16Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = Math.round((x[i] as number) * 32767);
      const s = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      out[i] = s;
      if (s > this.peak || -s > this.peak) this.peak = Math.abs(s);
    }
    this.parts.push(out);
  }
}

export const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));
