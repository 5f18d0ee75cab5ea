import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLibraryClip } from '../test-support/library-clip';
import type { ConfigChange } from '../admin/change-publisher';
import { NEW_QUEUE } from '../contracts/admin/queues';
import { DEMO } from '../db/seed';
import { PERSONA_USER, startApiFixture, type ApiFixture } from './test-support/api-fixture';

/** Business-hours schedules through the API, and the schedule pickers of queues and numbers. */
let fx: ApiFixture;
let admin: string;
let supervisor: string;
const changes: ConfigChange[] = [];
beforeAll(async () => {
  fx = await startApiFixture();
  await addLibraryClip(fx.db.prisma, 'closed');
  admin = await fx.cookieFor(PERSONA_USER.admin);
  supervisor = await fx.cookieFor(PERSONA_USER.supervisor);
  fx.admin.publisher.subscribe((c) => changes.push(c));
}, 90_000);
afterAll(async () => fx.close());

const office = (over: Record<string, unknown> = {}) => ({
  name: 'London office',
  timeZone: 'Europe/London',
  weekly: [
    { day: 0, start: '09:00', end: '12:30' },
    { day: 0, start: '13:30', end: '17:00' },
    { day: 5, start: '10:00', end: '14:00' },
  ],
  holidays: [{ name: 'Christmas', from: '2026-12-24', to: '2026-12-26', hours: [] }],
  ...over,
});

describe('schedules', { timeout: 30_000 }, () => {
  let id = '';

  it('creates a schedule, stored in order, audited, notified, readable by a supervisor', async () => {
    const res = await fx.send('POST', '/api/admin/schedules', { cookie: admin, body: office({ weekly: [...office().weekly].reverse() }) });
    expect(res.status).toBe(201);
    id = res.json.data.id;
    expect(res.json.data).toMatchObject({ ...office(), version: 1, usedBy: { queues: [], numbers: [] }, updatedByName: DEMO.users[0].name });
    expect(typeof res.json.data.openNow).toBe('boolean');
    expect(changes.at(-1)).toMatchObject({ entity: 'schedule', id, action: 'create' });
    const audit = await fx.db.prisma.auditLog.findFirstOrThrow({ where: { entity: 'schedule', entityId: id, action: 'schedule.create' } });
    expect(audit.after).toMatchObject({ timeZone: 'Europe/London' });
    const read = await fx.send('GET', `/api/admin/schedules/${id}`, { cookie: supervisor });
    expect(read.status).toBe(200);
    const list = await fx.send('GET', '/api/admin/schedules?q=london', { cookie: supervisor });
    expect(list.json.data).toMatchObject({ total: 1, rows: [{ id }] });
    const refused = await fx.send('POST', '/api/admin/schedules', { cookie: supervisor, body: office({ name: 'Other' }) });
    expect(refused.status).toBe(403);
  });

  it('field messages: overlap, end before start, unknown zone, duplicate name', async () => {
    const bad = await fx.send('POST', '/api/admin/schedules', {
      cookie: admin,
      body: office({ name: 'X', timeZone: 'Europe/Atlantis', weekly: [{ day: 1, start: '09:00', end: '12:00' }, { day: 1, start: '11:00', end: '10:00' }] }),
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toEqual({
      timeZone: expect.stringMatching(/unknown time zone/),
      'weekly.1.end': expect.stringMatching(/ends before it starts/),
    });
    const overlap = await fx.send('POST', '/api/admin/schedules', { cookie: admin, body: office({ name: 'X', weekly: [{ day: 1, start: '09:00', end: '12:00' }, { day: 1, start: '11:00', end: '13:00' }] }) });
    expect(overlap.json.error.fields).toEqual({ 'weekly.1.start': 'overlaps 09:00–12:00 on Tuesday' });
    const dup = await fx.send('POST', '/api/admin/schedules', { cookie: admin, body: office({ name: 'london OFFICE' }) });
    expect(dup.status).toBe(409);
    expect(dup.json.error.fields).toEqual({ name: 'another schedule has this name' });
    expect(await fx.db.prisma.schedule.count()).toBe(1);
  });

  it('two admins editing one schedule: the second save is refused with who and when', async () => {
    const a = await fx.send('PATCH', `/api/admin/schedules/${id}`, { cookie: admin, body: { ...office({ timeZone: 'America/New_York' }), version: 1 } });
    expect(a.status).toBe(200);
    expect(a.json.data).toMatchObject({ timeZone: 'America/New_York', version: 2 });
    const b = await fx.send('PATCH', `/api/admin/schedules/${id}`, { cookie: admin, body: { ...office({ timeZone: 'Asia/Tokyo' }), version: 1 } });
    expect(b.status).toBe(409);
    expect(b.json.error.message).toMatch(/changed by Ada Admin at .* UTC/);
    const audit = await fx.db.prisma.auditLog.findFirstOrThrow({ where: { entityId: id, action: 'schedule.update' } });
    expect(audit.before).toMatchObject({ timeZone: 'Europe/London' });
    expect(audit.after).toMatchObject({ timeZone: 'America/New_York' });
  });

  it('queues and numbers pick a schedule with a closed action; one in use cannot be deleted', async () => {
    const q = await fx.send('POST', '/api/admin/queues', {
      cookie: admin,
      body: { ...NEW_QUEUE, name: 'After hours', scheduleId: id, closedAudio: 'closed', closedAction: 'overflow_queue', closedQueueId: DEMO.queue.id },
    });
    expect(q.status).toBe(201);
    expect(q.json.data).toMatchObject({ scheduleId: id, scheduleName: 'London office', closedAction: 'overflow_queue', closedQueueId: DEMO.queue.id });
    const needsTarget = await fx.send('POST', '/api/admin/queues', { cookie: admin, body: { ...NEW_QUEUE, name: 'Y', scheduleId: id, closedAction: 'overflow_number' } });
    expect(needsTarget.json.error.fields).toEqual({ closedNumber: 'enter the number callers are forwarded to while closed' });
    const noSuch = await fx.send('POST', '/api/admin/queues', { cookie: admin, body: { ...NEW_QUEUE, name: 'Y', scheduleId: 's-nope' } });
    expect(noSuch.json.error.fields).toEqual({ scheduleId: 'this schedule does not exist (any more)' });

    const n = await fx.send('PATCH', `/api/admin/numbers/${encodeURIComponent(DEMO.number)}`, {
      cookie: admin,
      body: { queueId: DEMO.queue.id, trunkId: null, holdAudio: 'default', scheduleId: id, closedAudio: 'closed', closedAction: 'release', closedQueueId: null, closedNumber: null, version: 1 },
    });
    expect(n.status).toBe(200);
    expect(n.json.data).toMatchObject({ scheduleId: id, scheduleName: 'London office', closedAudio: 'closed', closedAction: 'release' });

    const used = await fx.send('GET', `/api/admin/schedules/${id}`, { cookie: admin });
    expect(used.json.data.usedBy).toEqual({ queues: ['After hours'], numbers: [DEMO.number] });
    const del = await fx.send('DELETE', `/api/admin/schedules/${id}?version=2`, { cookie: admin });
    expect(del.status).toBe(409);
    expect(del.json.error.message).toBe(`this schedule is in use (queue After hours, number ${DEMO.number}); give them another schedule, or none, first`);
    expect(await fx.db.prisma.schedule.count({ where: { id } })).toBe(1);
  });

  it('a schedule nobody follows is deleted (stale version refused first), audited', async () => {
    const s = await fx.send('POST', '/api/admin/schedules', { cookie: admin, body: office({ name: 'Spare', holidays: [] }) });
    const sid = s.json.data.id;
    const stale = await fx.send('DELETE', `/api/admin/schedules/${sid}?version=7`, { cookie: admin });
    expect(stale.status).toBe(409);
    const ok = await fx.send('DELETE', `/api/admin/schedules/${sid}?version=1`, { cookie: admin });
    expect(ok.status).toBe(200);
    expect(changes.at(-1)).toMatchObject({ entity: 'schedule', id: sid, action: 'delete' });
    expect(await fx.db.prisma.auditLog.count({ where: { entityId: sid, action: 'schedule.delete' } })).toBe(1);
    const options = await fx.send('GET', '/api/admin/schedule-options', { cookie: supervisor });
    expect(options.json.data).toEqual([{ id, name: 'London office', timeZone: 'America/New_York' }]);
  });
});
