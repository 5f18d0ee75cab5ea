import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, expect, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config';

// Checks by ear: each party's browser is launched with its own fake microphone (a sine WAV
// written here) and what a page hears is measured in the page (WebAudio analyser on the received
// track) at each party's frequency. Tones above 2.1 kHz stay clear of the hold music; G.711 at
// the ACD passes them. The supervisor's is lower: nobody is on hold while a supervisor is heard.
export const TONE = { caller: 2200, op1: 2700, op2: 3100, sup: 1700 } as const;
const dir = mkdtempSync(path.join(tmpdir(), 'pb-tones-'));

/** A 120 s, 48 kHz, 16-bit mono sine at half scale: Chromium's fake microphone plays it in a loop. */
function wav(hz: number): string {
  const file = path.join(dir, `${hz}.wav`);
  const rate = 48_000;
  const samples = rate * 120;
  const out = Buffer.alloc(44 + samples * 2);
  out.write('RIFF', 0);
  out.writeUInt32LE(36 + samples * 2, 4);
  out.write('WAVEfmt ', 8);
  out.writeUInt32LE(16, 16); // fmt chunk size
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(rate, 24);
  out.writeUInt32LE(rate * 2, 28); // bytes per second
  out.writeUInt16LE(2, 32); // block align
  out.writeUInt16LE(16, 34); // bits per sample
  out.write('data', 36);
  out.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) out.writeInt16LE(Math.round(16_383 * Math.sin((2 * Math.PI * hz * i) / rate)), 44 + i * 2);
  writeFileSync(file, out);
  return file;
}

export async function browserSpeaking(hz: number): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${wav(hz)}`] });
}

/** What a page hears at one frequency: its level (dB) and how far it stands out of its neighbourhood. */
export interface Heard {
  level: number;
  stands: number;
}

/**
 * What the page's received audio holds at each frequency over `ms`. Per analyser frame: the level
 * at the tone's bins, and that level above the median of the bins around it (±150–600 Hz); then
 * the median of each over the frames, so one loud frame (a click of the hold music, a burst of
 * packet loss) does not decide the answer either way.
 */
export async function heard(page: Page, ms = 1500): Promise<Record<number, Heard>> {
  return page.evaluate(
    async ({ tones, ms }) => {
      const pc = window.patchbay?.pc();
      const track = pc?.getReceivers().find((r) => r.track.kind === 'audio')?.track;
      if (!track) throw new Error('no received audio track');
      const ctx = new AudioContext();
      await ctx.resume();
      const an = ctx.createAnalyser();
      an.fftSize = 4096;
      an.smoothingTimeConstant = 0;
      ctx.createMediaStreamSource(new MediaStream([track])).connect(an);
      const buf = new Float32Array(an.frequencyBinCount);
      const binHz = ctx.sampleRate / an.fftSize;
      const binOf = (hz: number) => Math.round(hz / binHz);
      const floor = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? -200 : Math.max(x, -200));
      const median = (xs: number[]) => {
        const s = [...xs].sort((a, b) => a - b);
        return s.length === 0 ? -200 : s[Math.floor(s.length / 2)]!;
      };
      const levels: Record<number, number[]> = {};
      const stands: Record<number, number[]> = {};
      for (const hz of tones) [levels[hz], stands[hz]] = [[], []];
      const until = performance.now() + ms;
      while (performance.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        an.getFloatFrequencyData(buf);
        for (const hz of tones) {
          const b = binOf(hz);
          const at = Math.max(floor(buf[b - 1]), floor(buf[b]), floor(buf[b + 1]));
          const around: number[] = [];
          for (let d = Math.round(150 / binHz); d <= Math.round(600 / binHz); d++) around.push(floor(buf[b - d]), floor(buf[b + d]));
          levels[hz]!.push(at);
          stands[hz]!.push(at - median(around));
        }
      }
      await ctx.close();
      const out: Record<number, { level: number; stands: number }> = {};
      for (const hz of tones) out[hz] = { level: median(levels[hz]!), stands: median(stands[hz]!) };
      return out;
    },
    { tones: Object.values(TONE), ms },
  );
}

/** Someone's tone is in what the page hears: it stands 20 dB out of the audio around it. */
export function hasTone(h: Heard | undefined): boolean {
  return (h?.stands ?? 0) > 20;
}


export function expectTone(h: Heard | undefined): void {
  expect(h!.stands).toBeGreaterThan(20);
}

/**
 * Someone's tone is not in what the page hears: 30 dB under the level it had when it was heard,
 * or standing no more than 10 dB out of the audio around it (music, or G.711's noise).
 */
export function expectNoTone(h: Heard | undefined, whenHeard: Heard | undefined): void {
  expect(h!.level < whenHeard!.level - 30 || h!.stands < 10, `level ${h!.level.toFixed(1)} dB (heard at ${whenHeard!.level.toFixed(1)}), stands ${h!.stands.toFixed(1)} dB out`).toBe(true);
}
