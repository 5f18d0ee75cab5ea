import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigChange } from '../admin/change-publisher';
import { DEMO } from '../db/seed';
import { PERSONA_USER, startApiFixture, type ApiFixture } from './test-support/api-fixture';

/** The allowed dialling prefixes (operators' outbound calls) through the API: admin writes, audited and notified; supervisors read. */
let fx: ApiFixture;
let admin: string;
let supervisor: string;
const changes: ConfigChange[] = [];
beforeAll(async () => {
  fx = await startApiFixture();
  admin = await fx.cookieFor(PERSONA_USER.admin);
  supervisor = await fx.cookieFor(PERSONA_USER.supervisor);
  fx.admin.publisher.subscribe((c) => changes.push(c));
}, 90_000);
afterAll(async () => fx.close());

describe('dial prefixes', { timeout: 30_000 }, () => {
  it('adds a prefix (spaces dropped), refuses a bad or duplicate one with a field message, removes it; each write audited and announced', async () => {
    expect((await fx.send('GET', '/api/admin/dial-prefixes', { cookie: supervisor })).json.data).toEqual([]);
    const res = await fx.send('POST', '/api/admin/dial-prefixes', { cookie: admin, body: { prefix: '+44 7', label: 'UK mobiles' } });
    expect(res.status).toBe(201);
    expect(res.json.data).toEqual([expect.objectContaining({ prefix: '+447', label: 'UK mobiles', updatedByName: DEMO.users[0].name })]);
    const id = res.json.data[0].id as string;
    expect(changes.at(-1)).toMatchObject({ entity: 'dial_prefix', id, action: 'create' });
    expect(await fx.db.prisma.auditLog.count({ where: { entity: 'dial_prefix', entityId: id, action: 'dial_prefix.create' } })).toBe(1);

    const bad = await fx.send('POST', '/api/admin/dial-prefixes', { cookie: admin, body: { prefix: '0044', label: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields.prefix).toMatch(/international form/);
    const dup = await fx.send('POST', '/api/admin/dial-prefixes', { cookie: admin, body: { prefix: '+447', label: 'again' } });
    expect(dup.status).toBe(409);
    expect(dup.json.error.fields.prefix).toBe('this prefix is already in the list');
    expect((await fx.send('POST', '/api/admin/dial-prefixes', { cookie: supervisor, body: { prefix: '+1', label: 'US' } })).status).toBe(403);

    const del = await fx.send('DELETE', `/api/admin/dial-prefixes/${id}`, { cookie: admin });
    expect(del.status).toBe(200);
    expect(del.json.data).toEqual([]);
    expect(changes.at(-1)).toMatchObject({ entity: 'dial_prefix', id, action: 'delete' });
    expect((await fx.send('DELETE', `/api/admin/dial-prefixes/${id}`, { cookie: admin })).status).toBe(404);
  });
});
