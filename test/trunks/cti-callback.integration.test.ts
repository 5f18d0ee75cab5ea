import dgram from 'node:dgram';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Acd } from '../../server/acd/acd';
import { SipWsClient } from '../../server/acd/test-support/sip-ws-client';
import { TEST_SDP, TestMediaEngine } from '../../server/acd/test-support/test-media-engine';
import { StaticTrunkDirectory } from '../../server/acd/trunks/trunk-directory';
import type { AuthUser } from '../../server/contracts/auth';
import { CtiService } from '../../server/cti/cti-service';
import { PrismaCtiStore } from '../../server/cti/prisma-cti-store';
import { CALLBACK_GRACE_SEC } from '../../server/cti/queued-callbacks';
import { DOMAIN, NUMBER, SECRET } from '../../server/cti/test-support/acd-harness';
import { UaBank } from '../../server/cti/ua-bank/ua-bank';
import { openDatabase, type Database } from '../../server/db/database';
import { DEMO, seedDemo } from '../../server/db/seed';
import { createLogger } from '../../server/log';
import { until } from '../../server/test-support/until';
import { freePort, listening, SCENARIOS, sipp } from './sipp';

/**
 * Queued callback end to end: CTI (real JsSIP bank, database) → ACD → a trunk over SIP/UDP to a
 * carrier on loopback. A caller from +447700900123 waits (nobody ready), hears the callback offer,
 * presses 1 (SIP INFOs application/dtmf-relay, which the ACD relays like RFC 4733 digits to the
 * CTI), hears their number read back and keys another one, 447700900456 #; hears the
 * confirmation and is released by the ACD. The ACD refuses the bank's callback dials to any other
 * number, or for a caller it never saw, with 403 and zero bytes to the carrier. When Olivia is ready
 * the CTI reserves her, the ACD calls the keyed number back through the trunk — SIPp as the
 * carrier (carrier-uas-407.xml, its number changed to the keyed one) challenges, checks the
 * number, the center's caller-ID, and answers — and then her device rings bridged to it. She hangs
 * up: SIPp gets the BYE. Past the ACD's window the same dial is refused. The media engine is the
 * signalling test double (its "clip played" is the test's to say).
 */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const OP: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const CALLER = '+447700900123';
const KEYED = '+447700900456';
const WINDOW_SEC = 600;
/** the ACD's clock for its callback window: the test moves it on */
let acdShiftMs = 0;

let db: Database;
let acd: Acd;
let media: TestMediaEngine;
let bank: UaBank;
let cti: CtiService;
let carrierPort: number;
let wsUrl: string;
let device: SipWsClient;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.dialPrefix.create({ data: { id: 'dp-uk', prefix: '+447', label: 'UK mobiles' } });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { callbackDigit: '1', wrapUpSec: 0 } });
  carrierPort = await freePort();
  media = new TestMediaEngine();
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, transports: { udpPort: 0 }, callbackWindowSec: WINDOW_SEC },
    dialPlan: { lookup: (e) => (e === NUMBER ? { holdAudio: 'default' } : null) },
    media,
    logger,
    now: () => Date.now() + acdShiftMs,
    trunks: new StaticTrunkDirectory([
      {
        id: 't1', name: 'loopback', host: '127.0.0.1', port: carrierPort, transport: 'udp', username: 'pb-acct', password: 'carrier-password-1', realm: 'carrier.test',
        register: false, registerExpirySec: 600, inboundSources: [], inboundDigest: false, outbound: true,
        callerIdMode: 'fixed', callerIdE164: '+15550199', assertIdentity: true, privacy: false, enabled: true, dids: [],
      },
    ]),
  });
  await acd.start();
  wsUrl = `ws://127.0.0.1:${acd.port}`;
  bank = new UaBank({ wsUrl, domain: DOMAIN, secret: SECRET, size: 1, logger });
  cti = new CtiService({ bank, store: new PrismaCtiStore(db.prisma), notifier: { agentChanged: () => undefined, callOffered: () => undefined, callChanged: () => undefined }, logger, secret: SECRET, sipDomain: DOMAIN, deviceWsUrl: wsUrl, deviceCredTtlSec: 600 });
  cti.start();
  await bank.start(5000);
  cti.operatorConnected(OP);
  const grant = cti.chooseDevice(OP.id, 'browser');
  device = await SipWsClient.connect(wsUrl, grant.sipUser);
  expect((await device.register(grant.sipUser, DOMAIN, grant.sipUser, grant.sipPassword)).status).toBe(200);
}, 30_000);

afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await cti.stop();
  await bank.stop();
  await device.close();
  await acd.stop();
  await db.close();
}, 15_000);

const played = (legId: string, clip: string) => media.events.includes(`play ${legId} ${clip}`);

/** A UDP listener on the carrier's port while `fn` runs: the bytes the ACD sent the carrier. */
async function carrierBytesDuring(fn: () => Promise<void>): Promise<number> {
  const listener = dgram.createSocket('udp4');
  let bytes = 0;
  listener.on('message', (m) => (bytes += m.length));
  await new Promise<void>((r) => listener.bind(carrierPort, '127.0.0.1', r));
  try {
    await fn();
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    await new Promise<void>((r) => listener.close(() => r()));
  }
  return bytes;
}

/** A bank dial the way the CTI makes a callback's: the number alone, naming the inbound caller's leg. */
async function callbackDial(number: string, forLeg: string) {
  return bank.dial({ deviceUri: `sip:${number}@${DOMAIN};user=phone`, bridgeTo: null, ringTimeoutSec: 20, callbackFor: forLeg }).outcome;
}

/** carrier-uas-407.xml expecting another number in the Request-URI */
async function scenarioFor(number: string): Promise<string> {
  const xml = (await readFile(`${SCENARIOS}/carrier-uas-407.xml`, 'utf8')).replace('sip:\\+447700900123@', `sip:\\${number}@`);
  expect(xml).toContain(number);
  const file = path.join(os.tmpdir(), `carrier-callback-${process.pid}.xml`);
  await writeFile(file, xml);
  return file;
}

describe('queued callback (CTI + bank + ACD + trunk to a loopback carrier)', () => {
  it('the caller presses 1, is released with the confirmation, and is called back through the trunk and bridged to Olivia when she is ready', { timeout: 60_000 }, async () => {
    const caller = await SipWsClient.connect(wsUrl, 'caller');
    closers.push(() => caller.close());
    const inv = caller.makeRequest('INVITE', `sip:${NUMBER}@${DOMAIN}`, { from: `<sip:${CALLER}@carrier.invalid>`, body: TEST_SDP });
    caller.send(inv);
    const ok = await caller.response(inv.headers.get('Call-ID')!, 'INVITE', true, 10_000);
    expect(ok.status).toBe(200);
    const dialog = caller.dialogFrom(inv, ok);
    caller.send(caller.inDialog('ACK', dialog));
    await until(() => acd.legs().length === 1, 5000, 'caller parked');
    const leg = acd.legs()[0]!.legId;
    // the waiting announcement offers the callback: "to keep your place and be called back, press"…
    await until(() => played(leg, 'say-callback-press'), 5000, 'callback offer played');
    media.endpoints.get(leg)!.emitPlayDone('say-callback-press');
    await until(() => played(leg, 'say-n1'), 5000, '…"one"');
    media.endpoints.get(leg)!.emitPlayDone('say-n1');

    // the caller presses 1, hears their number read back, and keys another one
    const key = async (d: string) => {
      const info = caller.inDialog('INFO', dialog, `Signal=${d}\r\nDuration=160\r\n`);
      info.headers.set('Content-Type', 'application/dtmf-relay');
      caller.send(info);
      expect((await caller.response(dialog.callId, 'INFO')).status).toBe(200);
    };
    await key('1');
    await until(() => played(leg, 'say-callback-number'), 5000, 'the number read back');
    for (const d of KEYED.slice(1) + '#') await key(d);
    await until(() => played(leg, 'say-callback-ok'), 5000, 'confirmation played');
    media.endpoints.get(leg)!.emitPlayDone('say-callback-ok');
    const bye = await caller.request('BYE', (r) => r.headers.get('Call-ID') === dialog.callId, 5000);
    caller.respond(bye, 200);
    const callId = cti.adminSnapshot().calls[0]!.callId;
    await until(() => acd.legs().length === 0, 5000, 'the caller released');
    expect(cti.getCall(callId)?.status).toBe('queued'); // their place is kept
    expect(cti.waitingInQueue(DEMO.queue.id)).toBe(1);

    // the ACD's own rule: a callback dial for this caller to any other number, or for a leg it never saw, is refused before the carrier hears a byte
    const refusals: unknown[] = [];
    const bytes = await carrierBytesDuring(async () => {
      refusals.push(await callbackDial('+447700900999', leg));
      refusals.push(await callbackDial(CALLER, 'leg-00000000000000ff'));
    });
    expect(refusals).toEqual([
      { kind: 'failed', status: 403, cause: expect.any(String) },
      { kind: 'failed', status: 403, cause: expect.any(String) },
    ]);
    expect(bytes).toBe(0);

    // Olivia is ready: reserved, then the keyed number through the trunk (after the confirmation's grace)
    const run = sipp(['-sf', await scenarioFor(KEYED), '-t', 'u1', '-i', '127.0.0.1', '-p', String(carrierPort)], 40);
    await listening(carrierPort, 'udp');
    cti.setReady(OP.id);
    await until(() => cti.getAgent(OP.id)?.state === 'reserved', (CALLBACK_GRACE_SEC + 5) * 1000, 'Olivia reserved for the callback');
    const devInv = await device.request('INVITE', undefined, 15_000);
    expect(cti.getCall(callId)?.status).toBe('offering');
    const dd = device.answer(devInv, 200, { body: TEST_SDP });
    await until(() => cti.getCall(callId)?.status === 'connected', 5000, 'connected');
    expect(cti.getAgent(OP.id)?.state).toBe('talking');

    // Olivia hangs up: the CTI releases the caller's leg (SIPp gets its BYE)
    device.send(device.inDialog('BYE', dd));
    expect((await device.response(dd.callId, 'BYE')).status).toBe(200);
    const r = await run.done;
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
    await until(() => cti.getCall(callId)?.status === 'ended', 5000, 'ended');
    await until(() => acd.legs().length === 0, 5000, 'ACD holds no legs');

    await cti.flush();
    const row = await db.prisma.call.findUniqueOrThrow({ where: { id: callId } });
    expect(row).toMatchObject({ direction: 'inbound', callerNumber: CALLER, operatorId: OP.id, outcome: 'completed', endedBy: 'operator', queueId: DEMO.queue.id });
    const events = await db.prisma.callEvent.findMany({ where: { callId }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['arrived', 'announcement', 'callback-confirming', 'announcement', 'callback-number-keyed', 'callback-requested', 'callback-dial', 'callback-answered', 'answered', 'device-hangup', 'caller-release', 'ended']);

    // past the ACD's window, even the number keyed on that call is refused (zero bytes to the carrier)
    acdShiftMs = (WINDOW_SEC + 1) * 1000;
    let late: unknown;
    expect(await carrierBytesDuring(async () => void (late = await callbackDial(KEYED, leg)))).toBe(0);
    expect(late).toMatchObject({ kind: 'failed', status: 403 });
  });
});
