import { afterEach, describe, expect, it } from 'vitest';
import { H } from '../../shared/sip-control';
import { decode, encode } from '../media/g711';
import { TestBrowserClient } from '../media/test-browser-client';
import type { SipRequest } from '../sip/message';
import { CallKit, DOMAIN, sleep, type Party } from '../test-support/call-kit';
import type { ClientDialog, SipWsClient } from '../test-support/sip-ws-client';
import { goertzel, heardPcm, rms, tone, TONE } from '../test-support/tones';

/**
 * A call that outlives the operator's network change (calls/device-grace.ts), on the real ACD:
 * a caller with plain RTP bridged to a WebRTC device (werift standing in for the browser) whose
 * SIP WebSocket closes mid-call. Kept: the caller hears the "please hold" notice and music, not
 * the operator; re-anchored: the device re-registers on a new connection and re-INVITEs the same
 * dialog with an ICE restart, and both hear each other again (also when it is back before its old
 * connection is seen to close); expired: the device leg ends with
 * `transport-lost` on its control dialog and the caller waits, parked.
 */
let kit: CallKit | null = null;
let browser: TestBrowserClient | null = null;
let talking: NodeJS.Timeout | null = null;
afterEach(async () => {
  if (talking) clearInterval(talking);
  talking = null;
  await browser?.close();
  browser = null;
  await kit?.stop();
  kit = null;
});

/** The caller bridged to a browser-like device speaking its tone; what the test needs of both. */
async function bridgedToBrowser(k: CallKit) {
  const b = (browser = new TestBrowserClient(['PCMU']));
  const caller = await k.caller();
  caller.speak(TONE.caller);
  const device = await k.wsDevice('browser');
  const call = await k.dialDevice(device, [[H.bridge, caller.leg]], (offer) => b.answerOffer(offer));
  await b.connected(8000);
  let n = 0;
  talking = setInterval(() => void b.sendFrame(encode(tone(TONE.operator, 6000, 160, 160 * n++), 'PCMU')).catch(() => undefined), 20);
  return { caller, device, ...call };
}

/** What the caller heard (its RTP peer, A-law) during the next `ms`. */
async function callerHears(caller: Party, ms: number): Promise<Int16Array> {
  const from = caller.rtp.received.length;
  await sleep(ms);
  return heardPcm(caller.rtp.received, from);
}

/** What the browser heard (PCMU) during the next `ms`. */
async function browserHears(ms: number): Promise<Int16Array> {
  const b = browser!;
  const from = b.received.length;
  await sleep(ms);
  return Int16Array.from(b.received.slice(from).filter((p) => p.header.payloadType === 0).flatMap((p) => [...decode(p.payload, 'PCMU')]));
}

/** The device's re-INVITE in its dialog on `sip` (a new connection), with a new offer. */
function reInvite(sip: SipWsClient, dialog: ClientDialog, offer: string): SipRequest {
  const req = sip.inDialog('INVITE', dialog, offer);
  req.headers.append('Contact', sip.contact);
  sip.send(req);
  return req;
}

const ufrag = (sdp: string) => /a=ice-ufrag:(\S+)/.exec(sdp)?.[1] ?? null;

describe('a device leg outlives its closed connection', () => {
  it('keeps the leg (notice, then music), re-anchors it on a re-INVITE with an ICE restart, and both hear each other again', { timeout: 60_000 }, async () => {
    const k = (kit = await CallKit.start({ rtp: [48600, 48699], ice: [48700, 48799] }, { deviceGraceSec: 20 }));
    const { caller, device, dialog, leg } = await bridgedToBrowser(k);
    expect(goertzel(await callerHears(caller, 800), TONE.operator)).toBeGreaterThan(500);
    const firstUfrag = ufrag(browser!.pc.remoteDescription?.sdp ?? '');

    await device.sip.close();
    await sleep(300);
    expect(k.leg(leg)?.state).toBe('bridged');
    // the notice, then the caller's music: never the operator, who is still sending over ICE
    const waiting = await callerHears(caller, 2500);
    expect(rms(waiting)).toBeGreaterThan(500);
    expect(goertzel(waiting, TONE.operator)).toBeLessThan(60);
    expect(k.bank.never((m) => m.kind === 'request' && m.method === 'BYE')).toBe(true);

    // a connection without the device's registration may not take the leg over
    const stranger = await k.client('stranger');
    const refused = reInvite(stranger, { ...dialog }, await browser!.reoffer({ iceRestart: true }));
    expect((await stranger.response(refused.headers.get('Call-ID')!, 'INVITE', true, 5000)).status).toBe(403);

    const back = await k.client('browser-again');
    expect((await back.register(device.dev.user, DOMAIN, device.dev.user, device.dev.password)).status).toBe(200);
    const offer = await browser!.reoffer({ iceRestart: true });
    const t0 = performance.now();
    const inv = reInvite(back, dialog, offer);
    const ok = await back.response(inv.headers.get('Call-ID')!, 'INVITE', true, 10_000);
    expect(ok.status).toBe(200);
    back.send(back.inDialog('ACK', dialog));
    // new ICE credentials on our side: the restart was answered, not the old session repeated
    expect(ufrag(ok.body)).not.toBeNull();
    expect(ufrag(ok.body)).not.toBe(firstUfrag);
    await browser!.acceptAnswer(ok.body);
    // both ways, each timed: the device once heard nothing for good here (werift compared the
    // browser's ICE generation, two restarts, with its own, one: audio-edits.ts)
    let callerAt: number | null = null;
    let deviceAt: number | null = null;
    for (let i = 0; i < 50 && (callerAt === null || deviceAt === null); i++) {
      const [toCaller, toDevice] = await Promise.all([callerHears(caller, 200), browserHears(200)]);
      if (callerAt === null && goertzel(toCaller, TONE.operator) > 500) callerAt = performance.now();
      if (deviceAt === null && goertzel(toDevice, TONE.caller) > 500) deviceAt = performance.now();
    }
    const ms = (at: number | null) => (at === null ? 'never' : `${Math.round(at - t0)} ms`);
    process.stdout.write(`device re-anchor: after the re-INVITE the caller hears the operator in ${ms(callerAt)}, the device the caller in ${ms(deviceAt)}\n`);
    expect(callerAt).not.toBeNull();
    expect(deviceAt).not.toBeNull();
    expect(goertzel(await browserHears(800), TONE.caller)).toBeGreaterThan(500);
    expect(k.leg(leg)?.state).toBe('bridged');

    // the leg lives on the new connection now: its loss starts a new grace, not an end
    await back.close();
    await sleep(300);
    expect(k.leg(leg)?.state).toBe('bridged');
  });

  it('re-anchors a device that is back before its old connection is seen to close; that close then changes nothing', { timeout: 40_000 }, async () => {
    const k = (kit = await CallKit.start({ rtp: [48600, 48699], ice: [48700, 48799] }, { deviceGraceSec: 20 }));
    const { caller, device, dialog, leg, control } = await bridgedToBrowser(k);
    const back = await k.client('browser-again');
    expect((await back.register(device.dev.user, DOMAIN, device.dev.user, device.dev.password)).status).toBe(200);
    const inv = reInvite(back, dialog, await browser!.reoffer({ iceRestart: true }));
    const ok = await back.response(inv.headers.get('Call-ID')!, 'INVITE', true, 10_000);
    expect(ok.status).toBe(200);
    back.send(back.inDialog('ACK', dialog));
    await browser!.acceptAnswer(ok.body);
    await device.sip.close();
    await sleep(500);
    expect(k.leg(leg)?.state).toBe('bridged');
    const [toCaller, toDevice] = await Promise.all([callerHears(caller, 1000), browserHears(1000)]);
    expect(goertzel(toCaller, TONE.operator)).toBeGreaterThan(500);
    expect(goertzel(toDevice, TONE.caller)).toBeGreaterThan(500);
    expect(k.bank.never((m) => m.kind === 'request' && m.method === 'BYE' && m.headers.get('Call-ID') === control.callId)).toBe(true);
  });

  it('past the grace, releases the device leg with transport-lost and leaves the caller parked', { timeout: 40_000 }, async () => {
    const k = (kit = await CallKit.start({ rtp: [48600, 48699], ice: [48700, 48799] }, { deviceGraceSec: 2 }));
    const { caller, device, leg, control } = await bridgedToBrowser(k);
    const lostAt = performance.now();
    await device.sip.close();
    const bye = await k.bank.request('BYE', (r) => r.headers.get('Call-ID') === control.callId, 10_000);
    const after = performance.now() - lostAt;
    k.bank.respond(bye, 200);
    expect(bye.headers.get(H.cause)).toBe('transport-lost');
    expect(after).toBeGreaterThan(1800);
    expect(k.leg(leg)).toBeUndefined();
    expect(k.leg(caller.leg)?.state).toBe('parked');
    expect(rms(await callerHears(caller, 800))).toBeGreaterThan(500);
  });

  it('ends the leg at once when the grace is 0 (the former behaviour)', { timeout: 30_000 }, async () => {
    const k = (kit = await CallKit.start({ rtp: [48600, 48699], ice: [48700, 48799] }, { deviceGraceSec: 0 }));
    const { device, leg, control } = await bridgedToBrowser(k);
    const lostAt = performance.now();
    await device.sip.close();
    const bye = await k.bank.request('BYE', (r) => r.headers.get('Call-ID') === control.callId, 5000);
    k.bank.respond(bye, 200);
    expect(bye.headers.get(H.cause)).toBe('transport-lost');
    expect(performance.now() - lostAt).toBeLessThan(1500);
    expect(k.leg(leg)).toBeUndefined();
  });
});
