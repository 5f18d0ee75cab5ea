import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptTrunkPassword } from '../acd/trunks/trunk-secret';
import type { ConfigChange } from '../admin/change-publisher';
import { MASKED } from '../contracts/admin/audit';
import { NEW_TRUNK } from '../contracts/admin/trunks';
import { DEMO } from '../db/seed';
import { FIXTURE_SECRET, PERSONA_USER, startApiFixture, type ApiFixture } from './test-support/api-fixture';

/** Trunks through the API: validation, conflicts, concurrency, audit, and the write-only password. */
let fx: ApiFixture;
let admin: string;
let supervisor: string;
const changes: ConfigChange[] = [];
/** every answer body of this file, to prove no password ever comes back */
const answers: string[] = [];
const SECRET_PASSWORD = 'Sup3r-Secret-Carrier-Pw';
const SECOND_PASSWORD = 'An0ther-Carrier-Secret';

beforeAll(async () => {
  fx = await startApiFixture();
  admin = await fx.cookieFor(PERSONA_USER.admin);
  supervisor = await fx.cookieFor(PERSONA_USER.supervisor);
  fx.admin.publisher.subscribe((c) => changes.push(c));
}, 90_000);
afterAll(async () => fx.close());

async function send(method: string, path: string, opts: { cookie?: string; body?: unknown } = {}) {
  const res = await fx.send(method, path, opts);
  answers.push(JSON.stringify(res.json));
  return res;
}

/** an audit row as text (its id is a BigInt) */
const text = (row: { id: bigint }) => JSON.stringify({ ...row, id: String(row.id) });

const trunk = (over: Record<string, unknown> = {}) => ({
  ...NEW_TRUNK,
  name: 'carrier-a',
  host: 'sip.carrier.example',
  port: 5060,
  username: 'acme',
  password: SECRET_PASSWORD,
  register: true,
  inboundSources: ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7'],
  callerIdE164: '+441632960123',
  ...over,
});

describe('trunks', { timeout: 30_000 }, () => {
  let id = '';

  it('creates a trunk: stored encrypted, answered without its password, audited masked, notified', async () => {
    const res = await send('POST', '/api/admin/trunks', { cookie: admin, body: trunk() });
    expect(res.status).toBe(201);
    id = res.json.data.id;
    const { password: _p, ...shown } = trunk();
    expect(res.json.data).toMatchObject({ ...shown, passwordSet: true, numbers: [], version: 1, updatedByName: DEMO.users[0].name });
    expect(res.json.data).not.toHaveProperty('password');
    const row = await fx.db.prisma.trunk.findUniqueOrThrow({ where: { id } });
    expect(row.password).toMatch(/^enc:v1:/);
    expect(decryptTrunkPassword(FIXTURE_SECRET, row.password!)).toBe(SECRET_PASSWORD);
    expect(changes.at(-1)).toMatchObject({ entity: 'trunk', id, action: 'create' });
    const audit = await fx.db.prisma.auditLog.findFirstOrThrow({ where: { entity: 'trunk', entityId: id, action: 'trunk.create' } });
    expect(audit.after).toMatchObject({ name: 'carrier-a', passwordSet: true });
    expect(text(audit)).not.toContain(SECRET_PASSWORD);
    expect(text(audit)).not.toContain('enc:v1');
    const read = await send('GET', `/api/admin/trunks/${id}`, { cookie: supervisor });
    expect(read.json.data).toMatchObject({ name: 'carrier-a', passwordSet: true });
  });

  it('validation: host, port, transport, CIDRs (naming the bad entry), caller-ID, credentials; nothing half-saved', async () => {
    const before = await fx.db.prisma.trunk.count();
    for (const host of ['bad host', '-carrier.example', '1.2.3.999', 'a_b.example', '']) {
      const r = await send('POST', '/api/admin/trunks', { cookie: admin, body: trunk({ name: 'x', host }) });
      expect(r.status, host).toBe(400);
      expect(r.json.error.fields.host, host).toMatch(/neither a host name nor an IP address|enter the carrier/);
    }
    for (const host of ['10.0.0.1', '2001:db8::10', 'localhost']) {
      const r = await send('POST', '/api/admin/trunks', { cookie: admin, body: trunk({ name: `ok-${host.replace(/[:.]/g, '-')}`, host }) });
      expect(r.status, host).toBe(201);
      await send('DELETE', `/api/admin/trunks/${r.json.data.id}?version=1`, { cookie: admin });
    }
    const ranges = await send('POST', '/api/admin/trunks', { cookie: admin, body: trunk({ name: 'x', port: 70000, transport: 'sctp', registerExpirySec: 10 }) });
    expect(Object.keys(ranges.json.error.fields).sort()).toEqual(['port', 'registerExpirySec', 'transport']);
    for (const bad of ['10.0.0.0/33', '10.0.0.300/8', 'carrier.example', '2001:db8::/129']) {
      const r = await send('POST', '/api/admin/trunks', { cookie: admin, body: trunk({ name: 'x', inboundSources: ['203.0.113.0/24', bad] }) });
      expect(r.status, bad).toBe(400);
      expect(r.json.error.fields.inboundSources, bad).toBe(`“${bad}” is not an IP address or CIDR block (e.g. 203.0.113.0/24)`);
    }
    const fixed = await send('POST', '/api/admin/trunks', { cookie: admin, body: trunk({ name: 'x', callerIdE164: null }) });
    expect(fixed.json.error.fields).toEqual({ callerIdE164: 'a fixed caller-ID needs the number to present' });
    const e164 = await send('POST', '/api/admin/trunks', { cookie: admin, body: trunk({ name: 'x', callerIdE164: '01632 960123' }) });
    expect(e164.json.error.fields.callerIdE164).toMatch(/international/);
    const creds = await send('POST', '/api/admin/trunks', { cookie: admin, body: trunk({ name: 'x', username: '', password: '' }) });
    expect(creds.json.error.fields).toEqual({ username: 'registration needs the user name the carrier gave you', password: 'registration needs the password the carrier gave you' });
    const dup = await send('POST', '/api/admin/trunks', { cookie: admin, body: trunk({ name: 'CARRIER-A' }) });
    expect(dup.status).toBe(409);
    expect(dup.json.error.fields.name).toBe('another trunk has this name');
    expect(await fx.db.prisma.trunk.count()).toBe(before);
  });

  it('edit: an empty password keeps the stored one, a typed one replaces it, clearPassword removes it; audit says which', async () => {
    const keep = await send('PATCH', `/api/admin/trunks/${id}`, { cookie: admin, body: trunk({ password: '', port: 5080, version: 1 }) });
    expect(keep.status).toBe(200);
    expect(keep.json.data).toMatchObject({ port: 5080, passwordSet: true, version: 2 });
    let row = await fx.db.prisma.trunk.findUniqueOrThrow({ where: { id } });
    expect(decryptTrunkPassword(FIXTURE_SECRET, row.password!)).toBe(SECRET_PASSWORD);
    const kept = await fx.db.prisma.auditLog.findFirstOrThrow({ where: { entityId: id, action: 'trunk.update' }, orderBy: { id: 'desc' } });
    expect(kept.before).toMatchObject({ port: 5060 });
    expect(kept.after).toMatchObject({ port: 5080 });
    expect(kept.after).not.toHaveProperty('credentials');

    const replace = await send('PATCH', `/api/admin/trunks/${id}`, { cookie: admin, body: trunk({ password: SECOND_PASSWORD, port: 5080, version: 2 }) });
    expect(replace.status).toBe(200);
    row = await fx.db.prisma.trunk.findUniqueOrThrow({ where: { id } });
    expect(decryptTrunkPassword(FIXTURE_SECRET, row.password!)).toBe(SECOND_PASSWORD);
    const replaced = await fx.db.prisma.auditLog.findFirstOrThrow({ where: { entityId: id, action: 'trunk.update' }, orderBy: { id: 'desc' } });
    expect(replaced.after).toMatchObject({ credentials: 'password changed', passwordSet: true });
    expect(replaced.before).not.toHaveProperty('credentials');

    // registration needs a password: removing it is refused while registration is on
    const refused = await send('PATCH', `/api/admin/trunks/${id}`, { cookie: admin, body: trunk({ password: '', clearPassword: true, version: 3 }) });
    expect(refused.status).toBe(400);
    expect(refused.json.error.fields.password).toMatch(/registration needs the password/);
    const cleared = await send('PATCH', `/api/admin/trunks/${id}`, { cookie: admin, body: trunk({ password: '', clearPassword: true, register: false, version: 3 }) });
    expect(cleared.status).toBe(200);
    expect(cleared.json.data).toMatchObject({ passwordSet: false, register: false, version: 4 });
    expect((await fx.db.prisma.trunk.findUniqueOrThrow({ where: { id } })).password).toBeNull();
    const removed = await fx.db.prisma.auditLog.findFirstOrThrow({ where: { entityId: id, action: 'trunk.update' }, orderBy: { id: 'desc' } });
    expect(removed.after).toMatchObject({ credentials: 'password removed', passwordSet: false });
    const restore = await send('PATCH', `/api/admin/trunks/${id}`, { cookie: admin, body: trunk({ password: SECRET_PASSWORD, version: 4 }) });
    expect(restore.json.data).toMatchObject({ passwordSet: true, register: true, version: 5 });
    for (const a of await fx.db.prisma.auditLog.findMany({ where: { entity: 'trunk' } })) {
      expect(text(a)).not.toContain(SECRET_PASSWORD);
      expect(text(a)).not.toContain(SECOND_PASSWORD);
      expect(text(a)).not.toContain('enc:v1');
    }
    expect(changes.filter((c) => c.entity === 'trunk' && c.id === id && c.action === 'update')).toHaveLength(4);
  });

  it('two admins editing one trunk: the second save is refused with who and when, and changes nothing', async () => {
    const a = await send('PATCH', `/api/admin/trunks/${id}`, { cookie: admin, body: trunk({ password: '', host: '198.51.100.20', version: 5 }) });
    expect(a.status).toBe(200);
    const b = await send('PATCH', `/api/admin/trunks/${id}`, { cookie: admin, body: trunk({ password: 'stale-edit-password', host: 'stale.example', version: 5 }) });
    expect(b.status).toBe(409);
    expect(b.json.error.message).toMatch(/this trunk was changed by Ada Admin at .* UTC/);
    expect(b.json.error.fields.version).toMatch(/changed by Ada Admin/);
    const row = await fx.db.prisma.trunk.findUniqueOrThrow({ where: { id } });
    expect(row.host).toBe('198.51.100.20');
    expect(decryptTrunkPassword(FIXTURE_SECRET, row.password!)).toBe(SECRET_PASSWORD);
  });

  it('a trunk numbers arrive through is not deleted (the numbers are named); a stale delete is refused', async () => {
    const link = await send('PATCH', `/api/admin/numbers/${encodeURIComponent(DEMO.number)}`, { cookie: admin, body: { queueId: DEMO.queue.id, trunkId: id, holdAudio: 'default', version: 1 } });
    expect(link.status).toBe(200);
    expect((await send('GET', `/api/admin/trunks/${id}`, { cookie: admin })).json.data.numbers).toEqual([DEMO.number]);
    const used = await send('DELETE', `/api/admin/trunks/${id}?version=6`, { cookie: admin });
    expect(used.status).toBe(409);
    expect(used.json.error.message).toBe(`calls to ${DEMO.number} arrive through this trunk; give that number another trunk (or none) first`);
    await send('PATCH', `/api/admin/numbers/${encodeURIComponent(DEMO.number)}`, { cookie: admin, body: { queueId: DEMO.queue.id, trunkId: null, holdAudio: 'default', version: 2 } });
    expect((await send('DELETE', `/api/admin/trunks/${id}?version=5`, { cookie: admin })).status).toBe(409);
    const gone = await send('DELETE', `/api/admin/trunks/${id}?version=6`, { cookie: admin });
    expect(gone.status).toBe(200);
    expect(await fx.db.prisma.trunk.count({ where: { id } })).toBe(0);
    expect(changes.at(-1)).toMatchObject({ entity: 'trunk', id, action: 'delete' });
    const audit = await fx.db.prisma.auditLog.findFirstOrThrow({ where: { entityId: id, action: 'trunk.delete' } });
    expect(audit.before).toMatchObject({ name: 'carrier-a', passwordSet: true });
  });

  it('lists with search, sort and paging; the number picker and the status route', async () => {
    for (const [name, host] of [
      ['beta', 'b.example'],
      ['alpha', 'a.example'],
      ['gamma', 'sip.gamma.example'],
    ]) {
      expect((await send('POST', '/api/admin/trunks', { cookie: admin, body: trunk({ name, host, register: false }) })).status).toBe(201);
    }
    const page = await send('GET', '/api/admin/trunks?sort=name&dir=desc&pageSize=2&page=1', { cookie: supervisor });
    expect(page.json.data.rows.map((t: { name: string }) => t.name)).toEqual(['gamma', 'beta']);
    expect(page.json.data.total).toBe(3);
    expect((await send('GET', '/api/admin/trunks?q=gamma.exa', { cookie: supervisor })).json.data.rows.map((t: { name: string }) => t.name)).toEqual(['gamma']);
    expect((await send('GET', '/api/admin/trunks?sort=password', { cookie: supervisor })).status).toBe(400);
    const opts = await send('GET', '/api/admin/trunk-options', { cookie: supervisor });
    expect(opts.json.data.map((t: { name: string }) => t.name)).toEqual(['alpha', 'beta', 'gamma']);
    const status = await send('GET', '/api/admin/trunk-status', { cookie: supervisor });
    expect(status.status).toBe(200);
    // this fixture runs no ACD: no trunk is loaded
    expect(status.json.data.trunks).toEqual([]);
    expect(typeof status.json.data.now).toBe('number');
  });

  it('supervisors read, never write', async () => {
    const r = await send('POST', '/api/admin/trunks', { cookie: supervisor, body: trunk({ name: 'sup' }) });
    expect(r.status).toBe(403);
  });

  it('no answer of this file carried a password, clear or encrypted', () => {
    expect(answers.length).toBeGreaterThan(30);
    for (const a of answers) {
      expect(a).not.toContain(SECRET_PASSWORD);
      expect(a).not.toContain(SECOND_PASSWORD);
      expect(a).not.toContain('enc:v1');
      // a refusal may name the password field; an answer's data never has one
      const parsed = JSON.parse(a) as { ok?: boolean };
      if (parsed.ok) expect(a).not.toMatch(/"password":/);
    }
  });
});
