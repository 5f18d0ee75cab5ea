import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../db/seed';
import { CSV_COLUMNS } from '../admin/call-history-csv';
import { PERSONA_USER, startApiFixture, type ApiFixture } from './test-support/api-fixture';

/**
 * The call history API on a real PGlite with migration 0013: paging with a total, the three
 * sorts both ways, every filter alone and together, bad queries answered with field errors,
 * the CSV export parsed back (commas, quotes and line breaks in notes; times with their offset
 * in the asked zone), and operators refused.
 */
const T0 = Date.parse('2026-11-30T08:00:00Z');
const OP1 = DEMO.users[1];
const OP2 = DEMO.users[2];
const NOTE = 'Said "call me back", then: refund, invoice 12,\nsecond line';

interface Seed {
  id: string;
  min: number; // arrival, minutes after T0
  queue?: string;
  op?: string;
  waitS?: number;
  talkS?: number | null;
  outcome?: string;
  caller?: string | null;
  disposition?: string;
  direction?: string;
  notes?: string;
}
const CALLS: Seed[] = [
  { id: 'h-01', min: 0, op: OP1.id, waitS: 5, talkS: 60, outcome: 'completed', caller: '+441632960001', disposition: 'resolved', notes: NOTE },
  { id: 'h-02', min: 10, op: OP2.id, waitS: 12, talkS: 300, outcome: 'completed', caller: '+441632960002', disposition: 'callback' },
  { id: 'h-03', min: 20, waitS: 40, talkS: null, outcome: 'abandoned', caller: '+33612345678' },
  { id: 'h-04', min: 30, queue: 'q-sales', op: OP1.id, waitS: 2, talkS: 30, outcome: 'completed', caller: '+441632960001' },
  { id: 'h-05', min: 24 * 60, op: OP1.id, waitS: 8, talkS: 120, outcome: 'completed', caller: null },
  { id: 'h-06', min: 24 * 60 + 5, queue: 'q-sales', waitS: 90, talkS: null, outcome: 'timeout', caller: '+15550123' },
  { id: 'h-07', min: 24 * 60 + 9, op: OP2.id, waitS: 0, talkS: 45, outcome: 'completed', caller: '+441632960099', direction: 'outbound' },
];

let fx: ApiFixture;
let sup: string;

beforeAll(async () => {
  fx = await startApiFixture();
  sup = await fx.cookieFor(PERSONA_USER.supervisor);
  const p = fx.db.prisma;
  await p.queue.create({ data: { id: 'q-sales', name: 'Sales', ringTimeoutSec: 20, wrapUpSec: 5 } });
  await p.call.createMany({
    data: CALLS.map((c) => {
      const arrived = T0 + c.min * 60_000;
      const waitEnd = arrived + (c.waitS ?? 0) * 1000;
      const answered = c.talkS === null || c.talkS === undefined ? null : waitEnd;
      return {
        id: c.id,
        acdLegId: `leg-${c.id}`,
        dialed: DEMO.number,
        callerId: c.caller ? `sip:${c.caller}@trunk` : 'sip:web-1@patchbay.local',
        callerNumber: c.caller ?? null,
        queueId: c.queue ?? DEMO.queue.id,
        operatorId: c.op ?? null,
        arrivedAt: new Date(arrived),
        answeredAt: answered ? new Date(answered) : null,
        endedAt: new Date(answered ? answered + (c.talkS ?? 0) * 1000 : waitEnd),
        endedBy: 'caller',
        outcome: c.outcome ?? null,
        dispositionCode: c.disposition ?? null,
        direction: c.direction ?? 'inbound',
        notes: c.notes ?? null,
      };
    }),
  });
}, 90_000);
afterAll(async () => fx.close());

async function ids(qs: string): Promise<string[]> {
  const res = await fx.send('GET', `/api/admin/calls?${qs}`, { cookie: sup });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json.data.rows.map((r: { id: string }) => r.id);
}

describe('call history API', { timeout: 30_000 }, () => {
  it('pages newest first with the total, and each row in plain facts', async () => {
    const res = await fx.send('GET', '/api/admin/calls?pageSize=3', { cookie: sup });
    expect(res.json.data).toMatchObject({ total: 7, page: 1, pageSize: 3 });
    expect(res.json.data.rows.map((r: { id: string }) => r.id)).toEqual(['h-07', 'h-06', 'h-05']);
    expect(await ids('pageSize=3&page=3')).toEqual(['h-01']);
    expect(await ids('pageSize=3&page=9')).toEqual([]);
    const one = (await fx.send('GET', '/api/admin/calls?pageSize=7', { cookie: sup })).json.data.rows.find((r: { id: string }) => r.id === 'h-02');
    expect(one).toEqual({
      id: 'h-02',
      arrivedAt: T0 + 10 * 60_000,
      direction: 'inbound',
      callerNumber: '+441632960002',
      callerName: null,
      dialed: DEMO.number,
      queue: DEMO.queue.name,
      operatorName: OP2.name,
      waitMs: 12_000,
      talkMs: 300_000,
      endedAt: T0 + 10 * 60_000 + 312_000,
      endedBy: 'caller',
      outcome: 'completed',
      disposition: 'Call back',
    });
  });

  it('sorts by arrival, wait and talk, both ways (no talk counts as the shortest)', async () => {
    expect(await ids('sort=arrived&dir=asc')).toEqual(['h-01', 'h-02', 'h-03', 'h-04', 'h-05', 'h-06', 'h-07']);
    expect(await ids('sort=talk&dir=desc')).toEqual(['h-02', 'h-05', 'h-01', 'h-07', 'h-04', 'h-06', 'h-03']);
    expect(await ids('sort=talk&dir=asc')).toEqual(['h-03', 'h-06', 'h-04', 'h-07', 'h-01', 'h-05', 'h-02']);
    expect(await ids('sort=wait&dir=desc')).toEqual(['h-06', 'h-03', 'h-02', 'h-05', 'h-01', 'h-04', 'h-07']);
  });

  it('filters by date range, queue, operator, outcome, caller, talk time, disposition and direction', async () => {
    const day2 = new Date(T0 + 24 * 3600_000 - 3600_000).toISOString();
    expect(await ids(`to=${encodeURIComponent(day2)}&sort=arrived&dir=asc`)).toEqual(['h-01', 'h-02', 'h-03', 'h-04']);
    // an offset other than Z: 09:05 in Paris is 08:05 UTC
    expect(await ids(`from=${encodeURIComponent('2026-11-30T09:05:00+01:00')}&to=${encodeURIComponent('2026-11-30T09:25:00+01:00')}`)).toEqual(['h-03', 'h-02']);
    expect(await ids('queue=q-sales')).toEqual(['h-06', 'h-04']);
    expect(await ids(`operator=${OP1.id}`)).toEqual(['h-05', 'h-04', 'h-01']);
    expect(await ids(`operator=${OP1.id}&outcome=completed&queue=${DEMO.queue.id}`)).toEqual(['h-05', 'h-01']);
    expect(await ids('outcome=abandoned')).toEqual(['h-03']);
    expect(await ids('caller=%2B44%201632%20960001')).toEqual(['h-04', 'h-01']);
    expect(await ids('caller=441632')).toEqual(['h-07', 'h-04', 'h-02', 'h-01']);
    expect(await ids('minTalk=45&maxTalk=120')).toEqual(['h-07', 'h-05', 'h-01']);
    expect(await ids('disposition=resolved')).toEqual(['h-01']);
    expect(await ids('direction=outbound')).toEqual(['h-07']);
    // cleared fields arrive empty and mean no filter
    expect(await ids('queue=&caller=&outcome=')).toHaveLength(7);
    const res = await fx.send('GET', '/api/admin/calls?queue=q-sales&pageSize=1', { cookie: sup });
    expect(res.json.data.total).toBe(2);
  });

  it('a bad query is refused with a message per field, never a 500', async () => {
    const res = await fx.send('GET', '/api/admin/calls?from=yesterday&outcome=happy&minTalk=-1&sort=loudness&pageSize=500&caller=abc&colour=red', { cookie: sup });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('BAD_REQUEST');
    expect(Object.keys(res.json.error.fields).sort()).toEqual(expect.arrayContaining(['caller', 'from', 'minTalk', 'outcome', 'pageSize', 'sort']));
    const range = await fx.send('GET', `/api/admin/calls?from=${encodeURIComponent('2026-12-02T00:00:00Z')}&to=${encodeURIComponent('2026-12-01T00:00:00Z')}&minTalk=60&maxTalk=10`, { cookie: sup });
    expect(range.status).toBe(400);
    expect(range.json.error.fields).toMatchObject({ to: 'the end must be after the start', maxTalk: expect.stringMatching(/shortest/) });
    expect((await fx.send('GET', '/api/admin/calls.csv?tz=Mars/Olympus', { cookie: sup })).json.error.fields).toMatchObject({ tz: expect.stringMatching(/time zone/) });
  });

  it('exports the filtered calls as CSV: every column quoted as needed, times in the asked zone with its offset', async () => {
    const res = await fetch(`${fx.base}/api/admin/calls.csv?queue=${DEMO.queue.id}&tz=Europe/Paris`, { headers: { cookie: sup } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="calls\.csv"$/);
    const text = await res.text();
    expect(text).toContain('"Said ""call me back"", then: refund, invoice 12,\nsecond line"');
    const records = parse(text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0]!)).toEqual([...CSV_COLUMNS]);
    expect(records.map((r) => r['call id'])).toEqual(['h-07', 'h-05', 'h-03', 'h-02', 'h-01']);
    const first = records.find((r) => r['call id'] === 'h-01')!;
    expect(first).toMatchObject({
      arrived: '2026-11-30T09:00:00.000+01:00',
      'time zone': 'Europe/Paris',
      'caller number': '+441632960001',
      operator: OP1.name,
      'waited (s)': '5.0',
      'talked (s)': '60.0',
      ended: '2026-11-30T09:01:05.000+01:00',
      outcome: 'completed',
      disposition: 'Resolved',
      notes: NOTE,
    });
    expect(Date.parse(first.arrived!)).toBe(T0);
    expect(records.find((r) => r['call id'] === 'h-03')).toMatchObject({ 'talked (s)': '', operator: '', outcome: 'abandoned' });
    // a range names the file, and filters the rows like the page
    const ranged = await fetch(`${fx.base}/api/admin/calls.csv?from=${encodeURIComponent('2026-11-30T00:00:00+01:00')}&to=${encodeURIComponent('2026-12-01T00:00:00+01:00')}`, { headers: { cookie: sup } });
    expect(ranged.headers.get('content-disposition')).toBe('attachment; filename="calls-from-2026-11-30-before-2026-12-01.csv"');
    expect((parse(await ranged.text(), { columns: true }) as Record<string, string>[]).map((r) => r['call id'])).toEqual(['h-04', 'h-03', 'h-02', 'h-01']);
  });

  it('exports in keyset batches across batch boundaries without losing or repeating a row', async () => {
    const { CallHistory } = await import('../admin/call-history');
    const h = new CallHistory(fx.db.prisma);
    const got: string[] = [];
    for await (const batch of h.exportBatches({}, 2)) {
      expect(batch.length).toBeLessThanOrEqual(2);
      got.push(...batch.map((r) => r.id));
    }
    expect(got).toEqual(['h-07', 'h-06', 'h-05', 'h-04', 'h-03', 'h-02', 'h-01']);
  });

  it('a call in plain words: its facts and its timeline with names, no ids', async () => {
    const p = fx.db.prisma;
    await p.callEvent.createMany({
      data: [
        { callId: 'h-02', seq: 1, type: 'arrived', at: new Date(T0 + 600_000), data: { callerName: 'Carla Caller', callerUri: 'sip:+441632960002@trunk' } },
        { callId: 'h-02', seq: 2, type: 'offered', at: new Date(T0 + 601_000), data: { operatorId: OP2.id, ringTimeoutSec: 20 } },
        { callId: 'h-02', seq: 3, type: 'answered', at: new Date(T0 + 612_000), data: { operatorId: OP2.id, deviceLegId: 'leg-9' } },
        { callId: 'h-02', seq: 4, type: 'transferred', at: new Date(T0 + 700_000), data: { toQueueId: 'q-sales' } },
        { callId: 'h-02', seq: 5, type: 'caller-hangup', at: new Date(T0 + 912_000), data: { cause: 'BYE' } },
      ],
    });
    const ev = await fx.send('GET', '/api/admin/calls/h-02/events', { cookie: sup });
    expect(ev.json.data.map((e: { words: string }) => e.words)).toEqual([
      'The call arrived from Carla Caller',
      `Offered to ${OP2.name}`,
      `${OP2.name} answered`,
      'Transferred to the queue Sales',
      'The caller hung up',
    ]);
    const row = (await fx.send('GET', '/api/admin/calls?caller=%2B441632960002', { cookie: sup })).json.data.rows[0];
    expect(row).toMatchObject({ id: 'h-02', callerName: 'Carla Caller' });
    const one = await fx.send('GET', '/api/admin/calls/h-02', { cookie: sup });
    expect(one.json.data).toMatchObject({ callerName: 'Carla Caller', waitMs: 12_000, talkMs: 300_000, direction: 'inbound', endedBy: 'caller', operatorName: OP2.name });
  });

  it('operators and anonymous callers get nothing', async () => {
    const op = await fx.cookieFor(PERSONA_USER.operator);
    for (const path of ['/api/admin/calls', '/api/admin/calls.csv', '/api/admin/calls/h-01', '/api/admin/calls/h-01/events']) {
      expect((await fx.send('GET', path, { cookie: op })).status, path).toBe(403);
      expect((await fx.send('GET', path)).status, path).toBe(401);
    }
  });
});
