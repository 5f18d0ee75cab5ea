import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Acd } from '../acd/acd';
import { WeriftMediaEngine } from '../acd/media/werift-media-engine';
import { TestBrowserClient } from '../acd/media/test-browser-client';
import { startBaresipPhone, type BaresipPhone } from '../acd/test-support/baresip-phone';
import { SipWsClient } from '../acd/test-support/sip-ws-client';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import type { AuthUser } from '../contracts/auth';
import type { CallOffer } from '../contracts/socket-events';
import { freePort } from '../../test/sipp/sipp-runner';
import { placeCall } from '../test-support/sip-peers';
import { requireTool } from '../test-support/system-tools';
import { until } from '../test-support/until';
import { CtiService } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { UaBank } from './ua-bank/ua-bank';

/**
 * The "SIP phone" device kind end to end: the CTI issues the settings, a real baresip (Debian
 * baresip-core) registers with exactly those (user, password, domain, server, port, UDP) at the
 * real ACD, the CTI rings it for a caller, baresip answers, the caller hangs up and the CTI
 * releases the phone. Then the portal deactivates the operator: nobody rings the phone any more.
 */
requireTool('baresip');
const SECRET = 'sip-phone-device-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };

let dir: string;
let db: Database;
let engine: WeriftMediaEngine;
let acd: Acd;
let bank: UaBank;
let cti: CtiService;
let phone: BaresipPhone | null = null;
const offers: CallOffer[] = [];
const cleanup: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pb-sip-phone-'));
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 1 } });
  engine = new WeriftMediaEngine(logger, { rtpPortRange: [43600, 43699], portRange: [43700, 43799] });
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, transports: { udpPort: 0 } },
    dialPlan: { lookup: (n) => (n === DEMO.number ? { holdAudio: 'default' } : null) },
    media: engine,
    logger,
  });
  await acd.start();
  const wsUrl = `ws://127.0.0.1:${acd.port}`;
  bank = new UaBank({ wsUrl, domain: DOMAIN, secret: SECRET, size: 1, logger });
  cti = new CtiService({
    bank,
    store: new PrismaCtiStore(db.prisma),
    notifier: { agentChanged: () => undefined, callOffered: (_op, o) => void offers.push(o), callChanged: () => undefined },
    logger,
    secret: SECRET,
    sipDomain: DOMAIN,
    deviceWsUrl: wsUrl,
    deviceCredTtlSec: 600,
    sipPhone: { host: '127.0.0.1', port: acd.ports.UDP!, transports: ['UDP'] },
  });
  cti.start();
  await bank.start(5000);
}, 30_000);

afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await phone?.stop();
  await cti.stop();
  await bank.stop();
  await acd.stop();
  await engine.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}, 20_000);

describe('a SIP phone device (baresip)', () => {
  it('registers with the settings the CTI shows, rings for a caller, answers, and is released by the CTI when the caller hangs up', { timeout: 60_000 }, async () => {
    cti.operatorConnected(OP1);
    const g = cti.chooseSipPhone(OP1.id);
    expect(g).toMatchObject({ kind: 'sip_phone', domain: DOMAIN, server: '127.0.0.1', port: acd.ports.UDP, transports: ['UDP'] });
    expect(cti.getAgent(OP1.id)?.device).toBe('sip_phone');

    // exactly what an operator types into the phone: user, password, domain, server:port, UDP
    phone = await startBaresipPhone({
      dir,
      sipPort: await freePort(),
      rtpPorts: '44700-44799',
      account: `<sip:${g.sipUser}@${g.domain}>;auth_user=${g.sipUser};auth_pass=${g.sipPassword};outbound="sip:${g.server}:${g.port};transport=udp";regint=600;answermode=auto;audio_codecs=PCMU,PCMA`,
      toneHz: 600,
      readyWhen: /200 OK/,
    });
    cti.setReady(OP1.id);

    const browser = new TestBrowserClient();
    cleanup.push(() => browser.close());
    const caller = await SipWsClient.connect(`ws://127.0.0.1:${acd.port}`, 'caller');
    cleanup.push(() => caller.close());
    const { ok, dialog } = await placeCall(caller, `sip:${DEMO.number}@${DOMAIN}`, await browser.makeOffer(), { timeoutMs: 10_000, from: '"Pat Phone" <sip:+442079460958@carrier.example>' });
    expect(ok.status).toBe(200);
    await browser.acceptAnswer(ok.body);

    await until(() => cti.getAgent(OP1.id)?.state === 'talking', 20_000, `baresip answered:\n${phone.output()}`);
    const callId = offers.at(-1)!.callId;
    expect(offers.at(-1)).toMatchObject({ callerNumber: '+442079460958' });
    expect(cti.getCall(callId)?.status).toBe('connected');

    caller.send(caller.inDialog('BYE', dialog));
    expect((await caller.response(dialog.callId, 'BYE')).status).toBe(200);
    await until(() => cti.getCall(callId)?.status === 'ended', 5000, 'call ended');
    expect(cti.getCall(callId)?.endedBy).toBe('caller');
    await until(() => acd.legs().length === 0, 8000, 'the ACD released the phone on the CTI’s order');
    await cti.flush();
    const types = (await db.prisma.callEvent.findMany({ where: { callId }, orderBy: { seq: 'asc' } })).map((e) => e.type);
    expect(types).toEqual(['arrived', 'offered', 'device-ringing', 'answered', 'caller-hangup', 'device-release', 'ended']);
    await until(() => cti.getAgent(OP1.id)?.state === 'ready', 5000, 'ready after wrap-up');
  });

  it('a deactivated operator’s phone is rung no more: they are signed out and the next caller waits', { timeout: 30_000 }, async () => {
    await db.prisma.user.update({ where: { id: OP1.id }, data: { active: false } });
    await cti.configChanged({ entity: 'person', id: OP1.id });
    expect(cti.getAgent(OP1.id)).toBeNull();
    const before = offers.length;
    const browser = new TestBrowserClient();
    cleanup.push(() => browser.close());
    const caller = await SipWsClient.connect(`ws://127.0.0.1:${acd.port}`, 'caller2');
    cleanup.push(() => caller.close());
    const { ok, dialog } = await placeCall(caller, `sip:${DEMO.number}@${DOMAIN}`, await browser.makeOffer(), { timeoutMs: 10_000 });
    expect(ok.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(offers.length).toBe(before);
    expect(acd.legs().length).toBe(1); // the caller, parked; no leg to the phone
    caller.send(caller.inDialog('BYE', dialog));
    await caller.response(dialog.callId, 'BYE');
  });
});
