import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { H } from '../../shared/sip-control';
import { UdpRtpPeer } from '../media/test-udp-peer';
import { CallKit, NUMBER, sleep } from '../test-support/call-kit';
import { TcpPeerServer } from '../test-support/tcp-peer-server';
import { goertzel, heardPcm, speak, TONE } from '../test-support/tones';
import { StaticTrunkDirectory } from '../trunks/trunk-directory';

/**
 * A transfer to an external number: the held caller is bridged to a new leg the bank dials
 * through a trunk (the trunk path and its rules, docs/trunks.md), with real RTP on both
 * sides. In-call requests never dial: nothing reaches the carrier that the bank did not dial.
 */
const MOBILE = '+447700900123';
let kit: CallKit;
let carrier: TcpPeerServer;

beforeEach(async () => {
  carrier = new TcpPeerServer();
  const port = await carrier.start();
  const trunk = {
    id: 't1', name: 'loopback', host: '127.0.0.1', port, transport: 'tcp' as const, username: 'pb', password: 'carrier-pass', realm: 'carrier.test',
    register: false, registerExpirySec: 600, inboundSources: ['10.9.9.9/32'], inboundDigest: false, outbound: true,
    callerIdMode: 'fixed' as const, callerIdE164: '+15550199', assertIdentity: true, privacy: false, enabled: true, dids: [NUMBER],
  };
  kit = await CallKit.start({ rtp: [47400, 47499], ice: [47500, 47599] }, { trunks: new StaticTrunkDirectory([trunk]) });
});
afterEach(async () => {
  await kit.stop();
  await carrier.stop();
});

describe('transfer to an external number', () => {
  it('the held caller is bridged to a number dialled through the trunk; the operator is left waiting', { timeout: 25_000 }, async () => {
    const caller = await kit.caller();
    caller.speak(TONE.caller);
    const operator = await kit.dial(await kit.phone('operator'), [[H.bridge, caller.leg]]);
    operator.speak(TONE.operator);
    expect((await kit.op(caller.control, { op: 'hold' })).status).toBe(200);

    const dial = await kit.dialUri(`tel:${MOBILE}`, [[H.bridge, caller.leg]]);
    const side = await carrier.next();
    const inv = await side.request('INVITE', () => true, 5000);
    expect(inv.uri).toContain(MOBILE);
    expect(inv.headers.get('P-Asserted-Identity')).toBe('<sip:+15550199@carrier.test;user=phone>');
    const mobile = await UdpRtpPeer.open();
    mobile.aimAt(inv.body);
    side.answer(inv, 200, { body: mobile.sdp({ pts: '8 101' }) });
    await side.request('ACK');
    const ok = await kit.bank.response(dial.headers.get('Call-ID')!, 'INVITE', true, 5000);
    expect(ok.status).toBe(200);
    const control = kit.bank.dialogFrom(dial, ok);
    kit.bank.send(kit.bank.inDialog('ACK', control));
    const stop = speak(mobile, 8, TONE.third);
    try {
      const mobileLeg = ok.headers.get(H.leg)!;
      expect(kit.leg(caller.leg)).toMatchObject({ state: 'bridged', bridgedTo: mobileLeg });
      expect(kit.leg(operator.leg)?.state).toBe('waiting');
      await sleep(400);
      const from = caller.rtp.received.length;
      const mFrom = mobile.received.length;
      await sleep(900);
      const heard = heardPcm(caller.rtp.received, from);
      expect(goertzel(heard, TONE.third)).toBeGreaterThan(500);
      expect(goertzel(heard, TONE.operator)).toBeLessThan(60);
      expect(goertzel(heardPcm(mobile.received, mFrom), TONE.caller)).toBeGreaterThan(500);
    } finally {
      stop();
      await mobile.close();
      await side.close();
    }
  });

  it('no in-call request reaches a carrier: a number as a bridge target is refused 400; a caller’s request 403; zero bytes at the carrier', { timeout: 15_000 }, async () => {
    const caller = await kit.caller();
    const asNumber = await kit.op(caller.control, { op: 'bridge', to: `tel:${MOBILE}` });
    expect(asNumber.status).toBe(400);
    const fromCaller = await kit.op(caller.dialog, { op: 'bridge', to: caller.leg }, caller.sip);
    expect(fromCaller.status).toBe(403);
    await sleep(300);
    expect(carrier.connections).toBe(0);
    expect(carrier.bytes).toBe(0);
  });
});
