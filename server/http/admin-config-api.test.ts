import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigChange } from '../admin/change-publisher';
import { NEW_QUEUE } from '../contracts/admin/queues';
import { DEMO } from '../db/seed';
import { addLibraryClip } from '../test-support/library-clip';
import { PERSONA_USER, startApiFixture, type ApiFixture } from './test-support/api-fixture';

/** Queues, numbers, codes and the audit trail through the API. */
let fx: ApiFixture;
let admin: string;
let supervisor: string;
const changes: ConfigChange[] = [];
beforeAll(async () => {
  fx = await startApiFixture();
  admin = await fx.cookieFor(PERSONA_USER.admin);
  supervisor = await fx.cookieFor(PERSONA_USER.supervisor);
  fx.admin.publisher.subscribe((c) => changes.push(c));
  // the clips the queues and numbers below name must be in the audio library
  for (const name of ['closed', 'jazz']) await addLibraryClip(fx.db.prisma, name, 'music');
}, 90_000);
afterAll(async () => fx.close());

const queue = (over: Record<string, unknown> = {}) => ({
  ...NEW_QUEUE,
  name: 'Sales',
  strategyParams: { tierWaitSec: 20 },
  ringTimeoutSec: 15,
  wrapUpSec: 10,
  maxWaitSec: 300,
  maxWaitMessage: 'closed',
  busyAudio: 'closed',
  requiredSkills: [{ skill: 'French', minLevel: 5 }],
  ...over,
});

describe('queues', { timeout: 30_000 }, () => {
  let salesId = '';

  it('creates a queue with every setting stored, shown, audited and notified', async () => {
    const res = await fx.send('POST', '/api/admin/queues', { cookie: admin, body: queue() });
    expect(res.status).toBe(201);
    salesId = res.json.data.id;
    expect(res.json.data).toMatchObject({ ...queue(), version: 1, members: 0, numbers: [], updatedByName: DEMO.users[0].name });
    expect(changes.at(-1)).toMatchObject({ entity: 'queue', id: salesId, action: 'create' });
    expect(await fx.db.prisma.auditLog.count({ where: { entity: 'queue', entityId: salesId, action: 'queue.create' } })).toBe(1);
    const read = await fx.send('GET', `/api/admin/queues/${salesId}`, { cookie: supervisor });
    expect(read.json.data.requiredSkills).toEqual([{ skill: 'French', minLevel: 5 }]);
  });

  it('validation: ranges, overflow needs its target, a name is unique, a queue cannot overflow to itself', async () => {
    const bad = await fx.send('POST', '/api/admin/queues', { cookie: admin, body: queue({ name: 'X', ringTimeoutSec: 1, slTargetPct: 101, strategy: 'fastest', maxWaitAction: 'overflow_number', overflowNumber: null }) });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.error.fields).sort()).toEqual(['ringTimeoutSec', 'slTargetPct', 'strategy'].sort());
    const noTarget = await fx.send('POST', '/api/admin/queues', { cookie: admin, body: queue({ name: 'X', maxWaitAction: 'overflow_number' }) });
    expect(noTarget.json.error.fields).toEqual({ overflowNumber: 'enter the number callers overflow to' });
    const badNumber = await fx.send('POST', '/api/admin/queues', { cookie: admin, body: queue({ name: 'X', maxWaitAction: 'overflow_number', overflowNumber: '0800 123' }) });
    expect(badNumber.json.error.fields.overflowNumber).toMatch(/international/);
    const dup = await fx.send('POST', '/api/admin/queues', { cookie: admin, body: queue({ name: 'support' }) });
    expect(dup.status).toBe(409);
    expect(dup.json.error.fields.name).toMatch(/another queue/);
    const noBusyClip = await fx.send('POST', '/api/admin/queues', { cookie: admin, body: queue({ name: 'X', busyAudio: 'nosuchclip' }) });
    expect(noBusyClip.json.error.fields).toEqual({ busyAudio: 'there is no clip "nosuchclip" in the audio library' });
    const self = await fx.send('PATCH', `/api/admin/queues/${salesId}`, { cookie: admin, body: queue({ maxWaitAction: 'overflow_queue', overflowQueueId: salesId, version: 1 }) });
    expect(self.status).toBe(400);
    expect(self.json.error.fields.overflowQueueId).toMatch(/itself/);
    // telling the caller of a recording in a queue that never records is refused on its field
    const untrue = await fx.send('POST', '/api/admin/queues', { cookie: admin, body: queue({ name: 'X', recordingPolicy: 'never', recordingNotice: true }) });
    expect(untrue.status).toBe(400);
    expect(untrue.json.error.fields).toEqual({ recordingNotice: 'this queue never records: choose how it records first, or leave this off' });
  });

  it('two admins editing one queue: the second save is refused with who and when', async () => {
    const a = await fx.send('PATCH', `/api/admin/queues/${salesId}`, { cookie: admin, body: queue({ ringTimeoutSec: 25, maxWaitAction: 'overflow_queue', overflowQueueId: DEMO.queue.id, recordingPolicy: 'always', recordingNotice: true, version: 1 }) });
    expect(a.status).toBe(200);
    expect(a.json.data).toMatchObject({ ringTimeoutSec: 25, overflowQueueName: 'Support', recordingNotice: true, version: 2 });
    const b = await fx.send('PATCH', `/api/admin/queues/${salesId}`, { cookie: admin, body: queue({ ringTimeoutSec: 40, version: 1 }) });
    expect(b.status).toBe(409);
    expect(b.json.error.message).toMatch(/changed by Ada Admin at .* UTC/);
    expect((await fx.db.prisma.queue.findUniqueOrThrow({ where: { id: salesId } })).ringTimeoutSec).toBe(25);
    const audit = await fx.db.prisma.auditLog.findFirstOrThrow({ where: { entityId: salesId, action: 'queue.update' } });
    expect(audit.before).toMatchObject({ ringTimeoutSec: 15, recordingNotice: false });
    expect(audit.after).toMatchObject({ ringTimeoutSec: 25, recordingNotice: true });
  });

  it('a queue with callers waiting cannot be deleted, nor one that numbers route to; a stale delete is refused', async () => {
    fx.live.waiting.set(salesId, 2);
    const busy = await fx.send('DELETE', `/api/admin/queues/${salesId}?version=2`, { cookie: admin });
    expect(busy.status).toBe(409);
    expect(busy.json.error.message).toBe('2 callers are waiting in this queue; delete it when it is empty');
    fx.live.waiting.delete(salesId);
    const routed = await fx.send('DELETE', `/api/admin/queues/${DEMO.queue.id}?version=1`, { cookie: admin });
    expect(routed.status).toBe(409);
    expect(routed.json.error.message).toContain(DEMO.number);
    expect((await fx.send('DELETE', `/api/admin/queues/${salesId}?version=1`, { cookie: admin })).status).toBe(409);
    expect((await fx.send('DELETE', `/api/admin/queues/${salesId}`, { cookie: admin })).status).toBe(400);
    const gone = await fx.send('DELETE', `/api/admin/queues/${salesId}?version=2`, { cookie: admin });
    expect(gone.status).toBe(200);
    expect(await fx.db.prisma.queue.count({ where: { id: salesId } })).toBe(0);
    expect(changes.at(-1)).toMatchObject({ entity: 'queue', id: salesId, action: 'delete' });
    const audit = await fx.db.prisma.auditLog.findFirstOrThrow({ where: { entityId: salesId, action: 'queue.delete' } });
    expect(audit.before).toMatchObject({ name: 'Sales' });
    expect(audit.after).toBeNull();
  });

  it('lists with search, sort and paging; options for pickers', async () => {
    for (const name of ['Billing', 'Claims', 'Delivery']) expect((await fx.send('POST', '/api/admin/queues', { cookie: admin, body: queue({ name, requiredSkills: [] }) })).status).toBe(201);
    const page = await fx.send('GET', '/api/admin/queues?sort=name&dir=asc&pageSize=2&page=2', { cookie: supervisor });
    expect(page.json.data.rows.map((q: { name: string }) => q.name)).toEqual(['Delivery', 'Support']);
    expect(page.json.data.total).toBe(4);
    const search = await fx.send('GET', '/api/admin/queues?q=bill', { cookie: supervisor });
    expect(search.json.data.rows.map((q: { name: string }) => q.name)).toEqual(['Billing']);
    const opts = await fx.send('GET', '/api/admin/queue-options', { cookie: supervisor });
    expect(opts.json.data.map((q: { name: string }) => q.name)).toEqual(['Billing', 'Claims', 'Delivery', 'Support']);
  });
});

describe('numbers', { timeout: 30_000 }, () => {
  it('a malformed or duplicate number gets a field message; nothing half-saved', async () => {
    const before = await fx.db.prisma.number.count();
    for (const e164 of ['5550100', '+0123456789', '+1 555', 'call me', '+1234567890123456']) {
      const res = await fx.send('POST', '/api/admin/numbers', { cookie: admin, body: { e164, queueId: DEMO.queue.id, trunkId: null, holdAudio: 'default' } });
      expect(res.status, e164).toBe(400);
      expect(res.json.error.fields.e164, e164).toMatch(/international/);
    }
    const dup = await fx.send('POST', '/api/admin/numbers', { cookie: admin, body: { e164: '+1 555 0100', queueId: DEMO.queue.id, trunkId: null, holdAudio: 'default' } });
    expect(dup.status).toBe(409);
    expect(dup.json.error.fields.e164).toBe('this number is already set up');
    const noQueue = await fx.send('POST', '/api/admin/numbers', { cookie: admin, body: { e164: '+15550199', queueId: 'q-none', trunkId: null, holdAudio: 'default' } });
    expect(noQueue.json.error.fields.queueId).toMatch(/does not exist/);
    const noTrunk = await fx.send('POST', '/api/admin/numbers', { cookie: admin, body: { e164: '+15550199', queueId: DEMO.queue.id, trunkId: 'tr-none', holdAudio: 'default' } });
    expect(noTrunk.json.error.fields.trunkId).toMatch(/does not exist/);
    const badAudio = await fx.send('POST', '/api/admin/numbers', { cookie: admin, body: { e164: '+15550199', queueId: DEMO.queue.id, trunkId: null, holdAudio: '../etc/passwd' } });
    expect(badAudio.json.error.fields.holdAudio).toBeDefined();
    const noClip = await fx.send('POST', '/api/admin/numbers', { cookie: admin, body: { e164: '+15550199', queueId: DEMO.queue.id, trunkId: null, holdAudio: 'nosuchclip' } });
    expect(noClip.json.error.fields).toEqual({ holdAudio: 'there is no clip "nosuchclip" in the audio library' });
    const badPriority = await fx.send('POST', '/api/admin/numbers', { cookie: admin, body: { e164: '+15550199', queueId: DEMO.queue.id, trunkId: null, holdAudio: 'default', priority: 12 } });
    expect(badPriority.json.error.fields.priority).toBe('priority: at most 9');
    expect(await fx.db.prisma.number.count()).toBe(before);
  });

  it('adds, edits with concurrency, lists and deletes a number, each audited and notified', async () => {
    const billing = (await fx.db.prisma.queue.findUniqueOrThrow({ where: { name: 'Billing' } })).id;
    const add = await fx.send('POST', '/api/admin/numbers', { cookie: admin, body: { e164: '+44 20 7946 0000', queueId: billing, trunkId: null, holdAudio: 'default' } });
    expect(add.status).toBe(201);
    expect(add.json.data).toMatchObject({ e164: '+442079460000', queueName: 'Billing', version: 1, priority: 0 });
    expect(changes.at(-1)).toMatchObject({ entity: 'number', id: '+442079460000', action: 'create' });
    const path = `/api/admin/numbers/${encodeURIComponent('+442079460000')}`;
    expect((await fx.send('PATCH', path, { cookie: admin, body: { queueId: DEMO.queue.id, trunkId: null, holdAudio: 'jazz', priority: 4, version: 1 } })).status).toBe(200);
    expect((await fx.db.prisma.number.findUniqueOrThrow({ where: { e164: '+442079460000' } })).priority).toBe(4);
    const stale = await fx.send('PATCH', path, { cookie: admin, body: { queueId: billing, trunkId: null, holdAudio: 'default', version: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.json.error.message).toMatch(/changed by Ada Admin/);
    const list = await fx.send('GET', '/api/admin/numbers?sort=queue&dir=desc', { cookie: supervisor });
    expect(list.json.data.rows.map((n: { e164: string }) => n.e164)).toEqual(['+15550100', '+442079460000']);
    const search = await fx.send('GET', '/api/admin/numbers?q=7946', { cookie: supervisor });
    expect(search.json.data.total).toBe(1);
    expect((await fx.send('DELETE', `${path}?version=2`, { cookie: admin })).status).toBe(200);
    const actions = (await fx.db.prisma.auditLog.findMany({ where: { entity: 'number', entityId: '+442079460000' }, orderBy: { id: 'asc' } })).map((a) => a.action);
    expect(actions).toEqual(['number.create', 'number.update', 'number.delete']);
  });
});

describe('codes', { timeout: 30_000 }, () => {
  it('lists the seeded lists, adds, refuses duplicates and stale saves', async () => {
    const list = await fx.send('GET', '/api/admin/codes/not_ready', { cookie: supervisor });
    expect(list.json.data.map((c: { code: string }) => c.code)).toEqual(['break', 'lunch', 'training']);
    expect((await fx.send('GET', '/api/admin/codes/nonsense', { cookie: supervisor })).status).toBe(400);
    const add = await fx.send('POST', '/api/admin/codes/disposition', { cookie: admin, body: { code: 'sale', label: 'Sale made', active: true, position: 4 } });
    expect(add.status).toBe(201);
    expect(add.json.data.map((c: { code: string }) => c.code)).toEqual(['resolved', 'callback', 'escalated', 'sale']);
    const dup = await fx.send('POST', '/api/admin/codes/disposition', { cookie: admin, body: { code: 'sale', label: 'Again', active: true, position: 5 } });
    expect(dup.status).toBe(409);
    expect(dup.json.error.fields.code).toMatch(/already/);
    const bad = await fx.send('POST', '/api/admin/codes/disposition', { cookie: admin, body: { code: 'Has Space', label: '', active: true, position: -1 } });
    expect(Object.keys(bad.json.error.fields).sort()).toEqual(['code', 'label', 'position']);
    expect((await fx.send('PATCH', '/api/admin/codes/not_ready/nr-lunch', { cookie: admin, body: { code: 'lunch', label: 'Lunch break', active: false, position: 2, version: 1 } })).status).toBe(200);
    const stale = await fx.send('PATCH', '/api/admin/codes/not_ready/nr-lunch', { cookie: admin, body: { code: 'lunch', label: 'Lunch', active: true, position: 2, version: 1 } });
    expect(stale.status).toBe(409);
    // a code of one list is not reachable through the other's path
    expect((await fx.send('PATCH', '/api/admin/codes/disposition/nr-lunch', { cookie: admin, body: { code: 'lunch', label: 'L', active: true, position: 2, version: 2 } })).status).toBe(404);
  });
});

describe('audit', { timeout: 30_000 }, () => {
  it('filters by entity, actor, action and day; newest first; paged', async () => {
    const all = await fx.send('GET', '/api/admin/audit?pageSize=5', { cookie: supervisor });
    expect(all.status).toBe(200);
    expect(all.json.data.rows).toHaveLength(5);
    const ats = all.json.data.rows.map((r: { at: number }) => r.at);
    expect([...ats].sort((a, b) => b - a)).toEqual(ats);
    const numbers = await fx.send('GET', '/api/admin/audit?entity=number', { cookie: supervisor });
    expect(new Set(numbers.json.data.rows.map((r: { entity: string }) => r.entity))).toEqual(new Set(['number']));
    const byActor = await fx.send('GET', '/api/admin/audit?actor=ada', { cookie: supervisor });
    expect(byActor.json.data.total).toBeGreaterThan(5);
    expect(new Set(byActor.json.data.rows.map((r: { actorName: string }) => r.actorName))).toEqual(new Set(['Ada Admin']));
    const byAction = await fx.send('GET', '/api/admin/audit?action=queue.delete', { cookie: supervisor });
    expect(byAction.json.data.total).toBe(1);
    const today = new Date().toISOString().slice(0, 10);
    expect((await fx.send('GET', `/api/admin/audit?from=${today}&to=${today}`, { cookie: supervisor })).json.data.total).toBe(all.json.data.total);
    expect((await fx.send('GET', '/api/admin/audit?from=2001-01-01&to=2001-01-02', { cookie: supervisor })).json.data.total).toBe(0);
    expect((await fx.send('GET', '/api/admin/audit?from=yesterday', { cookie: supervisor })).status).toBe(400);
  });
});
