import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database';
import { seedDemo } from '../db/seed';
import { createLogger } from '../log';
import { SESSION_COOKIE, type AuthUser, type SessionResolver } from '../contracts/auth';
import type { Response } from '../contracts/result';
import { Role } from '../contracts/agent';
import { CLIENT_EVENTS, ClientEventName, type AgentView, type ClientEvents, type ServerEvents } from '../contracts/socket-events';
import { CtiService } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { attachCtiSockets, socketNotifier } from './socket-server';
import { ScriptedBank } from './test-support/scripted-bank';
import { until } from '../test-support/until';

/** Sessions by cookie token: the in-memory double of the web's SessionResolver. */
class MemorySessions implements SessionResolver {
  constructor(private readonly byToken: Record<string, AuthUser>) {}
  async resolve(cookieHeader: string | undefined): Promise<AuthUser | null> {
    const m = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(cookieHeader ?? '');
    return (m && this.byToken[m[1]!]) ?? null;
  }
}

const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const ADMIN: AuthUser = { id: 'u-admin', email: 'admin@patchbay.local', name: 'Ada Admin', role: 'ADMIN' };
const SUPERVISOR: AuthUser = { id: 'u-super', email: 'sam@patchbay.local', name: 'Sam Supervisor', role: 'SUPERVISOR' };
const TOKEN_OF: Record<Role, string> = { OPERATOR: 'tok-op1', ADMIN: 'tok-admin', SUPERVISOR: 'tok-super' };

type Client = ClientSocket<ServerEvents, ClientEvents>;

let db: Database;
let http: HttpServer;
let io: Server<ClientEvents, ServerEvents>;
let cti: CtiService;
let url: string;
const bank = new ScriptedBank();
const clients: Client[] = [];

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  http = createServer();
  io = new Server<ClientEvents, ServerEvents>(http);
  const logger = createLogger('silent');
  cti = new CtiService({
    bank,
    store: new PrismaCtiStore(db.prisma),
    notifier: socketNotifier(io),
    logger,
    secret: 'y'.repeat(32),
    sipDomain: 'patchbay.local',
    deviceWsUrl: 'ws://127.0.0.1:5062',
    deviceCredTtlSec: 3600,
    disconnectGraceMs: 50,
  });
  cti.start();
  attachCtiSockets(io, { cti, sessions: new MemorySessions({ 'tok-op1': OP1, 'tok-admin': ADMIN, 'tok-super': SUPERVISOR }), logger });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}, 30_000);

afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

afterAll(async () => {
  await new Promise<void>((r) => io.close(() => r()));
  await cti.stop();
  await db.close();
});

function client(token: string | null): Client {
  const c: Client = connect(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 3000,
    extraHeaders: token ? { cookie: `${SESSION_COOKIE}=${token}` } : {},
  });
  clients.push(c);
  return c;
}

async function connected(c: Client): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('connect_error', reject);
  });
}

function ask<E extends keyof ClientEvents>(c: Client, event: E, payload: unknown): Promise<Response<unknown>> {
  // Untyped on purpose: the tests send payloads the contract forbids.
  const loose = c as unknown as { timeout(ms: number): { emitWithAck(ev: string, p: unknown): Promise<Response<unknown>> } };
  return loose.timeout(3000).emitWithAck(event, payload);
}

describe('CTI sockets', () => {
  it('refuses a connection without a valid session', async () => {
    for (const token of [null, 'forged']) {
      const c = client(token);
      const err = await new Promise<Error>((resolve) => c.once('connect_error', resolve));
      expect(err.message).toBe('UNAUTHENTICATED');
    }
  });

  it('answers a bad payload with BAD_REQUEST and field messages', async () => {
    const c = client('tok-op1');
    await connected(c);
    expect(await ask(c, 'agent:device', { kind: 'pstn' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { kind: expect.any(String) } } });
    expect(await ask(c, 'agent:device', { kind: 'mobile', e164: '07700 900123' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { e164: expect.stringContaining('international') } } });
    expect(await ask(c, 'agent:device', { kind: 'mobile' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { e164: expect.any(String) } } });
    expect(await ask(c, 'agent:device', { kind: 'browser', e164: '+447700900123' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await ask(c, 'agent:mobile-verify', { e164: '+44 (0) 7700' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { e164: expect.any(String) } } });
    // a well-formed but never verified number is refused by the service, as a field error
    expect(await ask(c, 'agent:device', { kind: 'mobile', e164: '+44 7700 900123' })).toMatchObject({ ok: false, error: { code: 'CONFLICT', fields: { e164: expect.any(String) } } });
    expect(await ask(c, 'agent:ready', 'not an object')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await ask(c, 'agent:ready', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await ask(c, 'agent:not-ready', { reason: 'x'.repeat(65) })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { reason: expect.any(String) } } });
    expect(await ask(c, 'agent:not-ready', { code: 'Not A Code!' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { code: expect.any(String) } } });
    expect(await ask(c, 'agent:not-ready', { code: 'nap' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { code: 'not in the list' } } });
    expect(await ask(c, 'call:notes', { callId: 'call-1', notes: 'x', disposition: null })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { callId: expect.any(String) } } });
    expect(await ask(c, 'call:notes', { callId: 'call-0123456789abcdef', notes: 'x'.repeat(2001), disposition: null })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { notes: expect.any(String) } } });
    expect(await ask(c, 'call:notes', { callId: 'call-0123456789abcdef', notes: 'x' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { disposition: expect.any(String) } } });
    expect(await ask(c, 'call:notes', { callId: 'call-0123456789abcdef', notes: 'x', disposition: null })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await ask(c, 'call:history', { callId: 42 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await ask(c, 'agent:wrap-up-extend', { seconds: 60 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await ask(c, 'agent:wrap-up-extend', {})).toMatchObject({ ok: false, error: { code: 'ILLEGAL_TRANSITION' } });
    // in-call controls: a malformed call id, digits or number never reach the CTI; a missing call is NOT_FOUND
    expect(await ask(c, 'call:hold', { callId: 'call-1' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { callId: expect.any(String) } } });
    expect(await ask(c, 'call:hold', { callId: 'call-0123456789abcdef' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'There is no such call.' } });
    expect(await ask(c, 'call:dtmf', { callId: 'call-0123456789abcdef', digits: '12x' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { digits: expect.any(String) } } });
    expect(await ask(c, 'call:transfer', { callId: 'call-0123456789abcdef', to: { kind: 'number', e164: '07700 900123' } })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { 'to.e164': expect.stringContaining('international') } } });
    expect(await ask(c, 'call:transfer', { callId: 'call-0123456789abcdef', to: { kind: 'operator', operatorId: 'u-nobody' } })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await ask(c, 'call:consult', { callId: 'call-0123456789abcdef' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    // a consultation names an operator or a number, not both; a number in international form
    expect(await ask(c, 'call:consult', { callId: 'call-0123456789abcdef', operatorId: 'u-op2', number: '+447700900123' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { operatorId: 'choose an operator or a number' } } });
    expect(await ask(c, 'call:consult', { callId: 'call-0123456789abcdef', number: '07700 900123' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { number: expect.stringContaining('international') } } });
    expect(await ask(c, 'call:consult', { callId: 'call-0123456789abcdef', number: '+44 7700 900123' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await ask(c, 'agent:codes', {})).toMatchObject({ ok: true, data: { notReady: [{ code: 'break', label: 'Break' }, { code: 'lunch' }, { code: 'training' }], disposition: expect.any(Array) } });
  });

  it('survives events without an ack or with odd payloads', async () => {
    const c = client('tok-op1');
    await connected(c);
    (c as unknown as { emit(ev: string, ...a: unknown[]): void }).emit('agent:ready', { });
    (c as unknown as { emit(ev: string, ...a: unknown[]): void }).emit('agent:ready');
    (c as unknown as { emit(ev: string, ...a: unknown[]): void }).emit('agent:not-ready', null, 42);
    (c as unknown as { emit(ev: string, ...a: unknown[]): void }).emit('admin:subscribe', [1, 2]);
    // The server is still there and answering.
    expect(await ask(c, 'agent:not-ready', {})).toMatchObject({ ok: false });
    expect(c.connected).toBe(true);
  });

  it('refuses an admin event from an operator with FORBIDDEN, and operator events from an admin', async () => {
    const op = client('tok-op1');
    const admin = client('tok-admin');
    await Promise.all([connected(op), connected(admin)]);
    expect(await ask(op, 'admin:subscribe', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ask(admin, 'agent:ready', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('the wallboard: a supervisor subscribes and gets queue tiles as things change; an operator is refused and never sees them', async () => {
    const op = client('tok-op1');
    const sup = client('tok-super');
    await Promise.all([connected(op), connected(sup)]);
    const seenByOp: unknown[] = [];
    op.on('admin:queues', (t) => seenByOp.push(t));
    expect(await ask(op, 'wallboard:subscribe', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const snap = await ask(sup, 'wallboard:subscribe', {});
    expect(snap).toMatchObject({ ok: true, data: { queues: [{ queueId: 'q-support', name: expect.any(String), timeZone: 'UTC', staffing: expect.any(Object) }], agents: expect.any(Array) } });
    const tiles = new Promise<Array<{ queueId: string }>>((resolve) => sup.once('admin:queues', resolve));
    // an operator's change reaches the tiles: they choose a device
    expect(await ask(op, 'agent:device', { kind: 'browser' })).toMatchObject({ ok: true });
    expect((await tiles)[0]).toMatchObject({ queueId: 'q-support' });
    await new Promise((r) => setTimeout(r, 400));
    expect(seenByOp).toEqual([]);
  });

  it('the history: a supervisor is told once a call\'s row is stored (and it is readable then); an operator is refused and never told', async () => {
    const op = client('tok-op1');
    const sup = client('tok-super');
    await Promise.all([connected(op), connected(sup)]);
    const seenByOp: unknown[] = [];
    op.on('history:stored', (b) => seenByOp.push(b));
    expect(await ask(op, 'history:subscribe', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ask(sup, 'history:subscribe', {})).toEqual({ ok: true, data: { subscribed: true } });
    const stored: string[] = [];
    sup.on('history:stored', (b) => stored.push(...b.callIds));
    bank.offerLeg({ legId: 'leg-hist-1', callerUri: 'sip:+441632960001@patchbay.local' });
    // told of the arrival's row: it is in the database by then
    await until(() => stored.length > 0, 5000, 'told of the stored arrival');
    const row = await db.prisma.call.findUniqueOrThrow({ where: { id: stored[0]! } });
    expect(row.acdLegId).toBe('leg-hist-1');
    const told = stored.length;
    bank.endLeg('leg-hist-1');
    await until(() => stored.length > told, 5000, 'told of the stored end');
    expect(stored.at(-1)).toBe(row.id);
    expect((await db.prisma.call.findUniqueOrThrow({ where: { id: row.id } })).endedAt).not.toBeNull();
    await new Promise((r) => setTimeout(r, 300));
    expect(seenByOp).toEqual([]);
  });

  it('monitoring and supervisor actions: an operator is refused; bad input and an unknown call or operator get error acks', async () => {
    const op = client('tok-op1');
    const sup = client('tok-super');
    await Promise.all([connected(op), connected(sup)]);
    expect(await ask(op, 'monitor:start', { callId: 'call-1', mode: 'listen' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ask(op, 'supervisor:not-ready', { operatorId: OP1.id })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ask(sup, 'monitor:start', { callId: 'call-1', mode: 'shout' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { mode: expect.any(String) } } });
    expect(await ask(sup, 'monitor:mode', { callId: '', mode: 'listen' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { callId: 'choose a call' } } });
    // the page's phone first, then a call that is not live
    expect(await ask(sup, 'monitor:device', { kind: 'fax' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { kind: expect.any(String) } } });
    expect(await ask(sup, 'monitor:device', {})).toMatchObject({ ok: true, data: { kind: 'browser', sipUser: expect.any(String) } });
    // the supervisor's own mobile: only once verified; the verification call takes international numbers only
    expect(await ask(sup, 'monitor:mobile-status', {})).toMatchObject({ ok: true, data: { e164Masked: null, verified: false, call: 'idle' } });
    expect(await ask(sup, 'monitor:device', { kind: 'mobile', e164: '+447700900456' })).toMatchObject({ ok: false, error: { code: 'CONFLICT', fields: { e164: 'verify this number with a call before using it' } } });
    expect(await ask(sup, 'monitor:device', { kind: 'mobile' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { e164: expect.any(String) } } });
    expect(await ask(sup, 'monitor:mobile-verify', { e164: '07700 900456' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', fields: { e164: expect.stringContaining('international form') } } });
    expect(await ask(op, 'monitor:mobile-verify', { e164: '+447700900456' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ask(sup, 'monitor:start', { callId: 'call-0000', mode: 'listen' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await ask(sup, 'monitor:stop', { callId: 'call-0000' })).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: 'You are not on this call.' } });
    expect(await ask(sup, 'supervisor:sign-out', { operatorId: 'u-nobody' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    // the operator is signed in (their socket) and Not ready already
    expect(await ask(sup, 'supervisor:not-ready', { operatorId: OP1.id })).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('already Not ready') } });
  });

  it('checks every (event, role) pair against the role table of the contract', async () => {
    // A payload no schema accepts: an allowed role gets past the role check to BAD_REQUEST
    // (so nothing changes state), any other role stops at FORBIDDEN.
    for (const role of Role.options) {
      const c = client(TOKEN_OF[role]);
      await connected(c);
      for (const event of ClientEventName.options) {
        const allowed = CLIENT_EVENTS[event].roles.includes(role);
        expect(await ask(c, event, 'not a payload'), `${event} as ${role}`).toMatchObject({ ok: false, error: { code: allowed ? 'BAD_REQUEST' : 'FORBIDDEN' } });
      }
      c.disconnect();
    }
  });

  it('runs the device, ready and not-ready flow, with states pushed to the operator and to admins', async () => {
    // Earlier tests gave the operator a device and reconnected within the grace period, which
    // keeps it; this test starts from a signed-out operator, so it waits for the grace to end.
    await until(() => (cti.getAgent(OP1.id)?.state ?? 'offline') === 'offline', 3000, 'the operator signed out after the grace');
    const admin = client('tok-admin');
    await connected(admin);
    const snap0 = await ask(admin, 'admin:subscribe', {});
    expect(snap0.ok).toBe(true);
    const adminSeen: AgentView[] = [];
    admin.on('admin:agents', (vs) => adminSeen.push(...vs));

    const op = client('tok-op1');
    const pushed: AgentView[] = [];
    op.on('agent:state', (v) => pushed.push(v));
    await connected(op);
    await until(() => pushed.some((v) => v.state === 'not_ready'), 3000, 'not_ready pushed');

    // Ready before a device: refused by the service.
    expect(await ask(op, 'agent:ready', {})).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const grant = await ask(op, 'agent:device', { kind: 'browser' });
    expect(grant).toMatchObject({ ok: true, data: { kind: 'browser', wsUrl: 'ws://127.0.0.1:5062' } });
    if (grant.ok) {
      const g = grant.data as { sipUser: string; aor: string; sipPassword: string };
      expect(g.sipUser).toMatch(/^dev-[0-9a-f]{16}-\d{10}$/);
      expect(g.aor).toBe(`sip:${g.sipUser}@patchbay.local`);
      expect(g.sipPassword.length).toBeGreaterThan(20);
    }
    expect(await ask(op, 'agent:ready', {})).toMatchObject({ ok: true, data: { state: 'ready' } });
    expect(await ask(op, 'agent:ready', {})).toMatchObject({ ok: false, error: { code: 'ILLEGAL_TRANSITION' } });
    expect(await ask(op, 'agent:not-ready', { reason: 'lunch' })).toMatchObject({ ok: true, data: { state: 'not_ready' } });
    await until(() => pushed.at(-1)?.state === 'not_ready' && adminSeen.at(-1)?.state === 'not_ready', 3000, 'pushed states');
    expect(adminSeen.map((v) => v.state)).toEqual(expect.arrayContaining(['not_ready', 'ready']));

    const snap = await ask(admin, 'admin:subscribe', {});
    // the roster is the whole team: the signed-in operator live, the other one (never signed in) offline
    expect(snap).toMatchObject({
      ok: true,
      data: {
        agents: [
          expect.objectContaining({ operatorId: OP1.id, state: 'not_ready', device: 'browser' }),
          expect.objectContaining({ name: 'Oscar Operator', state: 'offline', since: 0, device: null, callId: null }),
        ],
      },
    });

    await cti.flush();
    const rows = await db.prisma.agentStateLog.findMany({ where: { userId: OP1.id }, orderBy: { id: 'asc' } });
    expect(rows.slice(-2).map((r) => [r.from, r.to, r.reason])).toEqual([
      ['not_ready', 'ready', 'go_ready: operator'],
      ['ready', 'not_ready', 'go_not_ready: operator: lunch'],
    ]);
  });

  it('closes the sockets of an operator deactivated in the portal (the last push says offline)', async () => {
    const op = client('tok-op1');
    const pushed: AgentView[] = [];
    op.on('agent:state', (v) => pushed.push(v));
    await connected(op);
    await until(() => pushed.length > 0, 3000, 'signed in');
    const closed = new Promise<string>((resolve) => op.once('disconnect', (reason) => resolve(reason)));
    const told: unknown[] = [];
    op.on('user:signed-out', (why) => told.push(why));
    await db.prisma.user.update({ where: { id: OP1.id }, data: { active: false } });
    try {
      await cti.configChanged({ entity: 'person', id: OP1.id });
      expect(await closed).toBe('io server disconnect');
      // the console's words come before the close: "You were signed out by an administrator"
      expect(told).toEqual([{ by: 'administrator' }]);
      expect(pushed.at(-1)).toMatchObject({ operatorId: OP1.id, state: 'offline' });
      expect(cti.getAgent(OP1.id)).toBeNull();
    } finally {
      await db.prisma.user.update({ where: { id: OP1.id }, data: { active: true } });
    }
  });

  it('closes the sockets of a deactivated admin at once (they watch live calls; they have none to finish)', async () => {
    const admin = client('tok-admin');
    await connected(admin);
    expect(await ask(admin, 'admin:subscribe', {})).toMatchObject({ ok: true });
    const closed = new Promise<string>((resolve) => admin.once('disconnect', (reason) => resolve(reason)));
    await db.prisma.user.update({ where: { id: ADMIN.id }, data: { active: false } });
    try {
      await cti.configChanged({ entity: 'person', id: ADMIN.id });
      expect(await closed).toBe('io server disconnect');
    } finally {
      await db.prisma.user.update({ where: { id: ADMIN.id }, data: { active: true } });
    }
  });
});
