import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { H } from '../shared/sip-control';
import type { MixMode } from '../shared/sip-control-ops';
import { RECORDING_PROMPT } from '../shared/recording-prompts';
import { encode } from './media/g711';
import type { UdpRtpPeer } from './media/test-udp-peer';
import { CallKit, sleep, type Party } from './test-support/call-kit';
import { goertzel, heardPcm, TONE } from './test-support/tones';
import { until } from '../test-support/until';

/**
 * "This call is now being recorded" in a mixing bridge, with the real ACD and media: a PCMA
 * caller (2.2 kHz), an operator's phone (2.7 kHz) and a third party (3.1 kHz: a colleague in
 * a conference, or a supervisor listening, whispering or barging), all plain RTP. Record on
 * with X-PB-Notice on the operator's control dialog: the 200 names the file and echoes the
 * notice; the caller receives the clip frame for frame (as the engine encodes it) and, while
 * it plays, none of the others; the others go on hearing the caller (and each other) and
 * never the clip. "Heard" is a tone above 500 (≈ 3000 alone), "absent" below 60.
 */
const HEARD = 500;
const ABSENT = 60;
const NOTICE = RECORDING_PROMPT.onDemand;

let kit: CallKit;
let dir: string;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pb-rec-notice-'));
  kit = await CallKit.start({ rtp: [48600, 48699], ice: [48700, 48799] }, { recordingsDir: dir });
});
afterEach(async () => {
  await kit.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Where the caller received the clip (packet indexes of its first and last non-silent frame), as sent in `law`. */
function clipHeard(peer: UdpRtpPeer, law: 'PCMU' | 'PCMA'): { frames: number; of: number; first: number; last: number } {
  const silence = encode(new Int16Array(160), law).toString('hex');
  const wanted = new Set(kit.engine.clips.get(NOTICE)!.frames[law].map((f) => f.toString('hex')).filter((h) => h !== silence));
  const heard = peer.received.map((r, i) => ({ hex: r.payload.toString('hex'), i })).filter((r) => wanted.has(r.hex));
  return { frames: new Set(heard.map((h) => h.hex)).size, of: wanted.size, first: heard[0]?.i ?? -1, last: heard.at(-1)?.i ?? -1 };
}

/** Tone amplitudes in packets [from, to) a party received. */
function tones(p: Party, from: number, to: number): { caller: number; operator: number; third: number; speech: number } {
  const pcm = heardPcm(p.rtp.received.slice(0, to), from);
  return { caller: goertzel(pcm, TONE.caller), operator: goertzel(pcm, TONE.operator), third: goertzel(pcm, TONE.third), speech: speechLevel(pcm) };
}

/**
 * The clip is speech: its energy lies below 1.2 kHz, where none of the parties' tones is, and it
 * moves from pitch to pitch. Its level: per 50 ms block the strongest of the bins from 250 Hz to
 * 1.2 kHz, averaged over the blocks.
 */
function speechLevel(pcm: Int16Array): number {
  const levels: number[] = [];
  for (let at = 0; at + 400 <= pcm.length; at += 400) {
    const block = pcm.subarray(at, at + 400);
    let best = 0;
    for (let hz = 250; hz <= 1200; hz += 50) best = Math.max(best, goertzel(hann(block), hz));
    levels.push(best);
  }
  return levels.reduce((a, b) => a + b, 0) / Math.max(1, levels.length);
}

/** A Hann-windowed copy: the parties' strong tones then leak nothing into the speech band. */
function hann(block: Int16Array): Int16Array {
  const n = block.length;
  return block.map((x, i) => Math.round(x * 0.5 * (1 - Math.cos((2 * Math.PI * i) / (n - 1)))));
}

/** Every frame of the clip as the engine sends it in `law`, silent ones included. */
function clipFrames(law: 'PCMU' | 'PCMA'): Set<string> {
  return new Set(kit.engine.clips.get(NOTICE)!.frames[law].map((f) => f.toString('hex')));
}

async function recordWithNotice(operator: Party) {
  const req = kit.bank.inDialog('INFO', operator.control);
  req.headers.append(H.record, 'on');
  req.headers.append(H.notice, NOTICE);
  kit.bank.send(req);
  return kit.bank.response(operator.control.callId, 'INFO');
}

/** A bridged call plus a third party in a mix: a colleague conferenced in, or a supervisor in `mode`. */
async function mixedCall(third: 'conference' | MixMode): Promise<{ caller: Party; operator: Party; other: Party }> {
  const { caller, operator } = await kit.bridgedCall();
  const headers: Array<[string, string]> = third === 'conference' ? [[H.join, caller.leg]] : [[H.join, operator.leg], [H.mode, third], ...(third === 'whisper' ? ([[H.whisperTo, operator.leg]] as Array<[string, string]>) : [])];
  const other = await kit.dial(await kit.phone('third'), headers);
  other.speak(TONE.third);
  expect(kit.leg(caller.leg)?.state).toBe('mixed');
  await sleep(600); // everyone's audio flowing through the mix
  return { caller, operator, other };
}

describe('the "now being recorded" notice in a mixing bridge', () => {
  for (const third of ['conference', 'talk', 'listen', 'whisper'] as const) {
    const what = third === 'conference' ? 'a conference' : third === 'talk' ? 'a barging supervisor' : `a supervisor in ${third}`;
    it(`with ${what}: the caller alone hears the clip, instead of the others; the others keep hearing the caller`, { timeout: 30_000 }, async () => {
      const { caller, operator, other } = await mixedCall(third);
      const at = { caller: caller.rtp.received.length, operator: operator.rtp.received.length, other: other.rtp.received.length };
      const ok = await recordWithNotice(operator);
      expect([ok.status, ok.headers.get(H.recording), ok.headers.get(H.notice)]).toEqual([200, `${caller.leg}-${operator.leg}.wav`, NOTICE]);
      // the others' audio from the clip's first frame at the caller's to 0.7 s later (the clip lasts 1.8 s)
      await until(() => clipHeard(caller.rtp, 'PCMA').first >= 0, 5000, 'the notice reaching the caller');
      const during0 = { operator: operator.rtp.received.length, other: other.rtp.received.length };
      await sleep(700);
      const during1 = { caller: caller.rtp.received.length, operator: operator.rtp.received.length, other: other.rtp.received.length };
      // the whole clip, then a second of the mix again
      await until(() => clipHeard(caller.rtp, 'PCMA').last > 0 && caller.rtp.received.length > clipHeard(caller.rtp, 'PCMA').last + 50, 10_000, 'the notice and a second after it');
      const notice = clipHeard(caller.rtp, 'PCMA');
      // every distinct frame of it but those the frame pacer may skip under load
      expect(notice.frames).toBeGreaterThanOrEqual(Math.floor(notice.of * 0.95));
      expect(notice.first).toBeGreaterThanOrEqual(at.caller);
      expect(notice.last - notice.first).toBeGreaterThan(50);
      // the stretch measured at the others lies inside the clip
      expect(notice.last).toBeGreaterThan(during1.caller);

      // the caller: the others before, only the clip during it, the others again after
      const before = tones(caller, at.caller - 40, at.caller);
      const during = tones(caller, notice.first, notice.last + 1);
      const after = tones(caller, notice.last + 5, notice.last + 45);
      const callerHears = third === 'listen' || third === 'whisper' ? ['operator'] : ['operator', 'third'];
      for (const who of ['operator', 'third'] as const) {
        if (callerHears.includes(who)) {
          expect(before[who]).toBeGreaterThan(HEARD);
          expect(after[who]).toBeGreaterThan(HEARD);
        } else expect(before[who] + after[who]).toBeLessThan(ABSENT);
      }
      // while it plays, every packet the caller receives is a frame of the clip: nothing of the mix in between
      const all = clipFrames('PCMA');
      const foreign = caller.rtp.received.slice(notice.first, notice.last + 1).filter((r) => !all.has(r.payload.toString('hex')));
      expect(foreign.length).toBe(0);
      // the clip's speech band (≈ 450 here) against ≤ 20 at the others, whose tones leave it empty
      expect(during.speech).toBeGreaterThan(200);

      // meanwhile the operator and the third party hear the caller (and each other, as the mode allows), never the clip
      expect(during1.operator - during0.operator).toBeGreaterThan(25);
      const o = tones(operator, during0.operator + 3, during1.operator);
      expect(o.caller).toBeGreaterThan(HEARD);
      if (third === 'listen') expect(o.third).toBeLessThan(ABSENT);
      else expect(o.third).toBeGreaterThan(HEARD);
      expect(o.speech).toBeLessThan(ABSENT);
      const t = tones(other, during0.other + 3, during1.other);
      expect(t.caller).toBeGreaterThan(HEARD);
      expect(t.operator).toBeGreaterThan(HEARD);
      expect(t.speech).toBeLessThan(ABSENT);
      expect(kit.leg(caller.leg)?.state).toBe('mixed');
    });
  }

  it('a held caller is not told (no clip, no X-PB-Notice in the 200); the file still starts', { timeout: 20_000 }, async () => {
    const { caller, operator } = await kit.bridgedCall();
    expect((await kit.op(caller.control, { op: 'hold' })).status).toBe(200);
    const ok = await recordWithNotice(operator);
    expect([ok.status, ok.headers.get(H.recording), ok.headers.get(H.notice)]).toEqual([200, `${caller.leg}-${operator.leg}.wav`, undefined]);
    await sleep(1500);
    expect(clipHeard(caller.rtp, 'PCMA').frames).toBe(0);
  });
});
