import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Acd } from '../../acd/acd';
import type { TestMediaEngine } from '../../acd/test-support/test-media-engine';
import type { SipWsClient } from '../../acd/test-support/sip-ws-client';
import { createLogger } from '../../log';
import { until } from '../../test-support/until';
import type { DialRequest, LegOffered } from '../ports/bank-port';
import { placeCall, registeredDevice, startAcd } from '../test-support/acd-harness';
import { UaBank } from './ua-bank';

/**
 * The bank's typed in-call requests (bank.controls) against the real ACD over SIP/WebSocket:
 * each request goes out as JsSIP's INFO on the leg's control dialog and the ACD's answer comes
 * back as a result. Media is the ACD's test double here (the media itself is tested in
 * server/acd/calls/in-call-controls.test.ts and mixing.test.ts with real RTP).
 */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

let acd: Acd;
let media: TestMediaEngine;
let wsUrl: string;
let bank: UaBank;
const offered: LegOffered[] = [];
const clients: SipWsClient[] = [];

beforeEach(async () => {
  offered.length = 0;
  ({ acd, media, wsUrl } = await startAcd(logger));
  bank = new UaBank({ wsUrl, domain: 'patchbay.local', secret: 'integration-secret-'.padEnd(40, 'x'), size: 1, logger });
  bank.on('legOffered', (e) => offered.push(e));
  await bank.start(5000);
}, 15_000);

afterEach(async () => {
  await bank.stop();
  for (const c of clients.splice(0)) await c.close();
  await acd.stop();
}, 15_000);

const leg = (id: string) => acd.legs().find((l) => l.legId === id);

/** A device that answers the ACD's INVITE; resolves with the device leg id the bank got. */
async function answeredDial(req: Omit<DialRequest, 'deviceUri' | 'ringTimeoutSec'>): Promise<string> {
  const device = await registeredDevice(wsUrl);
  clients.push(device.client);
  const dial = bank.dial({ deviceUri: device.uri, ringTimeoutSec: 10, ...req });
  const inv = await device.client.request('INVITE', undefined, 5000);
  device.client.answer(inv, 200, { body: inv.body });
  const outcome = await dial.outcome;
  if (outcome.kind !== 'answered') throw new Error(`dial failed ${outcome.status}`);
  return outcome.legId;
}

describe('UaBank in-call requests against the ACD', () => {
  it('holds, resumes, mutes and sends DTMF on a bridged call; refusals come back with the ACD’s status and reason', async () => {
    const caller = await placeCall(wsUrl);
    clients.push(caller.client);
    await until(() => offered.length === 1, 5000, 'legOffered');
    const callerLeg = offered[0]!.legId;
    const deviceLeg = await answeredDial({ bridgeTo: callerLeg });

    expect(await bank.controls.hold(callerLeg)).toEqual({ ok: true });
    expect(leg(callerLeg)).toMatchObject({ state: 'held', heldWith: deviceLeg });
    expect(await bank.controls.hold(callerLeg)).toEqual({ ok: false, status: 409, reason: 'Already Held' });
    expect(await bank.controls.resume(callerLeg)).toEqual({ ok: true });
    expect(leg(callerLeg)).toMatchObject({ state: 'bridged', bridgedTo: deviceLeg });

    expect(await bank.controls.mute(deviceLeg, true)).toEqual({ ok: true });
    expect(leg(deviceLeg)?.muted).toBe(true);
    expect(media.events).toContain(`mute ${deviceLeg}`);
    expect(await bank.controls.mute(deviceLeg, false)).toEqual({ ok: true });
    expect(await bank.controls.sendDtmf(callerLeg, '12#')).toEqual({ ok: true });
    expect(media.events).toContain(`dtmf ${callerLeg} 12# 160`);

    // refused before sending: bad digits, a leg the bank holds no dialog for
    expect(await bank.controls.sendDtmf(callerLeg, '12x')).toMatchObject({ ok: false, status: 0 });
    expect(await bank.controls.hold('leg-00000000000000000000')).toMatchObject({ ok: false, status: 0 });
    expect(bank.heldLegs().sort()).toEqual([callerLeg, deviceLeg].sort());
  }, 20_000);

  it('monitors with a dial that joins (listen), switches to whisper and barge, then transfers by re-bridge', async () => {
    const caller = await placeCall(wsUrl);
    clients.push(caller.client);
    await until(() => offered.length === 1, 5000, 'legOffered');
    const callerLeg = offered[0]!.legId;
    const operatorLeg = await answeredDial({ bridgeTo: callerLeg });
    const supLeg = await answeredDial({ bridgeTo: null, join: { legId: operatorLeg, mode: 'listen' } });
    expect(leg(supLeg)).toMatchObject({ state: 'mixed', mix: { mode: 'listen' } });
    expect(leg(callerLeg)?.mix?.mixId).toBe(leg(supLeg)?.mix?.mixId);

    expect(await bank.controls.setMixMode(supLeg, { mode: 'whisper', whisperTo: operatorLeg })).toEqual({ ok: true });
    expect(leg(supLeg)?.mix).toMatchObject({ mode: 'whisper', whisperTo: operatorLeg });
    expect(await bank.controls.setMixMode(supLeg, { mode: 'talk' })).toEqual({ ok: true });
    expect(await bank.controls.leave(supLeg)).toEqual({ ok: true });
    expect(leg(supLeg)).toMatchObject({ state: 'waiting', mix: null });
    expect(await bank.controls.leave(supLeg)).toEqual({ ok: false, status: 409, reason: 'Not Mixed' });

    // a transfer: the caller is re-bridged to the (waiting) supervisor's leg; the operator is left waiting
    expect(await bank.controls.bridge(callerLeg, supLeg)).toEqual({ ok: true });
    expect(leg(callerLeg)).toMatchObject({ state: 'bridged', bridgedTo: supLeg });
    expect(leg(operatorLeg)).toMatchObject({ state: 'waiting' });
    // a conference again from there: the operator joins the caller's call
    expect(await bank.controls.join(operatorLeg, callerLeg, { mode: 'talk' })).toEqual({ ok: true });
    expect(acd.legs().every((l) => l.state === 'mixed')).toBe(true);
  }, 25_000);
});
