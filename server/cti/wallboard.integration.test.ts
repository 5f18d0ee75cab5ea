import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Acd } from '../acd/acd';
import { SipWsClient } from '../acd/test-support/sip-ws-client';
import { DEMO } from '../db/seed';
import { createLogger } from '../log';
import type { AuthUser } from '../contracts/auth';
import type { CallOffer } from '../contracts/socket-events';
import type { QueueFiguresReport, QueueTile } from '../contracts/wallboard';
import { PERSONA_USER, startApiFixture, type ApiFixture } from '../http/test-support/api-fixture';
import { until } from '../test-support/until';
import { CtiService, type CtiNotifier } from './cti-service';
import { dayOf, dayStart } from './domain/report-day';
import { PrismaCtiStore } from './prisma-cti-store';
import { DOMAIN, SECRET, placeCall, startAcd } from './test-support/acd-harness';
import { UaBank } from './ua-bank/ua-bank';

/**
 * The wallboard and the report agree exactly: real ACD, real bank, real CTI and the real API over
 * one PGlite. Two calls of earlier today are stored before the CTI starts (the board's seed at
 * boot); then real calls: one answered and ended by the caller, one short abandon, one abandon
 * after more than 5 s. The live tile (kept from the CTI's own journal, no database reads) and
 * GET /api/admin/reports/queue-figures for today (stored rows through the same pure fold) must give
 * the same tally and ratios. Tiles reach the notifier within a second of each event.
 */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const TZ = 'UTC';

let fx: ApiFixture;
let acd: Acd;
let bank: UaBank;
let cti: CtiService;
let wsUrl: string;
const clients: SipWsClient[] = [];
const offers: CallOffer[] = [];
const published: Array<{ at: number; tile: QueueTile }> = [];

const tile = () => cti.queueTiles().find((t) => t.queueId === DEMO.queue.id)!;
const lastPublished = () => published[published.length - 1]?.tile;

beforeAll(async () => {
  fx = await startApiFixture();
  await fx.db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 1 } });
  // two calls of earlier today, as the journal stores them: answered in 4 s and talked 50 s; a 2 s abandon
  const now = Date.now();
  const sinceMidnight = now - dayStart(dayOf(now, TZ), TZ);
  const t0 = now - Math.min(3_600_000, Math.floor(sinceMidnight / 2));
  // (with the figures summary the journal stores on the row: counted queue, first answer; migration 0022)
  const base = { acdLegId: 'leg-old', dialed: DEMO.number, callerId: 'sip:old@test.invalid', queueId: DEMO.queue.id, countedQueueId: DEMO.queue.id };
  await fx.db.prisma.call.create({
    data: { ...base, id: 'call-00000000000000a1', arrivedAt: new Date(t0), offeredAt: new Date(t0 + 1000), answeredAt: new Date(t0 + 4000), firstAnsweredAt: new Date(t0 + 4000), endedAt: new Date(t0 + 54_000), outcome: 'completed', endedBy: 'caller', operatorId: OP1.id },
  });
  await fx.db.prisma.callEvent.create({ data: { callId: 'call-00000000000000a1', seq: 1, type: 'answered', at: new Date(t0 + 4000), data: { operatorId: OP1.id, queueId: DEMO.queue.id } } });
  await fx.db.prisma.call.create({ data: { ...base, id: 'call-00000000000000a2', arrivedAt: new Date(t0 + 100), endedAt: new Date(t0 + 2100), outcome: 'abandoned', endedBy: 'caller' } });

  const started = await startAcd(logger);
  acd = started.acd;
  wsUrl = started.wsUrl;
  bank = new UaBank({ wsUrl, domain: DOMAIN, secret: SECRET, size: 1, logger });
  const notifier: CtiNotifier = {
    agentChanged: () => undefined,
    callOffered: (_op, o) => void offers.push(o),
    callChanged: () => undefined,
    queuesChanged: (tiles) => {
      const t = tiles.find((x) => x.queueId === DEMO.queue.id);
      if (t) published.push({ at: Date.now(), tile: t });
    },
  };
  cti = new CtiService({ bank, store: new PrismaCtiStore(fx.db.prisma), notifier, logger, secret: SECRET, sipDomain: DOMAIN, deviceWsUrl: wsUrl, deviceCredTtlSec: 600, timeZone: TZ });
  cti.start();
  await bank.start(5000);
}, 60_000);

afterAll(async () => {
  await cti.stop();
  await bank.stop();
  for (const c of clients) await c.close();
  await acd.stop();
  await fx.close();
}, 15_000);

async function report(persona: 'supervisor' | 'operator' = 'supervisor'): Promise<{ status: number; data: QueueFiguresReport }> {
  const cookie = await fx.cookieFor(PERSONA_USER[persona]);
  const res = await fx.send('GET', '/api/admin/reports/queue-figures', { cookie });
  return { status: res.status, data: res.json?.data };
}

/** Waits for a published tile that satisfies `cond`, and says how long after `since` it came. */
async function publishedWithin(cond: (t: QueueTile) => boolean, since: number, what: string): Promise<number> {
  await until(() => published.some((p) => p.at >= since && cond(p.tile)), 3000, what);
  return published.find((p) => p.at >= since && cond(p.tile))!.at - since;
}

describe('wallboard figures = report figures', () => {
  it('seeds today from the stored rows at boot', async () => {
    await until(() => tile()?.tally.offered === 2, 5000, 'seeded from the stored calls');
    expect(tile().tally).toMatchObject({ offered: 2, answered: 1, answeredInTarget: 1, shortAbandoned: 1, handled: 1, handleMs: 50_000, answerWaitMs: 4000 });
    expect(tile()).toMatchObject({ day: dayOf(Date.now(), TZ), timeZone: TZ, waiting: 0 });
  });

  it('follows real calls live and agrees exactly with the report of today', async () => {
    cti.operatorConnected(OP1);
    const grant = cti.chooseDevice(OP1.id, 'browser');
    const device = await SipWsClient.connect(grant.wsUrl, grant.sipUser);
    clients.push(device);
    expect((await device.register(grant.sipUser, DOMAIN, grant.sipUser, grant.sipPassword)).status).toBe(200);
    cti.setReady(OP1.id);
    await until(() => tile().staffing.ready === 1, 3000, 'Ready 1');

    // 1. answered, then the caller hangs up
    const caller = await placeCall(wsUrl);
    clients.push(caller.client);
    const inv = await device.request('INVITE', undefined, 8000);
    device.respond(inv, 180);
    const answeredAt = Date.now();
    const dd = device.answer(inv, 200, { body: inv.body });
    await until(() => cti.getAgent(OP1.id)?.state === 'talking', 5000, 'talking');
    const talkingLag = await publishedWithin((t) => t.staffing.talking === 1 && t.tally.answered === 2 && t.waiting === 0, answeredAt, 'tile: talking 1, answered 2');
    expect(talkingLag).toBeLessThan(1000);
    expect(lastPublished()?.ratios.serviceLevelPct).toBe(100);
    expect((await caller.hangUp()).status).toBe(200);
    const bye = await device.request('BYE', (r) => r.headers.get('Call-ID') === dd.callId, 5000);
    device.respond(bye, 200);
    await until(() => cti.getAgent(OP1.id)?.state === 'ready', 5000, 'ready after wrap-up');
    await until(() => tile().tally.handled === 2, 3000, 'handled 2 (wrap-up ended)');

    // 2. nobody Ready: one short abandon (under 5 s), one real abandon (over 5 s)
    await cti.setNotReady(OP1.id, {});
    const short = await placeCall(wsUrl);
    clients.push(short.client);
    const queuedAt = Date.now();
    const waitLag = await publishedWithin((t) => t.waiting === 1 && t.oldestWaitingSince !== null && t.staffing.ready === 0, queuedAt - 1000, 'tile: waiting 1');
    expect(waitLag).toBeLessThan(2000);
    expect((await short.hangUp()).status).toBe(200);
    await until(() => tile().tally.shortAbandoned === 2 && tile().waiting === 0, 3000, 'short abandon counted');

    const long = await placeCall(wsUrl);
    clients.push(long.client);
    await until(() => tile().waiting === 1, 3000, 'waiting 1');
    await new Promise((r) => setTimeout(r, 5_300));
    expect((await long.hangUp()).status).toBe(200);
    await until(() => tile().tally.abandoned === 1 && tile().waiting === 0, 3000, 'abandon counted');

    await cti.flush();
    const live = tile();
    const { status, data } = await report();
    expect(status).toBe(200);
    expect(data).toMatchObject({ from: live.day, to: live.day, timeZone: TZ });
    const stored = data.queues.find((q) => q.queueId === DEMO.queue.id)!;
    // the same calls through the same fold: equal to the ms
    expect(stored.tally).toEqual(live.tally);
    expect(stored.ratios).toEqual(live.ratios);
    expect(live.tally).toMatchObject({ offered: 5, answered: 2, answeredInTarget: 2, abandoned: 1, shortAbandoned: 2, stillWaiting: 0, handled: 2 });
    // 2 within target / (2 answered + 1 abandoned); short abandons are left out
    expect(live.ratios.serviceLevelPct).toBe(66.7);
  }, 60_000);

  it('operators cannot read the report', async () => {
    expect((await report('operator')).status).toBe(403);
  });
});
