import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Acd } from '../../server/acd/acd';
import { SipWsClient } from '../../server/acd/test-support/sip-ws-client';
import { TEST_SDP, TestMediaEngine } from '../../server/acd/test-support/test-media-engine';
import { DatabaseTrunkDirectory } from '../../server/acd/trunks/trunk-directory';
import { createAdminServices, type AdminServices } from '../../server/admin/admin-services';
import { reloadOnChange } from '../../server/admin/reload-on-change';
import { NEW_TRUNK, type TrunkCreate } from '../../server/contracts/admin/trunks';
import { openDatabase, type Database } from '../../server/db/database';
import { DEMO, seedDemo } from '../../server/db/seed';
import { bankCredentials } from '../../server/shared/credentials';
import { controlSdp, H } from '../../server/shared/sip-control';
import { requireTool } from '../../server/test-support/system-tools';
import { freePort, listening, SCENARIOS, sipp, type SippRun } from './sipp';

/**
 * A trunk saved through the admin service reaches a running ACD without a restart: the real
 * PGlite database, the admin service layer, the change notification, DatabaseTrunkDirectory
 * (whose own timer is an hour here, so only the notification can explain a reload) and the ACD's
 * trunk side. The carrier is SIPp over UDP; a call in progress is a raw SIP/TCP client.
 */
requireTool('sipp');
const SECRET = 'trunk-reload-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const ADMIN = { id: DEMO.users[0].id, name: DEMO.users[0].name };

let db: Database;
let admin: AdminServices;
let dir: DatabaseTrunkDirectory;
let acd: Acd;
let run: SippRun | null = null;
const clients: SipWsClient[] = [];
const stops: Array<() => void> = [];
const logLines: string[] = [];

// one database and one ACD for the file (each test its own trunk): opening and seeding is the slow part
beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'reload-test-password' });
  // every line at every level is kept, to show no trunk password is ever logged
  const logger = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
  dir = new DatabaseTrunkDirectory(db.prisma, SECRET, logger);
  await dir.start(3_600_000);
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, transports: { tcpPort: 0, udpPort: 0 } },
    dialPlan: { lookup: (n) => (n === DEMO.number ? { holdAudio: 'queue-music' } : null) },
    media: new TestMediaEngine(),
    logger,
    trunks: dir,
  });
  await acd.start();
  admin = createAdminServices({ prisma: db.prisma, logger, secret: SECRET, trunkStatus: acd });
  stops.push(reloadOnChange(admin.publisher, ['trunk', 'number'], () => dir.load(), logger));
}, 90_000);

afterEach(async () => {
  run?.kill();
  run = null;
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  for (const s of stops.splice(0)) s();
  await acd?.stop();
  dir?.stop();
  await db?.close();
});

const trunk = (over: Partial<TrunkCreate>): TrunkCreate => ({
  ...NEW_TRUNK,
  name: 'sipp-carrier',
  host: '127.0.0.1',
  transport: 'udp',
  username: 'pb-acct',
  password: 'carrier-password-1',
  realm: 'carrier.test',
  callerIdE164: '+15550199',
  ...over,
});

async function until<T>(what: string, get: () => T, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const statusOf = (id: string) => () => admin.trunks.status().trunks.find((t) => t.id === id) ?? null;

describe('a trunk saved in the portal reaches the running ACD', () => {
  it('registers within seconds of saving (SIPp checks the digest), and unregisters (Expires: 0) when it is switched off', { timeout: 30_000 }, async () => {
    const port = await freePort();
    run = sipp(['-sf', `${SCENARIOS}/carrier-registrar-unregister.xml`, '-t', 'u1', '-i', '127.0.0.1', '-p', String(port)], 25);
    await listening(port, 'udp');
    expect(acd.trunkStatus()).toEqual([]);

    const saved = Date.now();
    const created = await admin.trunks.create(ADMIN, trunk({ port, register: true, registerExpirySec: 120 }));
    const st = await until('registration', statusOf(created.id), (s) => s?.registration?.state === 'registered');
    const took = Date.now() - saved;
    expect(took).toBeLessThan(5000);
    expect(st!.registration).toMatchObject({ lastStatus: 200, failures: 0 });
    expect(st!.registration!.expiresAt! - Date.now()).toBeLessThanOrEqual(60_000);
    // what the admin route answers carries no secret
    expect(JSON.stringify(admin.trunks.status())).not.toContain('carrier-password-1');

    await admin.trunks.update(ADMIN, created.id, { ...trunk({ port, register: true, registerExpirySec: 120, enabled: false }), password: '', clearPassword: false, version: 1 });
    await until('registration stopped', statusOf(created.id), (s) => s !== null && s.registration === null);
    const r = await run.done;
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
  });

  it('a registration setting changed on the same address-of-record registers again at once, on the same Call-ID, with no un-REGISTER first', { timeout: 30_000 }, async () => {
    const port = await freePort();
    run = sipp(['-sf', `${SCENARIOS}/carrier-registrar-twice.xml`, '-t', 'u1', '-i', '127.0.0.1', '-p', String(port)], 25);
    await listening(port, 'udp');
    const settings = trunk({ name: 'longer-carrier', port, register: true, registerExpirySec: 120 });
    const created = await admin.trunks.create(ADMIN, settings);
    const first = await until('registration', statusOf(created.id), (s) => s?.registration?.state === 'registered');
    expect(first!.registration!.expiresAt! - Date.now()).toBeLessThanOrEqual(60_000);
    await admin.trunks.update(ADMIN, created.id, { ...settings, registerExpirySec: 300, password: '', clearPassword: false, version: 1 });
    // SIPp's scenario checks the second REGISTER asks 300 s; its 200 grants 300 s
    const again = await until('registration for 300 s', statusOf(created.id), (s) => s?.registration?.state === 'registered' && s.registration.expiresAt! - Date.now() > 200_000);
    expect(again!.registration!.lastStatus).toBe(200);
    const r = await run.done;
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
  });

  it('a changed registration setting registers again with the new one; a failure shows the carrier’s status', { timeout: 30_000 }, async () => {
    // nothing listens on this port at first: the registration fails (503, unreachable or 408, no answer)
    const port = await freePort();
    const created = await admin.trunks.create(ADMIN, trunk({ name: 'moving-carrier', port: 9, transport: 'tcp', register: true }));
    const failed = await until('failure', statusOf(created.id), (s) => s?.registration?.state === 'failed');
    expect(failed!.registration!.lastStatus).toBe(503);
    expect(failed!.registration!.nextAttemptAt).toBeGreaterThan(Date.now());

    run = sipp(['-sf', `${SCENARIOS}/carrier-registrar.xml`, '-t', 'u1', '-i', '127.0.0.1', '-p', String(port)], 20);
    await listening(port, 'udp');
    // the back-off would wait 5 s and more; the saved change registers at once, at the new address
    await admin.trunks.update(ADMIN, created.id, { ...trunk({ name: 'moving-carrier', port, transport: 'udp', register: true }), password: '', clearPassword: false, version: 1 });
    const st = await until('registration at the new address', statusOf(created.id), (s) => s?.registration?.state === 'registered', 4000);
    expect(st!.registration!.failures).toBe(0);
    const r = await run.done;
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
  });

  it('a call in progress through the trunk goes on when the trunk is changed and then switched off', { timeout: 20_000 }, async () => {
    const created = await admin.trunks.create(ADMIN, trunk({ name: 'calling-carrier', port: 5999, transport: 'tcp', inboundSources: ['127.0.0.1/32'] }));
    const number = await db.prisma.number.findUniqueOrThrow({ where: { e164: DEMO.number } });
    await admin.numbers.update(ADMIN, DEMO.number, { queueId: number.queueId, trunkId: created.id, holdAudio: number.holdAudio, scheduleId: null, closedAudio: null, closedAction: 'release', closedQueueId: null, closedNumber: null, priority: number.priority, version: number.version });
    await until('the DID on the trunk', () => acd.trunkStatus().find((t) => t.id === created.id)?.dids ?? [], (d) => d.includes(DEMO.number));

    const bank = await SipWsClient.connect(`ws://127.0.0.1:${acd.port}`, 'bank');
    clients.push(bank);
    const creds = bankCredentials(SECRET, 1);
    expect((await bank.register('route', DOMAIN, creds.user, creds.password)).status).toBe(200);
    const carrier = await SipWsClient.stream('127.0.0.1', acd.ports.TCP!, 'carrier');
    clients.push(carrier);
    const inv = carrier.makeRequest('INVITE', `sip:${DEMO.number}@127.0.0.1;user=phone`, { from: '<sip:+15557654321@carrier.test;user=phone>', body: TEST_SDP });
    carrier.send(inv);
    const ok = await carrier.response(inv.headers.get('Call-ID')!, 'INVITE');
    expect(ok.status).toBe(200);
    const dialog = carrier.dialogFrom(inv, ok);
    carrier.send(carrier.inDialog('ACK', dialog));
    const offer = await bank.request('INVITE');
    expect(offer.headers.get(H.dialed)).toBe(DEMO.number);
    bank.answer(offer, 200, { body: controlSdp(1) });

    // two saves while the caller is parked: new credentials and caller-ID, then the trunk off
    await admin.trunks.update(ADMIN, created.id, { ...trunk({ name: 'calling-carrier', port: 5999, transport: 'tcp', inboundSources: ['127.0.0.1/32'], callerIdE164: '+15550198' }), password: 'new-carrier-password', clearPassword: false, version: 1 });
    await admin.trunks.update(ADMIN, created.id, { ...trunk({ name: 'calling-carrier', port: 5999, transport: 'tcp', inboundSources: ['127.0.0.1/32'], callerIdE164: '+15550198', enabled: false }), password: '', clearPassword: false, version: 2 });
    await until('the trunk disabled in the ACD', () => acd.trunkStatus().find((t) => t.id === created.id)?.enabled, (e) => e === false);

    // the ACD ended nothing: the carrier's own BYE is answered, and the bank hears the caller left
    const bye = carrier.inDialog('BYE', dialog);
    carrier.send(bye);
    expect((await carrier.response(bye.headers.get('Call-ID')!, 'BYE')).status).toBe(200);
    const ended = await bank.request('BYE');
    expect(ended.headers.get('Call-ID')).toBe(offer.headers.get('Call-ID'));
  });

  it('no log line of the ACD, the directory or the admin service carries a trunk password', () => {
    expect(logLines.length).toBeGreaterThan(20);
    expect(logLines.some((l) => l.includes('trunk registration state'))).toBe(true);
    for (const l of logLines) {
      expect(l).not.toContain('carrier-password-1');
      expect(l).not.toContain('new-carrier-password');
    }
  });
});
