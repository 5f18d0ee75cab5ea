import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Acd } from '../acd/acd';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import type { AuthUser } from '../contracts/auth';
import type { AgentView, CallOffer, CallView } from '../contracts/socket-events';
import { CtiService, type CtiNotifier } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { DOMAIN, SECRET, placeCall, startAcd } from './test-support/acd-harness';
import { until } from '../test-support/until';
import { SipWsClient } from '../acd/test-support/sip-ws-client';
import { UaBank } from './ua-bank/ua-bank';

/**
 * The whole CTI (service + real bank + database) against the real ACD: a caller dials the
 * number, the operator's device (registered with the grant the CTI issued) rings and answers,
 * the caller hangs up, and the CTI — not the ACD — releases the device.
 */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };

let db: Database;
let acd: Acd;
let bank: UaBank;
let cti: CtiService;
const clients: SipWsClient[] = [];
const offers: CallOffer[] = [];

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 1 } });
  const started = await startAcd(logger);
  acd = started.acd;
  bank = new UaBank({ wsUrl: started.wsUrl, domain: DOMAIN, secret: SECRET, size: 1, logger });
  const notifier: CtiNotifier = {
    agentChanged: (_v: AgentView) => undefined,
    callOffered: (_op: string, o: CallOffer) => void offers.push(o),
    callChanged: (_v: CallView) => undefined,
  };
  cti = new CtiService({
    bank,
    store: new PrismaCtiStore(db.prisma),
    notifier,
    logger,
    secret: SECRET,
    sipDomain: DOMAIN,
    deviceWsUrl: started.wsUrl,
    deviceCredTtlSec: 600,
  });
  cti.start();
  await bank.start(5000);
}, 30_000);

afterAll(async () => {
  await cti.stop();
  await bank.stop();
  for (const c of clients) await c.close();
  await acd.stop();
  await db.close();
}, 15_000);

describe('CTI + bank + ACD', () => {
  it('connects a caller to the ready operator and releases the device when the caller hangs up', async () => {
    cti.operatorConnected(OP1);
    const grant = cti.chooseDevice(OP1.id, 'browser');
    const device = await SipWsClient.connect(grant.wsUrl, grant.sipUser);
    clients.push(device);
    expect((await device.register(grant.sipUser, DOMAIN, grant.sipUser, grant.sipPassword)).status).toBe(200);
    cti.setReady(OP1.id);

    const caller = await placeCall(grant.wsUrl);
    clients.push(caller.client);
    const inv = await device.request('INVITE', undefined, 8000);
    expect(inv.uri).toContain(grant.sipUser);
    device.respond(inv, 180);
    const dd = device.answer(inv, 200, { body: inv.body });
    await until(() => cti.getAgent(OP1.id)?.state === 'talking', 5000, 'talking');
    const callId = offers[0]!.callId;
    expect(cti.getCall(callId)?.status).toBe('connected');

    expect((await caller.hangUp()).status).toBe(200);
    const bye = await device.request('BYE', (r) => r.headers.get('Call-ID') === dd.callId, 5000);
    device.respond(bye, 200);
    expect(cti.getCall(callId)).toMatchObject({ status: 'ended', endedBy: 'caller' });
    expect(cti.getAgent(OP1.id)?.state).toBe('wrap_up');
    await until(() => cti.getAgent(OP1.id)?.state === 'ready', 4000, 'ready after wrap-up');
    await until(() => acd.legs().length === 0, 5000, 'ACD holds no legs');

    await cti.flush();
    const events = await db.prisma.callEvent.findMany({ where: { callId }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['arrived', 'offered', 'device-ringing', 'answered', 'caller-hangup', 'device-release', 'ended']);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const row = await db.prisma.call.findUniqueOrThrow({ where: { id: callId } });
    expect(row).toMatchObject({ operatorId: OP1.id, endedBy: 'caller', outcome: 'completed', queueId: DEMO.queue.id });
  }, 30_000);
});
