import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { H } from '../../shared/sip-control';
import { CallKit, sleep, type Party } from '../test-support/call-kit';
import { goertzel, heardPcm, TONE } from '../test-support/tones';

/**
 * Mixing bridges against the real ACD and real media: a PCMA caller and PCMU phones, each
 * speaking its own tone; each party's received audio is measured per frequency. "Heard" is
 * an amplitude above 500 (a 6000-peak tone reads ≈ 3000 alone), "not heard" below 60.
 */
let kit: CallKit;
beforeEach(async () => {
  kit = await CallKit.start({ rtp: [47200, 47299], ice: [47300, 47399] });
});
afterEach(async () => {
  await kit.stop();
});

const HEARD = 500;
const SILENT = 60;

/** Amplitude per party tone of what `p` heard during the next `ms`. */
async function hearing(p: Party, ms = 900): Promise<{ caller: number; operator: number; third: number }> {
  await sleep(150); // let a change settle
  const from = p.rtp.received.length;
  await sleep(ms);
  const pcm = heardPcm(p.rtp.received, from);
  return { caller: goertzel(pcm, TONE.caller), operator: goertzel(pcm, TONE.operator), third: goertzel(pcm, TONE.third) };
}

describe('mixing bridge', () => {
  it('conference: a third party dialled with X-PB-Join; each hears the other two and never itself, each in its own law', { timeout: 30_000 }, async () => {
    const { caller, operator } = await kit.bridgedCall();
    const third = await kit.dial(await kit.phone('third'), [[H.join, caller.leg]]);
    third.speak(TONE.third);
    const mixId = kit.leg(caller.leg)?.mix?.mixId;
    expect(mixId).toMatch(/^mix-/);
    for (const p of [caller, operator, third]) expect(kit.leg(p.leg)).toMatchObject({ state: 'mixed', mix: { mixId, mode: 'talk' } });
    expect(kit.engine.endpointOf(caller.leg)?.codec).toBe('PCMA');
    expect(kit.engine.endpointOf(operator.leg)?.codec).toBe('PCMU');

    const [c, o, t] = await Promise.all([hearing(caller), hearing(operator), hearing(third)]);
    expect(c.operator).toBeGreaterThan(HEARD);
    expect(c.third).toBeGreaterThan(HEARD);
    expect(c.caller).toBeLessThan(SILENT);
    expect(o.caller).toBeGreaterThan(HEARD);
    expect(o.third).toBeGreaterThan(HEARD);
    expect(o.operator).toBeLessThan(SILENT);
    expect(t.caller).toBeGreaterThan(HEARD);
    expect(t.operator).toBeGreaterThan(HEARD);
    expect(t.third).toBeLessThan(SILENT);

    // the third party leaves: it waits alone; the two others are a plain bridge again and hear each other
    expect((await kit.op(third.control, { op: 'leave' })).status).toBe(200);
    expect(kit.leg(third.leg)).toMatchObject({ state: 'waiting', mix: null });
    expect(kit.leg(caller.leg)).toMatchObject({ state: 'bridged', bridgedTo: operator.leg, mix: null });
    expect(kit.leg(operator.leg)).toMatchObject({ state: 'bridged', bridgedTo: caller.leg, mix: null });
    expect(kit.engine.mixCount).toBe(0);
    const [c2, o2] = await Promise.all([hearing(caller), hearing(operator)]);
    expect(c2.operator).toBeGreaterThan(HEARD);
    expect(c2.third).toBeLessThan(SILENT);
    expect(o2.caller).toBeGreaterThan(HEARD);
    // so the caller can be held as on any two-party call, and resumed to the operator
    expect((await kit.op(caller.control, { op: 'hold' })).status).toBe(200);
    expect(kit.leg(caller.leg)).toMatchObject({ state: 'held', heldWith: operator.leg });
    expect((await kit.op(caller.control, { op: 'resume' })).status).toBe(200);
    expect(kit.leg(caller.leg)).toMatchObject({ state: 'bridged', bridgedTo: operator.leg });
    const leaveAgain = await kit.op(operator.control, { op: 'leave' });
    expect([leaveAgain.status, leaveAgain.reason]).toEqual([409, 'Not Mixed']);
  });

  it('a mix left with a talker and a listener stays a mix (the listener is still heard by nobody)', { timeout: 30_000 }, async () => {
    const { caller, operator } = await kit.bridgedCall();
    const sup = await kit.dial(await kit.phone('supervisor'), [[H.join, operator.leg], [H.mode, 'listen']]);
    sup.speak(TONE.third);
    expect((await kit.op(operator.control, { op: 'leave' })).status).toBe(200);
    expect(kit.leg(caller.leg)).toMatchObject({ state: 'mixed' });
    expect(kit.leg(sup.leg)).toMatchObject({ state: 'mixed', mix: { mode: 'listen' } });
    const c = await hearing(caller);
    expect(c.third).toBeLessThan(SILENT);
  });

  it('monitoring: listen, then whisper to the operator, then barge, then listen again — switched during the call', { timeout: 40_000 }, async () => {
    const { caller, operator } = await kit.bridgedCall();
    const sup = await kit.dial(await kit.phone('supervisor'), [[H.join, operator.leg], [H.mode, 'listen']]);
    sup.speak(TONE.third);
    expect(kit.leg(sup.leg)).toMatchObject({ state: 'mixed', mix: { mode: 'listen' } });

    // listen: the supervisor hears both sides; neither hears the supervisor
    let [c, o, s] = await Promise.all([hearing(caller), hearing(operator), hearing(sup)]);
    expect(s.caller).toBeGreaterThan(HEARD);
    expect(s.operator).toBeGreaterThan(HEARD);
    expect(c.operator).toBeGreaterThan(HEARD);
    expect(c.third).toBeLessThan(SILENT);
    expect(o.caller).toBeGreaterThan(HEARD);
    expect(o.third).toBeLessThan(SILENT);

    // whisper to the operator: only the operator hears the supervisor
    expect((await kit.op(sup.control, { op: 'mode', mode: 'whisper', whisperTo: operator.leg })).status).toBe(200);
    expect(kit.leg(sup.leg)?.mix).toMatchObject({ mode: 'whisper', whisperTo: operator.leg });
    [c, o, s] = await Promise.all([hearing(caller), hearing(operator), hearing(sup)]);
    expect(o.third).toBeGreaterThan(HEARD);
    expect(o.caller).toBeGreaterThan(HEARD);
    expect(c.third).toBeLessThan(SILENT);
    expect(c.operator).toBeGreaterThan(HEARD);
    expect(s.caller).toBeGreaterThan(HEARD);

    // barge: all three talk
    expect((await kit.op(sup.control, { op: 'mode', mode: 'talk' })).status).toBe(200);
    [c, o] = await Promise.all([hearing(caller), hearing(operator)]);
    expect(c.third).toBeGreaterThan(HEARD);
    expect(o.third).toBeGreaterThan(HEARD);

    // back to listen: the caller's audio never contains the supervisor again
    expect((await kit.op(sup.control, { op: 'mode', mode: 'listen' })).status).toBe(200);
    c = await hearing(caller);
    expect(c.third).toBeLessThan(SILENT);
    expect(c.operator).toBeGreaterThan(HEARD);

    // whisper to a leg outside the call is refused; the mode stays
    const bad = await kit.op(sup.control, { op: 'mode', mode: 'whisper', whisperTo: 'leg-00000000000000000000' });
    expect([bad.status, bad.reason]).toEqual([404, 'Whisper Target Not In Call']);
    expect(kit.leg(sup.leg)?.mix?.mode).toBe('listen');

    // the caller hangs up: operator and supervisor stay in the mix until the controller decides
    caller.sip.send(caller.sip.inDialog('BYE', caller.dialog));
    expect((await caller.sip.response(caller.dialog.callId, 'BYE')).status).toBe(200);
    const bye = await kit.bank.request('BYE', (r) => r.headers.get('Call-ID') === caller.control.callId);
    expect(bye.headers.get(H.cause)).toBe('remote-bye');
    kit.bank.respond(bye, 200);
    expect(kit.leg(operator.leg)?.state).toBe('mixed');
  });

  it('conference from a consultation: the held caller joins the operator and the colleague (INFO {"op":"join"})', { timeout: 30_000 }, async () => {
    const { caller, operator } = await kit.bridgedCall();
    expect((await kit.op(caller.control, { op: 'hold' })).status).toBe(200);
    const colleague = await kit.dial(await kit.phone('colleague'), [[H.bridge, operator.leg]]);
    colleague.speak(TONE.third);
    expect((await kit.op(caller.control, { op: 'join', with: operator.leg })).status).toBe(200);
    expect(kit.leg(caller.leg)).toMatchObject({ state: 'mixed', heldWith: null });
    const c = await hearing(caller);
    expect(c.operator).toBeGreaterThan(HEARD);
    expect(c.third).toBeGreaterThan(HEARD);
    const col = await hearing(colleague);
    expect(col.caller).toBeGreaterThan(HEARD);
    // joining the mix one is already in is refused
    const again = await kit.op(caller.control, { op: 'join', with: colleague.leg });
    expect([again.status, again.reason]).toEqual([409, 'Already Mixed']);
    // the operator leaves (complete the transfer to the colleague): caller and colleague are a plain bridge
    expect((await kit.op(operator.control, { op: 'leave' })).status).toBe(200);
    expect(kit.leg(caller.leg)).toMatchObject({ state: 'bridged', bridgedTo: colleague.leg });
    const after = await hearing(caller);
    expect(after.third).toBeGreaterThan(HEARD);
    expect(after.operator).toBeLessThan(SILENT);
  });

  it('leaves nothing behind: every leg of a conference ends, its mix and endpoints go', { timeout: 20_000 }, async () => {
    const { caller, operator } = await kit.bridgedCall();
    const third = await kit.dial(await kit.phone('third'), [[H.join, caller.leg]]);
    expect(kit.engine.mixCount).toBe(1);
    caller.sip.send(caller.sip.inDialog('BYE', caller.dialog));
    await caller.sip.response(caller.dialog.callId, 'BYE');
    kit.bank.respond(await kit.bank.request('BYE', (r) => r.headers.get('Call-ID') === caller.control.callId), 200);
    // two talkers left: a plain bridge, the mix gone
    expect(kit.leg(operator.leg)).toMatchObject({ state: 'bridged', bridgedTo: third.leg });
    expect(kit.engine.mixCount).toBe(0);
    kit.bank.send(kit.bank.inDialog('BYE', operator.control));
    expect((await kit.bank.response(operator.control.callId, 'BYE')).status).toBe(200);
    // the bridge peer gone, the last leg waits for the controller
    expect(kit.leg(third.leg)).toMatchObject({ state: 'waiting', mix: null });
    expect(kit.engine.mixCount).toBe(0);
    kit.bank.send(kit.bank.inDialog('BYE', third.control));
    expect((await kit.bank.response(third.control.callId, 'BYE')).status).toBe(200);
    expect(kit.acd.legs()).toEqual([]);
    await sleep(100);
    expect(kit.engine.endpointCount).toBe(0);
  });

  it('refuses a dial with both X-PB-Join and X-PB-Bridge, a whisper without its target, and a join to a gone leg', { timeout: 20_000 }, async () => {
    const caller = await kit.caller();
    const phone = await kit.phone('sup');
    expect(await kit.dialRefused(phone.user, [[H.bridge, caller.leg], [H.join, caller.leg]])).toEqual({ status: 400, reason: 'X-PB-Join Or X-PB-Bridge' });
    expect(await kit.dialRefused(phone.user, [[H.join, caller.leg], [H.mode, 'whisper']])).toEqual({ status: 400, reason: 'X-PB-Whisper-To Goes With Whisper' });
    expect(await kit.dialRefused(phone.user, [[H.join, caller.leg], [H.mode, 'shout']])).toEqual({ status: 400, reason: 'Bad X-PB-Mode' });
    expect(await kit.dialRefused(phone.user, [[H.join, 'leg-00000000000000000000']])).toEqual({ status: 481, reason: 'Leg Gone' });
    expect(phone.sip.never((m) => m.kind === 'request' && m.method === 'INVITE')).toBe(true);
    expect(kit.acd.legs()).toHaveLength(1);
  });
});
