import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView, CallView, ClientEvents, ServerEvents, SipPhoneGrant } from '../../server/contracts/socket-events';
import type { Response } from '../../server/contracts/result';
import type { PersonRow } from '../../server/contracts/admin/people';
import { startBaresipPhone, type BaresipPhone } from '../../server/acd/test-support/baresip-phone';
import { DEMO } from '../../server/db/seed';
import { connectPostgres, databaseUrl } from '../../server/test-support/postgres';
import { requireTool } from '../../server/test-support/system-tools';
import { until } from '../../server/test-support/until';
import { killSipps, runSipp } from '../sipp/sipp-runner';
import { listenPort, RoleProcess, within } from './role-process';

/**
 * The three parts as three processes, as a site would run them on three machines (here on
 * loopback ports): `--role acd`, `--role cti`, `--role web`, each with only its own settings, one
 * scratch PostgreSQL database between them. The operator signs in over HTTP at the web, whose
 * socket.io is passed on to the CTI; they choose a SIP phone (a real baresip registering at the
 * ACD over UDP) and go Ready; a SIPp caller at the ACD is bridged to the phone, hangs up, and the
 * CTI has the ACD release the phone. The ACD starts first on an empty database: the number it
 * serves is seeded by the web afterwards and reaches it through the change notification.
 * Finally every process exits 0 on SIGTERM.
 */
requireTool('sipp');
requireTool('baresip');
const SECRET = 'roles-as-processes-secret-'.padEnd(44, 'r');
const PASSWORD = 'roles-demo-password';
const METRICS_TOKEN = 'roles-processes-metrics-token-'.padEnd(40, 'm');
const LO = '127.0.0.1';

const dbName = `pb_roles_${randomBytes(4).toString('hex')}`;
let admin: pg.Client;
let dir: string;
let procs: Partial<Record<'acd' | 'cti' | 'web', RoleProcess>> = {};
const startMs: Record<string, { wall: number; boot: number }> = {};
let phone: BaresipPhone | null = null;
let socket: Socket<ServerEvents, ClientEvents> | null = null;
let ports: { http: number; cti: number; ws: number; udp: number; ops: number };
const t0 = Date.now();

function envOf(role: 'acd' | 'cti' | 'web'): Record<string, string> {
  const shared = { LOG_LEVEL: 'info', HOST: LO, DATABASE_URL: databaseUrl(dbName), PATCHBAY_SECRET: SECRET, METRICS_TOKEN, DATA_DIR: path.join(dir, role) };
  switch (role) {
    case 'acd':
      return { ...shared, SIP_WS_PORT: String(ports.ws), SIP_UDP_PORT: String(ports.udp), SIP_TCP_PORT: '0', SIP_TLS_PORT: '0', SIP_WSS_PORT: '0', RTP_PORT_MIN: '45100', RTP_PORT_MAX: '45199', ACD_OPS_PORT: String(ports.ops) };
    case 'cti':
      return { ...shared, CTI_PORT: String(ports.cti), ACD_SIP_WS_URL: `ws://${LO}:${ports.ws}`, ACD_PUBLIC_HOST: LO, SIP_WS_PORT: String(ports.ws), SIP_UDP_PORT: String(ports.udp), SIP_TCP_PORT: '0' };
    case 'web':
      return { ...shared, HTTP_PORT: String(ports.http), CTI_URL: `http://${LO}:${ports.cti}`, ACD_PUBLIC_HOST: LO, SIP_WS_PORT: String(ports.ws), SEED_DEMO: 'true', DEMO_PASSWORD: PASSWORD };
  }
}

async function startRole(role: 'acd' | 'cti' | 'web'): Promise<void> {
  const p = RoleProcess.spawn(role, envOf(role));
  procs[role] = p;
  const line = await p.logLine(`${role} started`, 120_000);
  startMs[role] = { wall: Date.now() - p.spawnedAt, boot: Number(line.ms) };
}

beforeAll(async () => {
  // the web serves Next.js's production build, as `npm run start:web` builds it first
  if (!existsSync('.next/BUILD_ID')) execFileSync('npx', ['next', 'build'], { stdio: 'ignore', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, timeout: 240_000 });
  dir = mkdtempSync(path.join(tmpdir(), 'pb-roles-'));
  admin = await connectPostgres();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  ports = { http: await listenPort('tcp'), cti: await listenPort('tcp'), ws: await listenPort('tcp'), udp: await listenPort('udp'), ops: await listenPort('tcp') };
  await startRole('acd');
  await startRole('web');
  await startRole('cti');
}, 300_000);

afterAll(async () => {
  socket?.close();
  await phone?.stop();
  killSipps();
  for (const p of Object.values(procs)) p?.kill();
  await admin?.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin?.end();
  if (dir) rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`roles: start ms ${JSON.stringify(startMs)}; whole file ${Date.now() - t0} ms\n`);
}, 60_000);

describe('ACD, CTI and web as separate processes', () => {
  it('the ACD (on its ops port) and the CTI (on its socket.io port) answer their own probes and /metrics', { timeout: 30_000 }, async () => {
    const acd = `http://${LO}:${ports.ops}`;
    const cti = `http://${LO}:${ports.cti}`;
    const readyOf = async (base: string) => {
      const r = await fetch(`${base}/api/health/ready`);
      return { status: r.status, body: (await r.json()) as Response<{ status: string; checks: { name: string; ok: boolean }[] }> };
    };
    const a = await readyOf(acd);
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ ok: true, data: { status: 'ok' } });
    if (a.body.ok) expect(a.body.data.checks.map((c) => c.name).sort()).toEqual(['database', 'sip_transports']);
    const c = await readyOf(cti);
    expect(c.status).toBe(200);
    if (c.body.ok) expect(c.body.data.checks.map((x) => x.name).sort()).toEqual(['cti_bank', 'database']);
    expect((await fetch(`${acd}/api/health/live`)).status).toBe(200);
    // /metrics: refused without the token, each part's own families with it
    for (const base of [acd, cti]) expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const scrape = async (base: string) => (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    const acdText = await scrape(acd);
    expect(acdText).toMatch(/^patchbay_acd_sip_requests_total\{/m);
    expect(acdText).not.toMatch(/^# TYPE patchbay_operators /m);
    const ctiText = await scrape(cti);
    expect(ctiText).toMatch(/^# TYPE patchbay_operators gauge$/m);
    expect(ctiText).toMatch(/^patchbay_recovered_calls_total\{kind="parked"\} 0$/m);
    expect(ctiText).not.toMatch(/^# TYPE patchbay_acd_/m);
    // anything else is not there; the web's API is not served by the parts
    expect((await fetch(`${acd}/api/me`)).status).toBe(404);
    expect((await fetch(`${cti}/nothing`)).status).toBe(404);
  });

  it('an operator signed in at the web, connected to the CTI through it, is bridged to a SIPp caller on a SIP phone and released when the caller hangs up', { timeout: 120_000 }, async () => {
    const web = `http://${LO}:${ports.http}`;
    const login = await fetch(`${web}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: DEMO.users[1].email, password: PASSWORD }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;

    const states: AgentView[] = [];
    const calls: CallView[] = [];
    // polling first, then the WebSocket upgrade: both pass through the web to the CTI
    socket = io(web, { extraHeaders: { cookie }, reconnection: false });
    socket.on('agent:state', (v) => void states.push(v));
    socket.on('call:update', (v) => void calls.push(v));
    await new Promise<void>((resolve, reject) => {
      socket!.once('connect', resolve);
      socket!.once('connect_error', reject);
    });
    await until(() => socket!.io.engine.transport.name === 'websocket', 10_000, 'socket.io upgraded to a WebSocket through the web');

    const ask = <T>(event: 'agent:device' | 'agent:ready', payload: object) =>
      new Promise<Response<T>>((resolve) => (socket!.emit as (e: string, p: object, cb: (r: Response<T>) => void) => void)(event, payload, resolve));
    const grant = await ask<SipPhoneGrant>('agent:device', { kind: 'sip_phone' });
    if (!grant.ok) throw new Error(`device refused: ${JSON.stringify(grant)}`);
    const g = grant.data;
    expect(g).toMatchObject({ kind: 'sip_phone', server: LO, port: ports.udp, transports: ['UDP'] });

    phone = await startBaresipPhone({
      dir,
      sipPort: await listenPort('udp'),
      rtpPorts: '45300-45399',
      account: `<sip:${g.sipUser}@${g.domain}>;auth_user=${g.sipUser};auth_pass=${g.sipPassword};outbound="sip:${g.server}:${g.port};transport=udp";regint=600;answermode=auto;audio_codecs=PCMU,PCMA`,
      toneHz: 600,
      readyWhen: /200 OK/,
      lifetimeSec: 120,
    });
    const ready = await ask<AgentView>('agent:ready', {});
    expect(ready).toMatchObject({ ok: true, data: { state: 'ready', device: 'sip_phone' } });

    // the caller waits for the ACD's "bridged", talks 2 s and hangs up
    const caller = runSipp('caller-hold-uac.xml', ['-t', 'u1', '-s', DEMO.number, '-i', LO, '-p', String(await listenPort('udp')), '-d', '2000', `${LO}:${ports.udp}`], 60);
    await until(() => states.some((s) => s.state === 'talking'), 40_000, `bridged to the phone:\n${phone.output()}`);
    const talkingFrom = phone.output().length;
    const { code, errors } = await caller.done;
    expect(errors).toBe('');
    expect(code).toBe(0);

    await until(() => calls.some((c) => c.status === 'ended'), 20_000, 'the call ended');
    const ended = calls.find((c) => c.status === 'ended')!;
    expect(ended).toMatchObject({ endedBy: 'caller', operatorId: DEMO.users[1].id });
    // the CTI had the ACD hang the phone up: baresip saw its call closed
    await until(() => /terminated \(duration/.test(phone!.output().slice(talkingFrom)), 20_000, `the phone was released:\n${phone.output()}`);

    const db = new pg.Client({ connectionString: databaseUrl(dbName) });
    await db.connect();
    try {
      const read = async () => (await db.query<{ type: string }>('SELECT type FROM call_events WHERE call_id = $1 ORDER BY seq', [ended.callId])).rows.map((r) => r.type);
      let types: string[] = [];
      for (let i = 0; i < 50 && !types.includes('ended'); i++) {
        types = await read();
        if (!types.includes('ended')) await new Promise((r) => setTimeout(r, 200));
      }
      expect(types).toEqual(['arrived', 'offered', 'device-ringing', 'answered', 'caller-hangup', 'device-release', 'ended']);
    } finally {
      await db.end();
    }
  });

  it('the portal’s writes at the web reach the CTI (LISTEN/NOTIFY): a deactivated operator is signed out of the CTI at once', { timeout: 60_000 }, async () => {
    const web = `http://${LO}:${ports.http}`;
    const login = await fetch(`${web}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: DEMO.users[0].email, password: PASSWORD }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    // the switch's live trunk state is in the ACD's memory, another process: the page says so
    const status = (await (await fetch(`${web}/api/admin/trunk-status`, { headers: { cookie } })).json()) as Response<{ elsewhere: boolean }>;
    expect(status).toMatchObject({ ok: true, data: { elsewhere: true, trunks: [] } });

    const op = DEMO.users[1].id;
    const person = (await (await fetch(`${web}/api/admin/people/${op}`, { headers: { cookie } })).json()) as Response<PersonRow>;
    if (!person.ok) throw new Error(JSON.stringify(person));
    const { name, email, role, mustChangePassword, skills, version } = person.data;
    const memberships = person.data.memberships.map(({ queueName: _shown, ...m }) => m);
    expect(socket?.connected).toBe(true);
    const gone = new Promise<number>((resolve) => socket!.once('disconnect', () => resolve(Date.now())));
    const t = Date.now();
    const patch = await fetch(`${web}/api/admin/people/${op}`, {
      method: 'PATCH',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ name, email, role, active: false, mustChangePassword, skills, memberships, version }),
    });
    expect(patch.status).toBe(200);
    // LISTEN delivers in milliseconds; the CTI's 10 s poll of the version row is the fallback.
    // The figure is printed, not asserted (a loaded machine): what must hold is that it arrives.
    const ms = (await within(gone, 30_000, () => 'the CTI never heard the deactivation')) - t;
    process.stdout.write(`roles: deactivation at the web → operator's socket closed by the CTI in ${ms} ms\n`);
  });

  it('each process exits 0 on SIGTERM', { timeout: 60_000 }, async () => {
    socket?.close();
    socket = null;
    const exits: Record<string, { code: number | null; ms: number }> = {};
    for (const role of ['web', 'cti', 'acd'] as const) {
      const r = await procs[role]!.terminate(20_000);
      exits[role] = { code: r.code, ms: r.ms };
    }
    process.stdout.write(`roles: SIGTERM exits ${JSON.stringify(exits)}\n`);
    expect(exits).toEqual({ web: { code: 0, ms: expect.any(Number) }, cti: { code: 0, ms: expect.any(Number) }, acd: { code: 0, ms: expect.any(Number) } });
  });
});

describe('a part run alone without the shared settings it needs', () => {
  it('refuses to start, naming each missing setting and why', { timeout: 60_000 }, async () => {
    // three boots at once: each refusal comes before any database or port is touched
    const cti = RoleProcess.spawn('cti', { DATA_DIR: path.join(tmpdir(), 'pb-roles-unused') });
    const web = RoleProcess.spawn('web', { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x', PATCHBAY_SECRET: SECRET });
    const bad = RoleProcess.spawn('media', {});
    const [ctiExit, webExit, badExit] = await Promise.all([cti.exit(), web.exit(), bad.exit()]);
    expect(ctiExit).toEqual({ code: 2, signal: null });
    expect(cti.output()).toMatch(/invalid configuration for --role cti/);
    for (const name of ['DATABASE_URL', 'PATCHBAY_SECRET', 'ACD_SIP_WS_URL']) expect(cti.output()).toContain(`${name}: required`);
    expect(webExit).toEqual({ code: 2, signal: null });
    expect(web.output()).toMatch(/CTI_URL: required/);
    expect(web.output()).not.toContain(SECRET);
    expect(badExit).toEqual({ code: 2, signal: null });
    expect(bad.output()).toMatch(/--role must be one of all, acd, cti, web/);
  });
});
