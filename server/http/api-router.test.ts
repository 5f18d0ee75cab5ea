import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createApiHandler } from './api-router';
import { createPageGate } from './page-gate';
import { LoginRateLimiter } from './login-rate-limiter';
import { SessionService } from './session-service';

/**
 * The API and the page gate over a real http.Server on an ephemeral port, with the real
 * session service on an in-memory PGlite database seeded with the demo data.
 */
const PASSWORD = 'correct horse battery';
const [ADMIN, OP1] = [DEMO.users[0], DEMO.users[1]];

let db: Database;
let server: Server;
let base: string;
let host: string;

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: PASSWORD });
  await db.prisma.call.create({
    data: {
      id: 'call-1',
      acdLegId: 'leg-00112233445566778899',
      dialed: DEMO.number,
      callerId: '"Carla" <sip:caller-ab@patchbay.local>',
      queueId: DEMO.queue.id,
      arrivedAt: new Date(1_700_000_000_000),
      notes: 'Wants the invoice again',
      dispositionCode: 'resolved',
      wrapUpExtended: true,
    },
  });
  await db.prisma.callEvent.createMany({
    data: [
      { callId: 'call-1', seq: 2, type: 'offered', data: { operatorId: 'u-op1' } },
      { callId: 'call-1', seq: 1, type: 'arrived' },
    ],
  });
  const sessions = new SessionService({ prisma: db.prisma, ttlSec: 3600, secureCookie: false });
  const logger = pino({ level: 'silent' });
  const api = createApiHandler({
    prisma: db.prisma,
    sessions,
    logger,
    config: { publicHost: '127.0.0.1', sipWsPort: 5062, sipDomain: 'patchbay.local' },
    loginLimiter: new LoginRateLimiter({ ip: { max: 50, windowMs: 60_000 }, email: { max: 3, windowMs: 60_000 } }),
    bodyLimit: 1024,
  });
  const gate = createPageGate({ sessions });
  server = createServer((req, res) => {
    void (async () => {
      if (await api(req, res)) return;
      if (await gate(req, res)) return;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('page');
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = `http://${host}`;
}, 30_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await db.close();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    redirect: 'manual',
  });
}
const get = (path: string, cookie?: string) => fetch(base + path, { headers: cookie ? { cookie } : {}, redirect: 'manual' });

async function login(email: string): Promise<string> {
  const res = await post('/api/auth/login', { email, password: PASSWORD });
  expect(res.status).toBe(200);
  const set = res.headers.get('set-cookie') ?? '';
  return set.split(';')[0] ?? '';
}

describe('auth', { timeout: 20_000 }, () => {
  it('signs in, sets a safe session cookie, and stores only the token hash', async () => {
    const res = await post('/api/auth/login', { email: `  ${OP1.email.toUpperCase()} `, password: PASSWORD });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: true; data: { user: { id: string; role: string }; home: string } };
    expect(body.data.user).toMatchObject({ id: OP1.id, role: 'OPERATOR' });
    expect(body.data.home).toBe('/console');
    const set = res.headers.get('set-cookie') ?? '';
    expect(set).toMatch(/^pb_session=[A-Za-z0-9_-]{43}; /);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Lax');
    expect(set).toContain('Path=/');
    expect(set).not.toContain('Secure');
    const token = set.split(';')[0]!.split('=')[1]!;
    expect(await db.prisma.session.count({ where: { id: token } })).toBe(0);
    expect(await db.prisma.session.count({ where: { userId: OP1.id } })).toBeGreaterThan(0);
  });

  it('refuses a wrong password and an unknown user with the same generic 401', async () => {
    const a = await post('/api/auth/login', { email: ADMIN.email, password: 'wrong password' });
    const b = await post('/api/auth/login', { email: 'nobody@patchbay.local', password: 'wrong password' });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    const [ja, jb] = [await a.json(), await b.json()];
    expect(ja).toEqual(jb);
    expect(ja).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(a.headers.get('set-cookie')).toBeNull();
  });

  it('answers 400 with field messages for malformed input', async () => {
    const bad = await post('/api/auth/login', { email: 'not-an-email', password: '' });
    expect(bad.status).toBe(400);
    const j = (await bad.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(j.error.code).toBe('BAD_REQUEST');
    expect(j.error.fields.email).toMatch(/e-mail/);
    expect(j.error.fields.password).toMatch(/password/);

    const notJson = await post('/api/auth/login', '{"email":');
    expect(notJson.status).toBe(400);
    const extra = await post('/api/auth/login', { email: ADMIN.email, password: 'x', admin: true });
    expect(extra.status).toBe(400);
    const wrongType = await fetch(base + '/api/auth/login', { method: 'POST', headers: { 'content-type': 'text/plain', origin: base }, body: 'hi' });
    expect(wrongType.status).toBe(400);
  });

  it('caps the body size with 413', async () => {
    const res = await post('/api/auth/login', { email: ADMIN.email, password: 'x'.repeat(2000) });
    expect(res.status).toBe(413);
  });

  it('refuses cross-origin state changes (CSRF)', async () => {
    const res = await post('/api/auth/login', { email: ADMIN.email, password: PASSWORD }, { origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
    const nul = await post('/api/auth/logout', {}, { origin: 'null' });
    expect(nul.status).toBe(403);
  });

  it('rate-limits repeated failures per e-mail with 429 and Retry-After, even for the right password', async () => {
    const email = DEMO.users[2].email;
    for (let i = 0; i < 3; i++) expect((await post('/api/auth/login', { email, password: `guess-${i}` })).status).toBe(401);
    const limited = await post('/api/auth/login', { email, password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    // another account from the same address is not affected
    expect((await post('/api/auth/login', { email: ADMIN.email, password: PASSWORD })).status).toBe(200);
  });

  it('GET /api/me answers the user, and 401 without a session', async () => {
    const cookie = await login(ADMIN.email);
    const me = await get('/api/me', cookie);
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ ok: true, data: { id: ADMIN.id, email: ADMIN.email, name: ADMIN.name, role: 'ADMIN' } });
    expect((await get('/api/me')).status).toBe(401);
    expect((await get('/api/me', 'pb_session=forged')).status).toBe(401);
    expect((await get('/api/me', `pb_session=${'A'.repeat(43)}`)).status).toBe(401);
  });

  it('logout deletes the session and clears the cookie', async () => {
    const cookie = await login(OP1.email);
    const out = await post('/api/auth/logout', {}, { cookie });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^pb_session=; .*Max-Age=0/);
    expect((await get('/api/me', cookie)).status).toBe(401);
  });

  it('an expired session no longer resolves', async () => {
    const cookie = await login(OP1.email);
    await db.prisma.session.updateMany({ where: { userId: OP1.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await get('/api/me', cookie)).status).toBe(401);
  });
});

describe('routes and roles', { timeout: 20_000 }, () => {
  it('admin reads calls and a timeline ordered by seq', async () => {
    const cookie = await login(ADMIN.email);
    const calls = await get('/api/admin/calls?pageSize=10', cookie);
    expect(calls.status).toBe(200);
    const cj = (await calls.json()) as { data: { rows: { id: string; queue: string; arrivedAt: number }[]; total: number } };
    expect(cj.data.rows).toHaveLength(1);
    expect(cj.data.total).toBe(1);
    expect(cj.data.rows[0]).toMatchObject({ id: 'call-1', queue: DEMO.queue.name, arrivedAt: 1_700_000_000_000 });
    const ev = await get('/api/admin/calls/call-1/events', cookie);
    const ej = (await ev.json()) as { data: { seq: number; type: string }[] };
    expect(ej.data.map((e) => [e.seq, e.type])).toEqual([
      [1, 'arrived'],
      [2, 'offered'],
    ]);
    expect((await get('/api/admin/calls/nope/events', cookie)).status).toBe(404);
    // one call with its after-call work; the disposition's label comes from the admin's list
    const one = (await (await get('/api/admin/calls/call-1', cookie)).json()) as { data: unknown };
    expect(one.data).toMatchObject({ id: 'call-1', notes: 'Wants the invoice again', disposition: { code: 'resolved', label: 'Resolved' }, wrapUpExtended: true, wrapUpEndedAt: null, callerNumber: null });
    expect((await get('/api/admin/calls/nope', cookie)).status).toBe(404);
    expect((await get('/api/admin/calls/%20', cookie)).status).toBe(400);
    expect((await get('/api/admin/calls?pageSize=0', cookie)).status).toBe(400);
  });

  it('an operator gets 403 on admin routes; anonymous gets 401', async () => {
    const cookie = await login(OP1.email);
    expect((await get('/api/admin/calls', cookie)).status).toBe(403);
    expect((await get('/api/admin/calls/call-1/events', cookie)).status).toBe(403);
    expect((await get('/api/admin/calls')).status).toBe(401);
  });

  it('public call config names the ACD WebSocket, the domain and the numbers', async () => {
    const res = await get('/api/public/call-config');
    expect(await res.json()).toEqual({
      ok: true,
      data: { wsUrl: 'ws://127.0.0.1:5062', domain: 'patchbay.local', numbers: [{ e164: DEMO.number, queue: DEMO.queue.name }] },
    });
  });

  it('health, unknown routes and wrong methods', async () => {
    // with no ACD or bank wired, readiness is the database's round trip alone
    expect(await (await get('/api/health')).json()).toEqual({ ok: true, data: { status: 'ok', db: 'ok', checks: [{ name: 'database', ok: true }] } });
    const nf = await get('/api/nothing');
    expect(nf.status).toBe(404);
    expect(nf.headers.get('content-type')).toMatch(/application\/json/);
    const wm = await get('/api/auth/login');
    expect(wm.status).toBe(405);
    expect(wm.headers.get('allow')).toBe('POST');
    // not an API path: left to the next handler
    expect(await (await get('/apix')).text()).toBe('page');
  });
});

describe('page gate', { timeout: 20_000 }, () => {
  it('redirects anonymous visitors to /login with next', async () => {
    const res = await get('/console?x=1');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fconsole%3Fx%3D1');
    expect((await get('/admin/calls/call-1')).headers.get('location')).toBe('/login?next=%2Fadmin%2Fcalls%2Fcall-1');
  });

  it('lets the right role through and answers 403 to the wrong one', async () => {
    const op = await login(OP1.email);
    const admin = await login(ADMIN.email);
    expect(await (await get('/console', op)).text()).toBe('page');
    expect(await (await get('/admin', admin)).text()).toBe('page');
    const forbidden = await get('/admin', op);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).toContain('href="/console"');
    expect((await get('/console', admin)).status).toBe(403);
  });

  it('leaves public pages alone', async () => {
    for (const p of ['/', '/login', '/call', '/consoles', '/administrator']) expect((await get(p)).status).toBe(200);
  });
});

describe('session hygiene', { timeout: 20_000 }, () => {
  it('a new sign-in from the same browser replaces its old session', async () => {
    const first = await login(ADMIN.email);
    const res = await post('/api/auth/login', { email: ADMIN.email, password: PASSWORD }, { cookie: first });
    expect(res.status).toBe(200);
    expect((await get('/api/me', first)).status).toBe(401);
    const second = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect((await get('/api/me', second)).status).toBe(200);
  });
});
