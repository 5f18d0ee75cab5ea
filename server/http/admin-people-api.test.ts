import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../db/seed';
import { PASSWORD, PERSONA_USER, startApiFixture, type ApiFixture } from './test-support/api-fixture';

/** People and passwords through the API: validation, conflicts, stale saves, audit rows, the last-admin rule, links. */
let fx: ApiFixture;
let admin: string;
let supervisor: string;
beforeAll(async () => {
  fx = await startApiFixture();
  admin = await fx.cookieFor(PERSONA_USER.admin);
  supervisor = await fx.cookieFor(PERSONA_USER.supervisor);
}, 90_000);
afterAll(async () => fx.close());

const person = (over: Record<string, unknown> = {}) => ({
  name: 'Nina New',
  email: 'nina@patchbay.local',
  role: 'OPERATOR',
  active: true,
  mustChangePassword: false,
  skills: [{ skill: 'French', level: 7 }],
  memberships: [{ queueId: DEMO.queue.id, level: 3 }],
  ...over,
});

async function login(email: string, password: string) {
  const res = await fetch(`${fx.base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: fx.base }, body: JSON.stringify({ email, password }) });
  return { status: res.status, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '' };
}

describe('people', { timeout: 30_000 }, () => {
  let ninaId = '';

  it('creates a person without a password and answers a one-time link, with an audit row', async () => {
    const res = await fx.send('POST', '/api/admin/people', { cookie: admin, body: person() });
    expect(res.status).toBe(201);
    const { person: p, link } = res.json.data;
    ninaId = p.id;
    expect(p).toMatchObject({ name: 'Nina New', role: 'OPERATOR', version: 1, updatedByName: DEMO.users[0].name, skills: [{ skill: 'French', level: 7 }], memberships: [{ queueId: DEMO.queue.id, level: 3, queueName: 'Support' }] });
    expect(link.path).toMatch(/^\/set-password#token=[A-Za-z0-9_-]{43}$/);
    expect(link.expiresAt).toBeGreaterThan(Date.now() + 3600_000);
    const audit = await fx.db.prisma.auditLog.findMany({ where: { entityId: ninaId }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['person.create']);
    expect(audit[0]).toMatchObject({ actorId: DEMO.users[0].id, entity: 'person', before: null });
    expect(JSON.stringify(audit[0]!.after)).not.toMatch(/argon2|passwordHash/);
    // the token itself is stored only as its hash
    const token = link.path.split('token=')[1];
    expect(await fx.db.prisma.passwordToken.count({ where: { id: token } })).toBe(0);
  });

  it('answers field messages for bad input and nothing is written', async () => {
    const before = await fx.db.prisma.user.count();
    const res = await fx.send('POST', '/api/admin/people', {
      cookie: admin,
      body: person({ email: 'not-mail', name: '', role: 'KING', skills: [{ skill: 'x', level: 11 }, { skill: 'X', level: 2 }], password: 'short' }),
    });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json.error.fields).sort()).toEqual(['email', 'name', 'password', 'role', 'skills.0.level', 'skills.1.skill'].sort());
    const unknownQueue = await fx.send('POST', '/api/admin/people', { cookie: admin, body: person({ email: 'q@patchbay.local', memberships: [{ queueId: 'q-nope', level: 1 }] }) });
    expect(unknownQueue.status).toBe(400);
    expect(unknownQueue.json.error.fields).toEqual({ 'memberships.0.queueId': expect.stringContaining('does not exist') });
    expect(await fx.db.prisma.user.count()).toBe(before);
  });

  it('refuses a taken e-mail with a field message', async () => {
    const res = await fx.send('POST', '/api/admin/people', { cookie: admin, body: person({ email: DEMO.users[1].email.toUpperCase() }) });
    expect(res.status).toBe(409);
    expect(res.json.error.fields.email).toMatch(/already/);
  });

  it('refuses a stale save with "changed by X at T", and keeps the first save', async () => {
    const first = await fx.send('PATCH', `/api/admin/people/${ninaId}`, { cookie: admin, body: person({ name: 'Nina First', version: 1 }) });
    expect(first.status).toBe(200);
    expect(first.json.data.version).toBe(2);
    const stale = await fx.send('PATCH', `/api/admin/people/${ninaId}`, { cookie: admin, body: person({ name: 'Nina Second', version: 1 }) });
    expect(stale.status).toBe(409);
    expect(stale.json.error.message).toMatch(new RegExp(`changed by ${DEMO.users[0].name} at \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC`));
    expect(stale.json.error.fields.version).toMatch(/^changed by /);
    expect((await fx.db.prisma.user.findUniqueOrThrow({ where: { id: ninaId } })).name).toBe('Nina First');
    const audit = await fx.db.prisma.auditLog.findFirstOrThrow({ where: { entityId: ninaId, action: 'person.update' } });
    expect(audit.before).toMatchObject({ name: 'Nina New' });
    expect(audit.after).toMatchObject({ name: 'Nina First', skills: ['French:7'], memberships: ['Support:3'] });
  });

  it('lists with search, filter, sort and server-side paging', async () => {
    const all = await fx.send('GET', '/api/admin/people?sort=name&dir=desc&pageSize=2', { cookie: supervisor });
    expect(all.status).toBe(200);
    expect(all.json.data).toMatchObject({ total: 5, page: 1, pageSize: 2 });
    expect(all.json.data.rows.map((r: { name: string }) => r.name)).toEqual(['Sam Supervisor', 'Oscar Operator']);
    const p3 = await fx.send('GET', '/api/admin/people?sort=name&dir=desc&pageSize=2&page=3', { cookie: supervisor });
    expect(p3.json.data.rows.map((r: { name: string }) => r.name)).toEqual(['Ada Admin']);
    const search = await fx.send('GET', '/api/admin/people?q=OLIVIA', { cookie: supervisor });
    expect(search.json.data.rows.map((r: { id: string }) => r.id)).toEqual([DEMO.users[1].id]);
    const ops = await fx.send('GET', '/api/admin/people?role=OPERATOR', { cookie: supervisor });
    expect(ops.json.data.total).toBe(3);
    expect((await fx.send('GET', '/api/admin/people?sort=passwordHash', { cookie: admin })).status).toBe(400);
    expect((await fx.send('GET', '/api/admin/people?pageSize=1000', { cookie: admin })).status).toBe(400);
  });

  it('the one-time link sets the password once; then the person signs in', async () => {
    const link = await fx.send('POST', `/api/admin/people/${ninaId}/password-link`, { cookie: admin, body: {} });
    expect(link.status).toBe(201);
    const token = link.json.data.path.split('token=')[1];
    const weak = await fx.send('POST', '/api/auth/set-password', { body: { token, password: 'short' } });
    expect(weak.status).toBe(400);
    expect(weak.json.error.fields.password).toMatch(/10/);
    const used = await fx.send('POST', '/api/auth/set-password', { body: { token, password: 'nina-secret-1234' } });
    expect(used.status).toBe(200);
    expect(used.json.data.email).toBe('nina@patchbay.local');
    const again = await fx.send('POST', '/api/auth/set-password', { body: { token, password: 'nina-secret-5678' } });
    expect(again.status).toBe(400);
    expect(again.json.error.fields.token).toMatch(/expired or was already used/);
    expect((await login('nina@patchbay.local', 'nina-secret-1234')).status).toBe(200);
    const audit = await fx.db.prisma.auditLog.findMany({ where: { entityId: ninaId, action: { startsWith: 'person.password' } } });
    expect(audit.map((a) => a.action).sort()).toEqual(['person.password-link', 'person.password-link-used']);
    expect(JSON.stringify(audit.map((a) => [a.before, a.after, a.data]))).not.toContain(token);
  });

  it('an expired link is refused', async () => {
    const link = await fx.send('POST', `/api/admin/people/${ninaId}/password-link`, { cookie: admin, body: {} });
    const token = link.json.data.path.split('token=')[1];
    await fx.db.prisma.passwordToken.updateMany({ where: { userId: ninaId, usedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await fx.send('POST', '/api/auth/set-password', { body: { token, password: 'nina-secret-9999' } })).status).toBe(400);
  });

  it('an admin-set password with a forced change: pages send the person to /set-password until they change it', async () => {
    const { version } = await fx.db.prisma.user.findUniqueOrThrow({ where: { id: ninaId } });
    const set = await fx.send('POST', `/api/admin/people/${ninaId}/password`, { cookie: admin, body: { password: 'temporary-pass-1', mustChangePassword: true, version } });
    expect(set.status).toBe(200);
    const audit = await fx.db.prisma.auditLog.findFirstOrThrow({ where: { entityId: ninaId, action: 'person.password-set' } });
    expect(audit.after).toEqual({ password: '••••••', mustChangePassword: true });
    const { cookie } = await login('nina@patchbay.local', 'temporary-pass-1');
    const page = await fetch(`${fx.base}/console`, { headers: { cookie }, redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/set-password?next=%2Fconsole');
    const wrong = await fx.send('POST', '/api/account/password', { cookie, body: { currentPassword: 'nope', password: 'my-own-pass-123' } });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.fields.currentPassword).toBeDefined();
    const change = await fx.send('POST', '/api/account/password', { cookie, body: { currentPassword: 'temporary-pass-1', password: 'my-own-pass-123' } });
    expect(change.status).toBe(200);
    expect((await fetch(`${fx.base}/console`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);
  });

  it('deactivating signs the person out at once and refuses their sign-in', async () => {
    const { cookie } = await login('nina@patchbay.local', 'my-own-pass-123');
    expect((await fx.send('GET', '/api/me', { cookie })).status).toBe(200);
    const current = await fx.send('GET', `/api/admin/people/${ninaId}`, { cookie: admin });
    const res = await fx.send('PATCH', `/api/admin/people/${ninaId}`, { cookie: admin, body: person({ name: 'Nina First', active: false, version: current.json.data.version }) });
    expect(res.status).toBe(200);
    expect((await fx.send('GET', '/api/me', { cookie })).status).toBe(401);
    expect((await login('nina@patchbay.local', 'my-own-pass-123')).status).toBe(401);
    expect(await fx.db.prisma.auditLog.count({ where: { entityId: ninaId, action: 'person.deactivate' } })).toBe(1);
  });

  it('the last admin can be neither demoted nor deactivated', async () => {
    const me = (await fx.send('GET', `/api/admin/people/${DEMO.users[0].id}`, { cookie: admin })).json.data;
    const body = { name: me.name, email: me.email, role: 'SUPERVISOR', active: true, mustChangePassword: false, skills: [], memberships: [], version: me.version };
    const demote = await fx.send('PATCH', `/api/admin/people/${me.id}`, { cookie: admin, body });
    expect(demote.status).toBe(409);
    expect(demote.json.error.fields.role).toMatch(/last admin/);
    const off = await fx.send('PATCH', `/api/admin/people/${me.id}`, { cookie: admin, body: { ...body, role: 'ADMIN', active: false } });
    expect(off.status).toBe(409);
    expect(off.json.error.fields.active).toMatch(/last admin/);
    // with a second admin, the first may step down
    const other = await fx.send('POST', '/api/admin/people', { cookie: admin, body: person({ email: 'second@patchbay.local', role: 'ADMIN', memberships: [], skills: [], password: 'second-admin-pass' }) });
    expect(other.status).toBe(201);
    expect(other.json.data.link).toBeNull();
    const ok = await fx.send('PATCH', `/api/admin/people/${me.id}`, { cookie: admin, body });
    expect(ok.status).toBe(200);
    expect(ok.json.data.role).toBe('SUPERVISOR');
    // (the demoted admin's session now has the supervisor role: writes are refused)
    expect((await fx.send('POST', '/api/admin/people', { cookie: admin, body: person() })).status).toBe(403);
    expect((await login('second@patchbay.local', 'second-admin-pass')).status).toBe(200);
    void PASSWORD;
  });
});
