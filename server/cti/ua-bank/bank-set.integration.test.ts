import { afterEach, describe, expect, it } from 'vitest';
import { Acd } from '../../acd/acd';
import { SipWsClient } from '../../acd/test-support/sip-ws-client';
import { issueDeviceCredentials } from '../../shared/credentials';
import { TEST_SDP, TestMediaEngine } from '../../acd/test-support/test-media-engine';
import { createLogger } from '../../log';
import { until } from '../../test-support/until';
import { listenPort } from '../../../test/roles/role-process';
import { TcpProxy } from '../../test-support/tcp-proxy';
import { DOMAIN, NUMBER, SECRET, placeCall, registeredDevice } from '../test-support/acd-harness';
import type { LegEnded, LegOffered, LegRecovered } from '../ports/bank-port';
import { BankSet } from './bank-set';

/** The bank set against two real ACDs on loopback: a leg's dial goes to its node; startup waits for every node. */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
}, 20_000);

async function acdOn(port: number): Promise<Acd> {
  const acd = new Acd({
    config: { host: '127.0.0.1', port, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20 },
    dialPlan: { lookup: (e164) => (e164 === NUMBER ? { holdAudio: 'default' } : null) },
    media: new TestMediaEngine(),
    logger,
  });
  await acd.start();
  stops.push(() => acd.stop());
  return acd;
}

describe('BankSet: one bank per ACD node', () => {
  it('holds the first registered until every node registered, then sends each leg’s dial to the node that offered it', async () => {
    const ports = [await listenPort('tcp'), await listenPort('tcp')];
    const urls = ports.map((p) => `ws://127.0.0.1:${p}`);
    const nodes = [await acdOn(ports[0]!)];
    const bank = new BankSet({ wsUrls: urls, domain: DOMAIN, secret: SECRET, size: 1, logger, reconnectMinSec: 1, reconnectMaxSec: 1, allNodesWaitMs: 15_000 });
    stops.push(() => bank.stop());
    const registered: number[] = [];
    bank.on('registered', () => void registered.push(Date.now()));
    const offered: Array<LegOffered & { node: number }> = [];
    bank.on('legOffered', (e) => void offered.push({ ...e, node: -1 }));
    const started = bank.start(15_000);
    await until(() => bank.nodesReady()[0]!.ready, 5000, 'node 0 registered');
    await new Promise((r) => setTimeout(r, 500));
    // node 0 is registered, node 1 does not exist yet: recovery must not be told "registered" yet
    expect(registered).toEqual([]);
    expect(bank.isReady()).toBe(true);
    nodes.push(await acdOn(ports[1]!));
    await started;
    await until(() => registered.length > 0, 10_000, 'registered once every node is');
    expect(bank.nodesReady().map((n) => n.ready)).toEqual([true, true]);
    expect(bank.figures().registered).toEqual([true, true]);

    // a device on each node; a caller on node 1
    const clients: SipWsClient[] = [];
    stops.push(async () => void (await Promise.all(clients.map((c) => c.close()))));
    const devices = [await registeredDevice(urls[0]!), await registeredDevice(urls[1]!)];
    clients.push(...devices.map((d) => d.client));
    const caller = await placeCall(urls[1]!);
    clients.push(caller.client);
    await until(() => offered.length === 1, 5000, 'offered by node 1');
    const leg = offered[0]!.legId;
    expect(bank.nodesReady().map((n) => n.legs)).toEqual([0, 1]);

    // each node told its bank which device it holds: the router asks before it offers (no dial)
    await until(() => bank.nodesReaching(devices[0]!.uri).length === 1 && bank.nodesReaching(devices[1]!.uri).length === 1, 5000, 'reach told by both nodes');
    expect(bank.nodesReaching(devices[0]!.uri)).toEqual([urls[0]]);
    expect(bank.reaches(devices[0]!.uri, leg)).toBe(false);
    expect(bank.reaches(devices[1]!.uri, leg)).toBe(true);
    // a mobile is reached through a trunk from every node
    expect(bank.reaches(`sip:+447700900123@${DOMAIN}`, leg)).toBe(true);
    // the device registered on node 0 cannot be reached from node 1: the dial went to node 1, which answers 404
    const miss = bank.dial({ deviceUri: devices[0]!.uri, bridgeTo: leg, ringTimeoutSec: 5 });
    expect(await miss.outcome).toMatchObject({ kind: 'failed', status: 404 });
    expect(devices[0]!.client.never((m) => m.kind === 'request' && m.method === 'INVITE')).toBe(true);

    // the device on node 1 is dialled by node 1 and bridged there
    const hit = bank.dial({ deviceUri: devices[1]!.uri, bridgeTo: leg, ringTimeoutSec: 5 });
    const inv = await devices[1]!.client.request('INVITE', undefined, 5000);
    devices[1]!.client.answer(inv, 200, { body: TEST_SDP });
    const outcome = await hit.outcome;
    expect(outcome.kind).toBe('answered');
    const deviceLeg = outcome.kind === 'answered' ? outcome.legId : '';
    expect(bank.nodesReady().map((n) => n.legs)).toEqual([0, 2]);
    expect(nodes[1]!.legs().map((l) => l.legId).sort()).toEqual([leg, deviceLeg].sort());
    expect(nodes[0]!.legs()).toEqual([]);

    // in-call requests and the release reach node 1 too; an unknown leg is refused unsent
    expect(await bank.controls.hold(leg)).toEqual({ ok: true });
    expect(await bank.controls.hold('leg-0000000000000000')).toMatchObject({ ok: false, status: 0 });
    expect(bank.release(deviceLeg)).toBe(true);
    await devices[1]!.client.request('BYE', undefined, 5000);
    expect(bank.release('leg-0000000000000000')).toBe(false);

    // after the caller has gone, a queued callback naming their leg still goes to node 1 (its ledger)
    expect((await caller.hangUp()).status).toBe(200);
    await until(() => !bank.heldLegs().includes(leg), 5000, 'caller leg ended');
    expect(bank.nodeOf(leg)).toBe(urls[1]);
    expect(bank.nodeOf('leg-0000000000000000')).toBeNull();
  }, 40_000);

  it('keeps a node’s legs when the node is back within nodeLostMs; reports them ended (transport-lost) when it is not', async () => {
    const ports = [await listenPort('tcp'), await listenPort('tcp')];
    for (const p of ports) await acdOn(p);
    // node 1 reached through a relay the test can cut
    const relay = new TcpProxy('127.0.0.1', ports[1]!);
    await relay.start();
    stops.push(() => relay.stop());
    const urls = [`ws://127.0.0.1:${ports[0]}`, `ws://127.0.0.1:${relay.port}`];
    const bank = new BankSet({ wsUrls: urls, domain: DOMAIN, secret: SECRET, size: 1, logger, reconnectMinSec: 1, reconnectMaxSec: 1, nodeLostMs: 4000 });
    stops.push(() => bank.stop());
    const offered: LegOffered[] = [];
    const recovered: LegRecovered[] = [];
    const ended: LegEnded[] = [];
    bank.on('legOffered', (e) => void offered.push(e));
    bank.on('legRecovered', (e) => void recovered.push(e));
    bank.on('legEnded', (e) => void ended.push(e));
    await bank.start(10_000);
    await until(() => bank.nodesReady().every((n) => n.ready), 10_000, 'both nodes registered');
    const clients: SipWsClient[] = [];
    stops.push(async () => void (await Promise.all(clients.map((c) => c.close()))));
    const caller = await placeCall(`ws://127.0.0.1:${ports[1]}`);
    clients.push(caller.client);
    await until(() => offered.length === 1, 5000, 'offered by node 1');
    const leg = offered[0]!.legId;

    // let the route offer's ACK reach the ACD first (a cut before it makes the ACD offer the leg afresh)
    await new Promise((r) => setTimeout(r, 1000));
    // a short cut: the node re-offers its leg when the bank is back, nothing ends
    relay.refuse();
    await until(() => !bank.nodesReady()[1]!.ready, 5000, 'node 1 lost');
    relay.heal();
    await until(() => recovered.some((r) => r.legId === leg), 8000, 'leg re-offered after the cut');
    await new Promise((r) => setTimeout(r, 4500));
    expect(ended).toEqual([]);
    expect(bank.heldLegs()).toEqual([leg]);

    // a cut longer than nodeLostMs: the leg is given up
    const cutAt = Date.now();
    relay.refuse();
    await until(() => ended.length === 1, 8000, 'leg given up');
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(4000);
    expect(ended[0]).toEqual({ legId: leg, cause: 'transport-lost' });
    expect(bank.heldLegs()).toEqual([]);
    // node 0 was never touched
    expect(bank.nodesReady()[0]!.ready).toBe(true);
  }, 40_000);

  it('follows a device as it registers, leaves and moves between nodes, and a node that restarts (its registrar empty)', async () => {
    const ports = [await listenPort('tcp'), await listenPort('tcp')];
    const urls = ports.map((p) => `ws://127.0.0.1:${p}`);
    const nodes = [await acdOn(ports[0]!), await acdOn(ports[1]!)];
    // a device already registered with node 0 before the bank comes: the full state at the bank's registration says so
    const early = await registeredDevice(urls[0]!);
    stops.push(() => early.client.close());
    const bank = new BankSet({ wsUrls: urls, domain: DOMAIN, secret: SECRET, size: 2, logger, reconnectMinSec: 1, reconnectMaxSec: 1 });
    stops.push(() => bank.stop());
    let changes = 0;
    bank.on('reachChanged', () => void changes++);
    await bank.start(10_000);
    await until(() => bank.nodesReaching(early.uri).length === 1, 5000, 'the full state told');
    expect(bank.nodesReaching(early.uri)).toEqual([urls[0]]);

    // a device registers with node 0, then leaves it (Expires: 0) and registers with node 1
    const cred = issueDeviceCredentials(SECRET, 600);
    const uri = `sip:${cred.user}@${DOMAIN}`;
    const c0 = await SipWsClient.connect(urls[0]!, 'mover-0');
    const c1 = await SipWsClient.connect(urls[1]!, 'mover-1');
    stops.push(async () => void (await Promise.all([c0.close(), c1.close()])));
    const t0 = Date.now();
    expect((await c0.register(cred.user, DOMAIN, cred.user, cred.password)).status).toBe(200);
    await until(() => bank.nodesReaching(uri).length === 1, 5000, 'registered on node 0');
    const toldMs = Date.now() - t0;
    expect(bank.nodesReaching(uri)).toEqual([urls[0]]);
    expect((await c0.register(cred.user, DOMAIN, cred.user, cred.password, 0)).status).toBe(200);
    expect((await c1.register(cred.user, DOMAIN, cred.user, cred.password)).status).toBe(200);
    await until(() => bank.nodesReaching(uri).join() === urls[1], 5000, 'followed to node 1');
    // on both nodes at once (a desk phone with an account per node): reached from both
    expect((await c0.register(cred.user, DOMAIN, cred.user, cred.password)).status).toBe(200);
    await until(() => bank.nodesReaching(uri).length === 2, 5000, 'on both nodes');
    // its connection to node 1 closes: node 1 tells at once
    await c1.close();
    await until(() => bank.nodesReaching(uri).join() === urls[0], 5000, 'gone from node 1 with its connection');

    // node 0 restarts: its registrar is empty, and the bank hears so once it registers again
    await nodes[0]!.stop();
    const again = await acdOn(ports[0]!);
    await until(() => bank.nodesReaching(uri).length === 0 && bank.nodesReaching(early.uri).length === 0, 15_000, 'the restarted node holds nothing');
    expect(again.legs()).toEqual([]);
    expect(changes).toBeGreaterThanOrEqual(6);
    process.stdout.write(`bank-set reach: registration → bank knew in ${toldMs} ms\n`);
  }, 40_000);
});
