import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { H } from '../shared/sip-control';
import { CallKit, sleep } from './test-support/call-kit';
import { goertzel, TONE } from './test-support/tones';

/**
 * One recording for the whole conversation, with the real ACD and media: a caller (2.2 kHz),
 * an operator's phone (2.7 kHz), a supervisor (3.1 kHz) and a colleague taking a transfer
 * (3.5 kHz), all plain RTP, each speaking its tone. The file follows the caller's leg: left =
 * the caller, right = what the caller hears from the others. Each stretch of the call is cut
 * out of the WAV by the times the test made each move, and measured per tone (Goertzel): a
 * tone alone reads ≈ 3000, "heard" is above 500, "absent" below 60.
 */
const HEARD = 500;
const ABSENT = 60;
const COLLEAGUE = 3500;
/** What is left out at each end of a stretch: the move's own latency and the recorder's jitter room. */
const EDGE_S = 0.35;
const STRETCH_MS = 1500;

let kit: CallKit;
let dir: string;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pb-rec-span-'));
  kit = await CallKit.start({ rtp: [45200, 45299], ice: [45300, 45399] }, { recordingsDir: dir });
});
afterEach(async () => {
  await kit.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Reads the WAV once its header covers the file (the ACD finalises it in the background). */
async function finalisedWav(file: string): Promise<Buffer> {
  for (let i = 0; i < 250; i++) {
    if (existsSync(file)) {
      const wav = readFileSync(file);
      if (wav.length > 44 && wav.readUInt32LE(40) === wav.length - 44) return wav;
    }
    await sleep(20);
  }
  throw new Error(`${file} was not finalised`);
}

function channel(wav: Buffer, ch: 0 | 1, fromS: number, toS: number): Int16Array {
  const from = Math.floor(fromS * 8000);
  const n = Math.max(0, Math.floor(toS * 8000) - from);
  return Int16Array.from({ length: n }, (_, i) => wav.readInt16LE(44 + (from + i) * 4 + ch * 2));
}

describe('a recording spans the whole call (it follows the caller leg)', () => {
  it('records through hold, resume, a barging then listening supervisor, back to a bridge, and a transfer: one file, every stretch in place', { timeout: 60_000 }, async () => {
    const caller = await kit.caller();
    caller.speak(TONE.caller);
    const operator = await kit.dial(await kit.phone('operator'), [[H.bridge, caller.leg], [H.record, 'on']]);
    const t0 = performance.now();
    operator.speak(TONE.operator);
    expect(operator.recording).toBe(`${caller.leg}-${operator.leg}.wav`);
    const at = () => (performance.now() - t0) / 1000;
    const marks: Array<{ name: string; from: number; to: number }> = [];
    const stretch = async (name: string) => {
      const from = at();
      await sleep(STRETCH_MS);
      marks.push({ name, from, to: at() });
    };

    await stretch('talk');
    expect((await kit.op(caller.control, { op: 'hold' })).status).toBe(200);
    await stretch('hold');
    expect((await kit.op(caller.control, { op: 'resume' })).status).toBe(200);
    await stretch('resumed');
    const supervisor = await kit.dial(await kit.phone('supervisor'), [[H.join, operator.leg]]);
    supervisor.speak(TONE.third);
    expect(kit.leg(caller.leg)).toMatchObject({ state: 'mixed' });
    await stretch('barge');
    expect((await kit.op(supervisor.control, { op: 'mode', mode: 'listen' })).status).toBe(200);
    await stretch('listen');
    expect((await kit.op(supervisor.control, { op: 'leave' })).status).toBe(200);
    expect(kit.leg(caller.leg)).toMatchObject({ state: 'bridged', bridgedTo: operator.leg });
    await stretch('bridge again');
    // a transfer: the caller is held, a colleague is dialled to it with the queue's recording asked again
    expect((await kit.op(caller.control, { op: 'hold' })).status).toBe(200);
    const colleague = await kit.dial(await kit.phone('colleague'), [[H.bridge, caller.leg], [H.record, 'on']]);
    colleague.speak(COLLEAGUE);
    expect(colleague.recording).toBe(operator.recording); // the same file goes on
    await stretch('transferred');

    caller.sip.send(caller.sip.inDialog('BYE', caller.dialog));
    const callS = at();
    expect((await caller.sip.response(caller.dialog.callId, 'BYE')).status).toBe(200);

    const wav = await finalisedWav(path.join(dir, operator.recording!));
    expect(readdirSync(dir)).toEqual([operator.recording]);
    const fileS = wav.readUInt32LE(40) / 4 / 8000;
    // the file covers the whole call, not the first bridge: figures printed for the report
    process.stdout.write(`call ${callS.toFixed(2)} s, file ${fileS.toFixed(2)} s\n`);
    expect(Math.abs(fileS - callS)).toBeLessThan(0.5);

    const heard: Record<string, { left: Record<string, number>; right: Record<string, number> }> = {};
    const tones = { caller: TONE.caller, operator: TONE.operator, supervisor: TONE.third, colleague: COLLEAGUE };
    for (const m of marks) {
      const measure = (ch: 0 | 1) => {
        const pcm = channel(wav, ch, m.from + EDGE_S, m.to - EDGE_S);
        return Object.fromEntries(Object.entries(tones).map(([k, hz]) => [k, Math.round(goertzel(pcm, hz))]));
      };
      heard[m.name] = { left: measure(0), right: measure(1) };
    }
    process.stdout.write(`${JSON.stringify(heard)}\n`);
    for (const m of marks) {
      const { left, right } = heard[m.name]!;
      // the caller's own channel never stops, held or not
      expect(left.caller, m.name).toBeGreaterThan(HEARD);
      expect(left.operator, m.name).toBeLessThan(ABSENT);
      expect(right.caller, m.name).toBeLessThan(ABSENT);
    }
    const r = (name: string) => heard[name]!.right;
    expect(r('talk').operator).toBeGreaterThan(HEARD);
    // held: nothing of the operator (nor music: the far channel is silence)
    expect(r('hold').operator).toBeLessThan(ABSENT);
    expect(r('resumed').operator).toBeGreaterThan(HEARD);
    // a barging supervisor is heard by the caller, so recorded with the operator in the far channel
    expect(r('barge').operator).toBeGreaterThan(HEARD);
    expect(r('barge').supervisor).toBeGreaterThan(HEARD);
    // listen-only: the caller does not hear it, nor does the recording
    expect(r('listen').operator).toBeGreaterThan(HEARD);
    expect(r('listen').supervisor).toBeLessThan(ABSENT);
    expect(r('bridge again').operator).toBeGreaterThan(HEARD);
    expect(r('bridge again').supervisor).toBeLessThan(ABSENT);
    expect(r('transferred').colleague).toBeGreaterThan(HEARD);
    expect(r('transferred').operator).toBeLessThan(ABSENT);
  });

  it('on demand: off while held finalises the file mid-call; on again (while mixed) starts the next file, which the caller leg carries to the end', { timeout: 30_000 }, async () => {
    const { caller, operator } = await kit.bridgedCall();
    const info = async (value: 'on' | 'off') => {
      const req = kit.bank.inDialog('INFO', operator.control);
      req.headers.append(H.record, value);
      kit.bank.send(req);
      return kit.bank.response(operator.control.callId, 'INFO');
    };
    const first = await info('on');
    expect(first.status).toBe(200);
    const name1 = first.headers.get(H.recording);
    expect(name1).toBe(`${caller.leg}-${operator.leg}.wav`);
    await sleep(800);
    expect((await kit.op(caller.control, { op: 'hold' })).status).toBe(200);
    await sleep(700);
    // Stop pressed while the caller is held (the device waits alone): the file is found and ended
    const off = await info('off');
    expect([off.status, off.headers.get(H.recording)]).toEqual([200, name1]);
    // answered once finalised: the header already covers the file, which spans the hold
    const wav1 = readFileSync(path.join(dir, name1!));
    expect(wav1.readUInt32LE(40)).toBe(wav1.length - 44);
    const sec1 = wav1.readUInt32LE(40) / 4 / 8000;
    expect(sec1).toBeGreaterThan(1.4);
    expect(sec1).toBeLessThan(2.2);
    const held1 = channel(wav1, 1, 1.0, sec1 - 0.2);
    expect(goertzel(held1, TONE.operator)).toBeLessThan(ABSENT);
    expect(goertzel(channel(wav1, 0, 1.0, sec1 - 0.2), TONE.caller)).toBeGreaterThan(HEARD);
    expect((await kit.op(caller.control, { op: 'resume' })).status).toBe(200);

    const supervisor = await kit.dial(await kit.phone('supervisor'), [[H.join, operator.leg], [H.mode, 'listen']]);
    supervisor.speak(TONE.third);
    expect(supervisor.recording).toBeNull();
    const again = await info('on');
    expect([again.status, again.headers.get(H.recording)]).toEqual([200, `${caller.leg}-${operator.leg}-2.wav`]);
    await sleep(800);
    caller.sip.send(caller.sip.inDialog('BYE', caller.dialog));
    expect((await caller.sip.response(caller.dialog.callId, 'BYE')).status).toBe(200);
    const wav2 = await finalisedWav(path.join(dir, `${caller.leg}-${operator.leg}-2.wav`));
    const right = channel(wav2, 1, 0.2, wav2.readUInt32LE(40) / 4 / 8000 - 0.2);
    expect(goertzel(right, TONE.operator)).toBeGreaterThan(HEARD);
    expect(goertzel(right, TONE.third)).toBeLessThan(ABSENT);
    expect(readdirSync(dir).sort()).toEqual([name1, `${caller.leg}-${operator.leg}-2.wav`].sort());
  });
});
