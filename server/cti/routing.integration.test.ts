import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Acd } from '../acd/acd';
import type { SipRequest } from '../acd/sip/message';
import { SipWsClient } from '../acd/test-support/sip-ws-client';
import type { AuthUser } from '../contracts/auth';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import { until } from '../test-support/until';
import { CtiService, type CtiNotifier } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { DOMAIN, SECRET, placeCall, startAcd } from './test-support/acd-harness';
import { UaBank } from './ua-bank/ua-bank';

/**
 * Strategies against the real ACD and bank: three operators with registered test devices, the
 * queue's strategy changed between calls (each arrival reads its queue), and which device the
 * ACD rings is what is asserted. Ring-all: every device rings, one answers, the ACD sends CANCEL
 * to the others, which answer 487.
 */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const OPS: AuthUser[] = [
  { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' },
  { id: 'u-op2', email: 'oscar@patchbay.local', name: 'Oscar Operator', role: 'OPERATOR' },
  { id: 'u-op3', email: 'ophelia@patchbay.local', name: 'Ophelia Operator', role: 'OPERATOR' },
];

let db: Database;
let acd: Acd;
let bank: UaBank;
let cti: CtiService;
let wsUrl: string;
const clients: SipWsClient[] = [];
const devices = new Map<string, SipWsClient>();

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.user.create({ data: { id: 'u-op3', email: OPS[2]!.email, name: OPS[2]!.name, role: 'OPERATOR', passwordHash: 'not-used' } });
  await db.prisma.queueMember.create({ data: { queueId: DEMO.queue.id, userId: 'u-op3', level: 1 } });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 0 } });
  const started = await startAcd(logger);
  acd = started.acd;
  wsUrl = started.wsUrl;
  bank = new UaBank({ wsUrl, domain: DOMAIN, secret: SECRET, size: 1, logger });
  const notifier: CtiNotifier = { agentChanged: () => undefined, callOffered: () => undefined, callChanged: () => undefined };
  cti = new CtiService({ bank, store: new PrismaCtiStore(db.prisma), notifier, logger, secret: SECRET, sipDomain: DOMAIN, deviceWsUrl: wsUrl, deviceCredTtlSec: 600 });
  cti.start();
  await bank.start(5000);
  for (const op of OPS) {
    cti.operatorConnected(op);
    const grant = cti.chooseDevice(op.id, 'browser');
    const device = await SipWsClient.connect(grant.wsUrl, grant.sipUser);
    clients.push(device);
    const reg = await device.register(grant.sipUser, DOMAIN, grant.sipUser, grant.sipPassword);
    if (reg.status !== 200) throw new Error(`REGISTER ${reg.status}`);
    devices.set(op.id, device);
  }
}, 60_000);

afterAll(async () => {
  await cti.stop();
  await bank.stop();
  for (const c of clients) await c.close();
  await acd.stop();
  await db.close();
}, 15_000);

const state = (id: string) => cti.getAgent(id)?.state;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Makes these operators Ready in this order (a few ms apart: longest idle is the first). */
async function readyInOrder(ids: string[]): Promise<void> {
  for (const id of ids) {
    if (state(id) !== 'ready') cti.setReady(id);
    await sleep(15);
  }
}

const invites = (d: SipWsClient) => d.received.filter((m) => m.kind === 'request' && m.method === 'INVITE').length;

/** Places a call and returns which operator's device the ACD rang (and that it was the only one). */
async function whoRings(): Promise<{ opId: string; inv: SipRequest; hangUp: () => Promise<unknown> }> {
  const before = new Map([...devices].map(([id, d]) => [id, invites(d)]));
  const caller = await placeCall(wsUrl);
  clients.push(caller.client);
  const rung = () => [...devices].filter(([id, d]) => invites(d) > before.get(id)!).map(([id]) => id);
  await until(() => rung().length > 0, 8000, 'a device rings');
  const opId = rung()[0]!;
  const inv = await devices.get(opId)!.request('INVITE', undefined, 1000);
  expect(rung()).toEqual([opId]);
  return { opId, inv, hangUp: caller.hangUp };
}

/** The rung device answers, the caller hangs up, the device gets its BYE; the operator is Ready again (wrap-up 0). */
async function complete(r: { opId: string; inv: SipRequest; hangUp: () => Promise<unknown> }): Promise<void> {
  const device = devices.get(r.opId)!;
  device.respond(r.inv, 180);
  const dd = device.answer(r.inv, 200, { body: r.inv.body });
  await until(() => state(r.opId) === 'talking', 5000, 'talking');
  await r.hangUp();
  const bye = await device.request('BYE', (m) => m.headers.get('Call-ID') === dd.callId, 5000);
  device.respond(bye, 200);
  await until(() => state(r.opId) === 'ready', 5000, 'ready again');
  await until(() => acd.legs().length === 0, 5000, 'ACD holds no legs');
}

async function strategy(name: string, extra: { requiredSkills?: object[] } = {}): Promise<void> {
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { strategy: name, ...extra } });
  await cti.configChanged({ entity: '*', id: null }); // the row edit above, as the portal's change notification would tell it
}

describe('routing strategies with the real ACD', () => {
  it('longest idle rings the operator Ready the longest', async () => {
    await strategy('longest-idle');
    await readyInOrder(['u-op3', 'u-op1', 'u-op2']);
    const r = await whoRings();
    expect(r.opId).toBe('u-op3');
    await complete(r);
    // op3 just ended a call: now op1 is idle the longest.
    const next = await whoRings();
    expect(next.opId).toBe('u-op1');
    await complete(next);
  }, 60_000);

  it('round robin goes around the members by id, whoever is idle the longest', async () => {
    await strategy('round-robin');
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      // Ready in the reverse of the round-robin order, so longest idle would choose differently.
      await readyInOrder(['u-op3', 'u-op2', 'u-op1']);
      const r = await whoRings();
      seen.push(r.opId);
      await complete(r);
    }
    // The last offered before was op1 (longest idle above): round robin continues with op2.
    expect(seen).toEqual(['u-op2', 'u-op3', 'u-op1', 'u-op2']);
  }, 90_000);

  it('skills based rings only operators with the skill, the higher level first', async () => {
    await db.prisma.userSkill.createMany({ data: [{ userId: 'u-op2', skill: 'fr', level: 6 }, { userId: 'u-op3', skill: 'fr', level: 9 }, { userId: 'u-op1', skill: 'fr', level: 2 }] });
    await cti.configChanged({ entity: '*', id: null }); // the row edit above, as the portal's change notification would tell it
    await strategy('skills-based', { requiredSkills: [{ skill: 'fr', minLevel: 5 }] });
    await readyInOrder(['u-op1', 'u-op2', 'u-op3']);
    const r = await whoRings();
    expect(r.opId).toBe('u-op3');
    await complete(r);
    cti.setNotReady('u-op3');
    const next = await whoRings();
    expect(next.opId).toBe('u-op2'); // op1 is idle longer but below fr 5
    await complete(next);
    await readyInOrder(['u-op3']);
  }, 60_000);

  it('ring-all rings every ready device; the first to answer wins and the ACD cancels the others (CANCEL, 487)', async () => {
    await strategy('ring-all', { requiredSkills: [] });
    await readyInOrder(['u-op1', 'u-op2', 'u-op3']);
    const caller = await placeCall(wsUrl);
    clients.push(caller.client);
    const invs = new Map<string, SipRequest>();
    await Promise.all([...devices].map(async ([id, d]) => invs.set(id, await d.request('INVITE', undefined, 8000))));
    for (const [id, inv] of invs) devices.get(id)!.respond(inv, 180);
    const winner = devices.get('u-op2')!;
    const dd = winner.answer(invs.get('u-op2')!, 200, { body: invs.get('u-op2')!.body });
    const cancels = await Promise.all(
      ['u-op1', 'u-op3'].map(async (id) => {
        const d = devices.get(id)!;
        const inv = invs.get(id)!;
        const cancel = await d.request('CANCEL', (m) => m.headers.get('Call-ID') === inv.headers.get('Call-ID'), 5000);
        d.respond(cancel, 200);
        d.respond(inv, 487);
        return cancel.method;
      }),
    );
    expect(cancels).toEqual(['CANCEL', 'CANCEL']);
    await until(() => state('u-op2') === 'talking', 5000, 'winner talking');
    await until(() => state('u-op1') === 'ready' && state('u-op3') === 'ready', 5000, 'losers Ready again');
    expect(winner.never((m) => 'method' in m && m.method === 'CANCEL')).toBe(true);
    await caller.hangUp();
    const bye = await winner.request('BYE', (m) => m.headers.get('Call-ID') === dd.callId, 5000);
    winner.respond(bye, 200);
    await until(() => acd.legs().length === 0, 5000, 'ACD holds no legs');
    await cti.flush();
    const call = await db.prisma.call.findFirstOrThrow({ orderBy: { arrivedAt: 'desc' } });
    expect(call.operatorId).toBe('u-op2');
    const events = await db.prisma.callEvent.findMany({ where: { callId: call.id }, orderBy: { seq: 'asc' } });
    expect(events.filter((e) => e.type === 'offer-cancelled').map((e) => (e.data as { operatorId: string }).operatorId).sort()).toEqual(['u-op1', 'u-op3']);
  }, 60_000);

  it('ring-all: a device that answers just after the winner is released by the ACD (ACK, BYE) and its operator is Ready again', async () => {
    await strategy('ring-all', { requiredSkills: [] });
    await readyInOrder(['u-op1', 'u-op2', 'u-op3']);
    const caller = await placeCall(wsUrl);
    clients.push(caller.client);
    const invs = new Map<string, SipRequest>();
    await Promise.all([...devices].map(async ([id, d]) => invs.set(id, await d.request('INVITE', undefined, 8000))));
    for (const [id, inv] of invs) devices.get(id)!.respond(inv, 180); // (a CANCEL waits for a provisional, RFC 3261 9.1)
    // op1 and op3 answer in the same moment; the ACD bridges the first answer it handles.
    const d1 = devices.get('u-op1')!.answer(invs.get('u-op1')!, 200, { body: invs.get('u-op1')!.body });
    const d3 = devices.get('u-op3')!.answer(invs.get('u-op3')!, 200, { body: invs.get('u-op3')!.body });
    const op2 = devices.get('u-op2')!;
    const cancel = await op2.request('CANCEL', (m) => m.headers.get('Call-ID') === invs.get('u-op2')!.headers.get('Call-ID'), 5000).catch((e: Error) => Promise.reject(new Error(`op2 CANCEL: ${e.message}`)));
    op2.respond(cancel, 200);
    op2.respond(invs.get('u-op2')!, 487);
    await until(() => state('u-op1') === 'talking' || state('u-op3') === 'talking', 5000, 'one winner');
    const [loserId, loserDialog] = state('u-op1') === 'talking' ? (['u-op3', d3] as const) : (['u-op1', d1] as const);
    const loser = devices.get(loserId)!;
    const bye = await loser.request('BYE', (m) => m.headers.get('Call-ID') === loserDialog.callId, 5000).catch((e: Error) => Promise.reject(new Error(`loser BYE: ${e.message}; loser got ${loser.received.map((m) => ('method' in m ? m.method : `${m.status}`)).join(',')}`)));
    loser.respond(bye, 200);
    await until(() => state(loserId) === 'ready' && state('u-op2') === 'ready', 5000, 'the others Ready again');
    const talking = OPS.map((o) => o.id).filter((id) => state(id) === 'talking');
    expect(talking).toHaveLength(1);
    const winner = devices.get(talking[0]!)!;
    const winnerDialog = talking[0] === 'u-op1' ? d1 : d3;
    await caller.hangUp();
    const wbye = await winner.request('BYE', (m) => m.headers.get('Call-ID') === winnerDialog.callId, 5000);
    winner.respond(wbye, 200);
    await until(() => acd.legs().length === 0, 5000, 'ACD holds no legs');
  }, 60_000);
});
