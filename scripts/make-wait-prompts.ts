// Writes the built-in spoken pieces of the waiting callers' announcements, the recording
// notices and the reconnect notice as 8 kHz mono WAVs (server/acd/media/prompts/), with the project's espeak-ng (the same synthesiser as the audio
// library's "type a sentence"). Run once when a sentence changes: `npx tsx scripts/make-wait-prompts.ts`.
// The files are checked in because synthesis takes ~1.5 s a piece here: far too slow for boot.
// Names on the command line make only those pieces (`… make-wait-prompts.ts say-rec-now`).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeWav8kMono16 } from '../server/acd/media/wav';
import { synthesise } from '../server/audio/speech-synth';
import { RECONNECT_PROMPTS } from '../server/shared/reconnect-prompt';
import { RECORDING_PROMPTS } from '../server/shared/recording-prompts';
import { WAIT_PROMPTS } from '../server/shared/wait-prompts';
import { MONITOR_PRESS1, MONITOR_PRESS1_TEXT, PRESS1_BUILT_IN, PRESS1_BUILT_IN_TEXT, withPause } from '../server/shared/press-one-prompt';

/** espeak pads each utterance with silence; pieces are played back to back, so keep 40 ms each side */
function trimmed(pcm: Int16Array): Int16Array {
  const loud = (v: number) => Math.abs(v) > 300;
  let a = pcm.findIndex(loud);
  let b = pcm.findLastIndex(loud);
  if (a < 0) return pcm;
  a = Math.max(0, a - 320);
  b = Math.min(pcm.length, b + 320);
  return pcm.slice(a, b);
}

const dir = path.join(import.meta.dirname, '..', 'server', 'acd', 'media', 'prompts');
// the phones' press-1 question without a queue name and the supervisor's mobile's (server/shared/press-one-prompt.ts): looped, so a pause after it
const pieces: Array<[string, string, (pcm: Int16Array) => Int16Array]> = [
  ...Object.entries({ ...WAIT_PROMPTS, ...RECORDING_PROMPTS, ...RECONNECT_PROMPTS }).map(([n, t]): [string, string, (pcm: Int16Array) => Int16Array] => [n, t, trimmed]),
  [PRESS1_BUILT_IN, PRESS1_BUILT_IN_TEXT, (pcm) => withPause(trimmed(pcm))],
  [MONITOR_PRESS1, MONITOR_PRESS1_TEXT, (pcm) => withPause(trimmed(pcm))],
];
const only = new Set(process.argv.slice(2));
for (const [name, text, shape] of pieces) {
  if (only.size > 0 && !only.has(name)) continue;
  const clip = await synthesise(text, 'en-gb', 165);
  const pcm = shape(clip.pcm);
  await writeFile(path.join(dir, `${name}.wav`), writeWav8kMono16(pcm));
  process.stdout.write(`${name}: ${Math.round(pcm.length / 8)} ms\n`);
}
