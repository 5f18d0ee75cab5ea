import { COUNTED_METHODS } from '../../acd/sip-tally';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Acd } from '../../acd/acd';
import type { SipWsClient } from '../../acd/test-support/sip-ws-client';
import { createLogger } from '../../log';
import { DOMAIN, NUMBER, SECRET, placeCall, registeredDevice, startAcd } from '../test-support/acd-harness';
import { until } from '../../test-support/until';
import type { LegEnded, LegOffered } from '../ports/bank-port';
import { UaBank } from './ua-bank';

/** The bank against the real ACD over SIP/WebSocket on loopback. */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

let acd: Acd;
let wsUrl: string;
let bank: UaBank;
const offered: LegOffered[] = [];
const ended: LegEnded[] = [];
const clients: SipWsClient[] = [];

beforeEach(async () => {
  offered.length = 0;
  ended.length = 0;
  ({ acd, wsUrl } = await startAcd(logger));
  bank = new UaBank({ wsUrl, domain: DOMAIN, secret: SECRET, size: 2, logger });
  bank.on('legOffered', (e) => offered.push(e));
  bank.on('legEnded', (e) => ended.push(e));
  await bank.start(5000);
}, 15_000);

afterEach(async () => {
  await bank.stop();
  for (const c of clients.splice(0)) await c.close();
  await acd.stop();
}, 15_000);

describe('UaBank against the ACD', () => {
  it('registers the route point and answers the offered caller leg', async () => {
    expect(bank.isReady()).toBe(true);
    const caller = await placeCall(wsUrl);
    clients.push(caller.client);
    await until(() => offered.length === 1, 5000, 'legOffered');
    expect(offered[0]).toMatchObject({ dialed: NUMBER, callerName: 'Carla Caller', callerUri: expect.stringContaining('carla@') });
    expect(offered[0]!.legId).toMatch(/^leg-[0-9a-f]+$/);
    expect(bank.heldLegs()).toEqual([offered[0]!.legId]);
  }, 15_000);

  it('dials a device, bridges it, and releases the device after the caller hangs up', async () => {
    const device = await registeredDevice(wsUrl);
    clients.push(device.client);
    const caller = await placeCall(wsUrl);
    clients.push(caller.client);
    await until(() => offered.length === 1, 5000, 'legOffered');
    const callerLeg = offered[0]!.legId;

    const events: string[] = [];
    const invitesIn = () => acd.sip.requests.in[COUNTED_METHODS.indexOf('INVITE')]!;
    const acksIn = () => acd.sip.requests.in[COUNTED_METHODS.indexOf('ACK')]!;
    const before = { invites: invitesIn(), acks: acksIn() };
    const dial = bank.dial({ deviceUri: device.uri, bridgeTo: callerLeg, ringTimeoutSec: 10 });
    dial.on('ringing', () => events.push('ringing'));
    dial.on('answered', ({ legId }) => events.push(`answered ${legId}`));

    const inv = await device.client.request('INVITE', undefined, 5000);
    device.client.respond(inv, 180);
    await until(() => events.includes('ringing'), 5000, 'ringing');
    const devDialog = device.client.answer(inv, 200, { body: inv.body });
    await device.client.request('ACK', undefined, 5000);
    const outcome = await dial.outcome;
    expect(outcome.kind).toBe('answered');
    // the offer's X-PB-Nonce answered up front: one dial INVITE, no 407 (so no ACK of it); the one ACK is the bank's for the 200
    await until(() => acksIn() - before.acks >= 1, 5000, 'the bank ACKs the 200');
    expect({ invites: invitesIn() - before.invites, acks: acksIn() - before.acks }).toEqual({ invites: 1, acks: 1 });
    const deviceLeg = outcome.kind === 'answered' ? outcome.legId : '';
    expect(deviceLeg).toMatch(/^leg-/);
    expect(events).toEqual(['ringing', `answered ${deviceLeg}`]);
    expect(acd.legs().find((l) => l.legId === callerLeg)?.bridgedTo).toBe(deviceLeg);

    // The caller hangs up: the ACD reports it and does NOT release the device on its own.
    const byeOk = await caller.hangUp();
    expect(byeOk.status).toBe(200);
    await until(() => ended.length === 1, 5000, 'legEnded');
    expect(ended[0]).toEqual({ legId: callerLeg, cause: 'remote-bye' });
    expect(device.client.never((m) => m.kind === 'request' && m.method === 'BYE')).toBe(true);

    // The CTI's order: release the device.
    expect(bank.release(deviceLeg)).toBe(true);
    const bye = await device.client.request('BYE', (r) => r.headers.get('Call-ID') === devDialog.callId, 5000);
    device.client.respond(bye, 200);
    await until(() => acd.legs().length === 0, 5000, 'ACD holds no legs');
    expect(ended).toHaveLength(1); // our own release is not echoed as legEnded
    expect(bank.release(deviceLeg)).toBe(false);
  }, 20_000);

  it("dials each caller's device from the UA holding that caller's control dialog, so their messages share one connection", async () => {
    const device = await registeredDevice(wsUrl);
    clients.push(device.client);
    // two callers: the ACD offers them round-robin, one to each of the bank's two UAs
    for (let i = 0; i < 2; i++) {
      const caller = await placeCall(wsUrl);
      clients.push(caller.client);
      await until(() => offered.length === i + 1, 5000, 'legOffered');
    }
    const flowOf = (legId: string) => [...acd.liveLegs()].find((l) => l.id === legId)?.controlDialog?.flow.id;
    const callerFlows = offered.map((o) => flowOf(o.legId));
    expect(new Set(callerFlows).size).toBe(2);
    // the second caller first: a bank that rotated its UAs per dial would send this one on the first UA
    for (const o of [...offered].reverse()) {
      const dial = bank.dial({ deviceUri: device.uri, bridgeTo: o.legId, ringTimeoutSec: 10 });
      const inv = await device.client.request('INVITE', undefined, 5000);
      device.client.answer(inv, 200, { body: inv.body });
      await device.client.request('ACK', undefined, 5000);
      const outcome = await dial.outcome;
      expect(outcome.kind).toBe('answered');
      expect(flowOf(outcome.kind === 'answered' ? outcome.legId : '')).toBe(flowOf(o.legId));
    }
  }, 20_000);

  it('reports a device that refuses, and a device leg ended by the ACD', async () => {
    const device = await registeredDevice(wsUrl);
    clients.push(device.client);
    const caller = await placeCall(wsUrl);
    clients.push(caller.client);
    await until(() => offered.length === 1, 5000, 'legOffered');
    const callerLeg = offered[0]!.legId;

    const first = bank.dial({ deviceUri: device.uri, bridgeTo: callerLeg, ringTimeoutSec: 10 });
    const inv1 = await device.client.request('INVITE', undefined, 5000);
    device.client.answer(inv1, 486);
    expect(await first.outcome).toMatchObject({ kind: 'failed', status: 486 });
    // The caller is still parked: dial again, answer, then the device hangs up.
    const second = bank.dial({ deviceUri: device.uri, bridgeTo: callerLeg, ringTimeoutSec: 10 });
    const inv2 = await device.client.request('INVITE', (r) => r.headers.get('Call-ID') !== inv1.headers.get('Call-ID'), 5000);
    const d2 = device.client.answer(inv2, 200, { body: inv2.body });
    const o2 = await second.outcome;
    expect(o2.kind).toBe('answered');
    const deviceLeg = o2.kind === 'answered' ? o2.legId : '';
    device.client.send(device.client.inDialog('BYE', d2));
    await until(() => ended.some((e) => e.legId === deviceLeg), 5000, 'device legEnded');
    expect(ended.find((e) => e.legId === deviceLeg)?.cause).toBe('remote-bye');
    expect(ended.some((e) => e.legId === callerLeg)).toBe(false);
  }, 20_000);

  it('fails a dial to an unregistered device and cancels a ringing one', async () => {
    const caller = await placeCall(wsUrl);
    clients.push(caller.client);
    await until(() => offered.length === 1, 5000, 'legOffered');
    const callerLeg = offered[0]!.legId;
    const nobody = await bank.dial({ deviceUri: `sip:dev-0000000000000000-9999999999@${DOMAIN}`, bridgeTo: callerLeg, ringTimeoutSec: 10 }).outcome;
    expect(nobody).toMatchObject({ kind: 'failed', status: 404 });

    const device = await registeredDevice(wsUrl);
    clients.push(device.client);
    const dial = bank.dial({ deviceUri: device.uri, bridgeTo: callerLeg, ringTimeoutSec: 10 });
    let rang = false;
    dial.on('ringing', () => (rang = true));
    const inv = await device.client.request('INVITE', undefined, 5000);
    device.client.respond(inv, 180);
    await until(() => rang, 5000, 'ringing');
    dial.cancel();
    expect(await dial.outcome).toMatchObject({ kind: 'failed', status: 487 });
    await device.client.request('CANCEL', undefined, 5000);
  }, 20_000);

  it('stop() is safe twice and leaves the bank not ready', async () => {
    await bank.stop();
    await bank.stop();
    expect(bank.isReady()).toBe(false);
  });
});
