import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { H } from '../../shared/sip-control';
import { CONTROL_OP_CONTENT_TYPE } from '../../shared/sip-control-ops';
import { DtmfDetector } from '../media/dtmf-detector';
import { CallKit, sleep, type Party } from '../test-support/call-kit';
import { goertzel, heardPcm, rms, TONE } from '../test-support/tones';

/**
 * The controller's in-call requests against the real ACD and real media: a plain RTP caller
 * (SIP over WS) and SIP phones registered over UDP, each speaking its own tone; what each
 * party received is checked by frequency (Goertzel). Hold music has no energy above 2 kHz,
 * the parties' tones are all above it.
 */
let kit: CallKit;
beforeEach(async () => {
  kit = await CallKit.start({ rtp: [47000, 47099], ice: [47100, 47199] });
});
afterEach(async () => {
  await kit.stop();
});

/** What a party heard during the next `ms` milliseconds. */
async function listen(p: Party, ms: number): Promise<Int16Array> {
  const from = p.rtp.received.length;
  await sleep(ms);
  return heardPcm(p.rtp.received, from);
}

describe('hold and resume (INFO {"op":"hold"} on the caller leg’s control dialog)', () => {
  it('the caller hears music and nothing of the operator while held; resume brings the operator back', { timeout: 20_000 }, async () => {
    const { caller, operator } = await kit.bridgedCall();
    await sleep(300);
    const talking = await listen(caller, 800);
    expect(goertzel(talking, TONE.operator)).toBeGreaterThan(1000);

    expect((await kit.op(caller.control, { op: 'hold' })).status).toBe(200);
    expect(kit.leg(caller.leg)).toMatchObject({ state: 'held', heldWith: operator.leg, bridgedTo: null });
    expect(kit.leg(operator.leg)).toMatchObject({ state: 'waiting' });
    await sleep(200);
    const held = await listen(caller, 1500);
    expect(rms(held)).toBeGreaterThan(500); // the music
    expect(goertzel(held, TONE.operator)).toBeLessThan(50);
    // nothing of the caller reaches the operator either
    const operatorHeard = await listen(operator, 500);
    expect(goertzel(operatorHeard, TONE.caller)).toBeLessThan(50);

    // a second hold is refused with a reason, and changes nothing
    const again = await kit.op(caller.control, { op: 'hold' });
    expect([again.status, again.reason]).toEqual([409, 'Already Held']);
    expect(kit.leg(caller.leg)?.state).toBe('held');

    expect((await kit.op(caller.control, { op: 'resume' })).status).toBe(200);
    expect(kit.leg(caller.leg)).toMatchObject({ state: 'bridged', bridgedTo: operator.leg, heldWith: null });
    await sleep(200);
    const back = await listen(caller, 800);
    expect(goertzel(back, TONE.operator)).toBeGreaterThan(1000);
    const resumeAgain = await kit.op(caller.control, { op: 'resume' });
    expect([resumeAgain.status, resumeAgain.reason]).toEqual([409, 'Not Held']);
  });

  it('hold asked on the operator’s leg: the operator hears music, the caller is put back on its own music', { timeout: 20_000 }, async () => {
    const { caller, operator } = await kit.bridgedCall();
    expect((await kit.op(operator.control, { op: 'hold' })).status).toBe(200);
    expect(kit.leg(operator.leg)).toMatchObject({ state: 'held', heldWith: caller.leg });
    expect(kit.leg(caller.leg)).toMatchObject({ state: 'parked', bridgedTo: null });
    await sleep(200);
    const [c, o] = await Promise.all([listen(caller, 1200), listen(operator, 1200)]);
    for (const heard of [c, o]) expect(rms(heard)).toBeGreaterThan(500);
    expect(goertzel(c, TONE.operator)).toBeLessThan(50);
    expect(goertzel(o, TONE.caller)).toBeLessThan(50);
    expect((await kit.op(operator.control, { op: 'resume' })).status).toBe(200);
    expect(kit.leg(caller.leg)).toMatchObject({ state: 'bridged', bridgedTo: operator.leg });
  });

  it('hold on a leg that has ended is 481 (its control dialog is gone)', { timeout: 15_000 }, async () => {
    const { caller } = await kit.bridgedCall();
    caller.sip.send(caller.sip.inDialog('BYE', caller.dialog));
    expect((await caller.sip.response(caller.dialog.callId, 'BYE')).status).toBe(200);
    const bye = await kit.bank.request('BYE', (r) => r.headers.get('Call-ID') === caller.control.callId);
    kit.bank.respond(bye, 200);
    expect((await kit.op(caller.control, { op: 'hold' })).status).toBe(481);
  });

  it('resume when the held-from peer is gone is 404, and the caller stays held on music', { timeout: 15_000 }, async () => {
    const { caller, operator } = await kit.bridgedCall();
    expect((await kit.op(caller.control, { op: 'hold' })).status).toBe(200);
    kit.bank.send(kit.bank.inDialog('BYE', operator.control));
    await kit.bank.response(operator.control.callId, 'BYE');
    const r = await kit.op(caller.control, { op: 'resume' });
    expect([r.status, r.reason]).toEqual([404, 'No Such Leg']);
    expect(kit.leg(caller.leg)?.state).toBe('held');
  });
});

describe('mute (INFO {"op":"mute"} on the operator leg’s control dialog)', () => {
  it('the caller hears silence — not music, not the operator — while the operator still hears the caller', { timeout: 20_000 }, async () => {
    const { caller, operator } = await kit.bridgedCall();
    await sleep(300);
    expect((await kit.op(operator.control, { op: 'mute' })).status).toBe(200);
    expect(kit.leg(operator.leg)).toMatchObject({ muted: true, state: 'bridged' });
    await sleep(100);
    const from = caller.rtp.received.length;
    const muted = await listen(caller, 1000);
    expect(caller.rtp.received.length - from).toBeGreaterThan(30); // the stream goes on, carrying silence
    expect(rms(muted)).toBeLessThan(20);
    const operatorHeard = await listen(operator, 800);
    expect(goertzel(operatorHeard, TONE.caller)).toBeGreaterThan(1000);

    expect((await kit.op(operator.control, { op: 'unmute' })).status).toBe(200);
    await sleep(100);
    expect(goertzel(await listen(caller, 800), TONE.operator)).toBeGreaterThan(1000);
  });
});

describe('DTMF toward a leg (INFO {"op":"dtmf"})', () => {
  it('sends RFC 4733 telephone-events in the caller’s stream when it negotiated them', { timeout: 15_000 }, async () => {
    const { caller } = await kit.bridgedCall();
    await sleep(200);
    const from = caller.rtp.received.length;
    expect((await kit.op(caller.control, { op: 'dtmf', digits: '12#', durationMs: 100 })).status).toBe(200);
    await sleep(1200);
    const events = caller.rtp.received.slice(from).filter((p) => p.pt === 101);
    const detector = new DtmfDetector();
    const digits = events.flatMap((p) => detector.feed(p.ssrc, p.ts, p.payload)).map((e) => e.digit);
    expect(digits).toEqual(['1', '2', '#']);
    // one stream: the events carry the audio's SSRC and continue its sequence numbers
    const all = caller.rtp.received.slice(from);
    expect(new Set(all.map((p) => p.ssrc)).size).toBe(1);
    for (let i = 1; i < all.length; i++) expect((all[i]!.seq - all[i - 1]!.seq) & 0xffff).toBe(1);
  });

  it('falls back to SIP INFO application/dtmf-relay when the party negotiated no telephone-event', { timeout: 15_000 }, async () => {
    const caller = await kit.caller({ pts: '8' });
    expect((await kit.op(caller.control, { op: 'dtmf', digits: '9*' })).status).toBe(200);
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      const info = await caller.sip.request('INFO', (r) => r.headers.get('Content-Type') === 'application/dtmf-relay', 3000);
      seen.push(info.body);
      caller.sip.respond(info, 200);
    }
    expect(seen).toEqual(['Signal=9\r\nDuration=160\r\n', 'Signal=*\r\nDuration=160\r\n']);
  });

  it('refuses bad digits with 400 and a Warning naming the field', { timeout: 15_000 }, async () => {
    const caller = await kit.caller();
    const r = await kit.op(caller.control, { op: 'dtmf', digits: '12x' });
    expect([r.status, r.reason]).toEqual([400, 'Bad Control Request']);
    expect(r.headers.get('Warning')).toContain('digits');
  });
});

describe('re-bridge (INFO {"op":"bridge","to":…}): blind and consult transfers', () => {
  it('blind: the caller bridged to a second operator hears only them; the first operator is left waiting, then released', { timeout: 25_000 }, async () => {
    const { caller, operator } = await kit.bridgedCall();
    // the CTI holds the caller (a bridged leg cannot be dialled for), then dials the second operator for it
    expect((await kit.op(caller.control, { op: 'hold' })).status).toBe(200);
    // the dial names the held caller: a held leg may be bridged to a new device
    const second = await kit.dial(await kit.phone('second'), [[H.bridge, caller.leg]]);
    second.speak(TONE.third);
    expect(kit.leg(caller.leg)).toMatchObject({ state: 'bridged', bridgedTo: second.leg });
    expect(kit.leg(operator.leg)?.state).toBe('waiting');
    await sleep(300);
    const heard = await listen(caller, 1000);
    expect(goertzel(heard, TONE.third)).toBeGreaterThan(1000);
    expect(goertzel(heard, TONE.operator)).toBeLessThan(50);
    expect(goertzel(await listen(second, 600), TONE.caller)).toBeGreaterThan(1000);
    // the CTI releases the first operator's device
    kit.bank.send(kit.bank.inDialog('BYE', operator.control));
    expect((await kit.bank.response(operator.control.callId, 'BYE')).status).toBe(200);
    const bye = await operator.sip.request('BYE', () => true, 3000);
    operator.sip.respond(bye, 200);
  });

  it('consult: the operator (waiting) dials a colleague, then re-bridges the held caller to them', { timeout: 25_000 }, async () => {
    const { caller, operator } = await kit.bridgedCall();
    expect((await kit.op(caller.control, { op: 'hold' })).status).toBe(200);
    // the operator's waiting leg is bridged to a new device: the consultation
    const colleague = await kit.dial(await kit.phone('colleague'), [[H.bridge, operator.leg]]);
    colleague.speak(TONE.third);
    await sleep(300);
    expect(goertzel(await listen(operator, 800), TONE.third)).toBeGreaterThan(1000);
    const callerDuringConsult = await listen(caller, 600);
    expect(goertzel(callerDuringConsult, TONE.third)).toBeLessThan(50);
    expect(goertzel(callerDuringConsult, TONE.operator)).toBeLessThan(50);
    // complete: the colleague's leg is re-bridged to the held caller; the operator is left waiting
    expect((await kit.op(colleague.control, { op: 'bridge', to: caller.leg })).status).toBe(200);
    expect(kit.leg(caller.leg)).toMatchObject({ state: 'bridged', bridgedTo: colleague.leg });
    expect(kit.leg(operator.leg)).toMatchObject({ state: 'waiting', bridgedTo: null });
    await sleep(300);
    expect(goertzel(await listen(caller, 800), TONE.third)).toBeGreaterThan(1000);
    // a target that is busy or unknown is refused, nothing changes
    const busy = await kit.op(operator.control, { op: 'bridge', to: caller.leg });
    expect([busy.status, busy.reason]).toEqual([486, 'Leg Busy']);
    const unknown = await kit.op(operator.control, { op: 'bridge', to: 'leg-00000000000000000000' });
    expect([unknown.status, unknown.reason]).toEqual([404, 'No Such Leg']);
    expect(kit.leg(caller.leg)?.bridgedTo).toBe(colleague.leg);
  });
});

describe('only the bank’s control dialog may ask', () => {
  it('the same requests from the caller’s UA on its own dialog get 403 and change nothing', { timeout: 15_000 }, async () => {
    const { caller, operator } = await kit.bridgedCall();
    const viaInfo = await kit.op(caller.dialog, { op: 'hold' }, caller.sip);
    expect([viaInfo.status, viaInfo.reason]).toEqual([403, 'Not A Controller']);
    const reinvite = caller.sip.inDialog('INVITE', caller.dialog, JSON.stringify({ op: 'mute' }));
    reinvite.headers.set('Content-Type', CONTROL_OP_CONTENT_TYPE);
    caller.sip.send(reinvite);
    expect((await caller.sip.response(caller.dialog.callId, 'INVITE')).status).toBe(403);
    // a control dialog's ids sent from the caller's connection: not the dialog's flow → 403
    const spoof = await kit.op(caller.control, { op: 'hold' }, caller.sip);
    expect(spoof.status).toBe(403);
    // a dialog that does not exist → 481
    const made = await kit.op({ ...caller.control, callId: 'nope@x', remote: caller.control.remote }, { op: 'hold' }, caller.sip);
    expect(made.status).toBe(481);
    expect(kit.leg(caller.leg)).toMatchObject({ state: 'bridged', bridgedTo: operator.leg, muted: false });
  });

  it('a body that is not a known request is refused 400/415/413', { timeout: 15_000 }, async () => {
    const caller = await kit.caller();
    expect((await kit.op(caller.control, { op: 'teleport' })).status).toBe(400);
    const notJson = kit.bank.inDialog('INFO', caller.control, '{hold');
    notJson.headers.set('Content-Type', CONTROL_OP_CONTENT_TYPE);
    kit.bank.send(notJson);
    expect((await kit.bank.response(caller.control.callId, 'INFO')).status).toBe(400);
    const other = kit.bank.inDialog('INFO', caller.control, 'x');
    other.headers.set('Content-Type', 'text/plain');
    kit.bank.send(other);
    const r415 = await kit.bank.response(caller.control.callId, 'INFO');
    expect([r415.status, r415.headers.get('Accept')]).toEqual([415, CONTROL_OP_CONTENT_TYPE]);
    const oversized = { op: 'dtmf' as const, digits: '1', pad: 'x'.repeat(2000) };
    expect((await kit.op(caller.control, oversized)).status).toBe(413);
    expect(kit.leg(caller.leg)?.state).toBe('parked');
  });
});
