import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Acd } from '../../server/acd/acd';
import { SipWsClient } from '../../server/acd/test-support/sip-ws-client';
import { TEST_SDP, TestMediaEngine } from '../../server/acd/test-support/test-media-engine';
import { StaticTrunkDirectory } from '../../server/acd/trunks/trunk-directory';
import type { AuthUser } from '../../server/contracts/auth';
import { AppError } from '../../server/contracts/result';
import { CtiService } from '../../server/cti/cti-service';
import { PrismaCtiStore } from '../../server/cti/prisma-cti-store';
import { DOMAIN, NUMBER, SECRET } from '../../server/cti/test-support/acd-harness';
import { UaBank } from '../../server/cti/ua-bank/ua-bank';
import { openDatabase, type Database } from '../../server/db/database';
import { seedDemo } from '../../server/db/seed';
import { createLogger } from '../../server/log';
import { until } from '../../server/test-support/until';
import { freePort, SCENARIOS, sipp, listening } from './sipp';

/**
 * An operator's click-to-dial end to end: CTI (real JsSIP bank, database) → ACD → a trunk over
 * SIP/UDP to a carrier on loopback. SIPp as the carrier (carrier-uas-407.xml) challenges, checks
 * the digest, the Request-URI and the center's caller-ID in From and P-Asserted-Identity, and
 * answers; then the operator's device rings bridged to it, and SIPp gets the BYE when the
 * operator hangs up. A number
 * under no allowed prefix is refused before the bank is asked: a UDP listener on the carrier's
 * port receives zero bytes.
 */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const OP: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const MOBILE = '+447700900123';

let db: Database;
let acd: Acd;
let bank: UaBank;
let cti: CtiService;
let carrierPort: number;
let device: SipWsClient;

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  carrierPort = await freePort();
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, transports: { udpPort: 0 } },
    dialPlan: { lookup: (e) => (e === NUMBER ? { holdAudio: 'default' } : null) },
    media: new TestMediaEngine(),
    logger,
    trunks: new StaticTrunkDirectory([
      {
        id: 't1', name: 'loopback', host: '127.0.0.1', port: carrierPort, transport: 'udp', username: 'pb-acct', password: 'carrier-password-1', realm: 'carrier.test',
        register: false, registerExpirySec: 600, inboundSources: [], inboundDigest: false, outbound: true,
        callerIdMode: 'fixed', callerIdE164: '+15550199', assertIdentity: true, privacy: false, enabled: true, dids: [],
      },
    ]),
  });
  await acd.start();
  const wsUrl = `ws://127.0.0.1:${acd.port}`;
  bank = new UaBank({ wsUrl, domain: DOMAIN, secret: SECRET, size: 1, logger });
  cti = new CtiService({ bank, store: new PrismaCtiStore(db.prisma), notifier: { agentChanged: () => undefined, callOffered: () => undefined, callChanged: () => undefined }, logger, secret: SECRET, sipDomain: DOMAIN, deviceWsUrl: wsUrl, deviceCredTtlSec: 600 });
  cti.start();
  await bank.start(5000);
  cti.operatorConnected(OP);
  const grant = cti.chooseDevice(OP.id, 'browser');
  device = await SipWsClient.connect(wsUrl, grant.sipUser);
  expect((await device.register(grant.sipUser, DOMAIN, grant.sipUser, grant.sipPassword)).status).toBe(200);
}, 30_000);

afterAll(async () => {
  await cti.stop();
  await bank.stop();
  await device.close();
  await acd.stop();
  await db.close();
}, 15_000);

async function refused(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('outbound call (CTI + bank + ACD + trunk to a loopback carrier)', () => {
  it('refuses every number while no prefix is allowed, and a number outside the list after one is: zero bytes reach the carrier', async () => {
    const listener = dgram.createSocket('udp4');
    let bytes = 0;
    listener.on('message', (m) => (bytes += m.length));
    await new Promise<void>((r) => listener.bind(carrierPort, '127.0.0.1', r));
    try {
      expect(await refused(cti.dialNumber(OP.id, MOBILE))).toMatchObject({ code: 'BAD_REQUEST', message: 'Outbound calls are not set up; ask an administrator.' });
      // the admin allows UK mobiles; the CTI's cache follows the change notification
      await db.prisma.dialPrefix.create({ data: { id: 'dp-uk', prefix: '+447', label: 'UK mobiles' } });
      await cti.configChanged({ entity: 'dial_prefix', id: 'dp-uk' });
      const e = await refused(cti.dialNumber(OP.id, '+4930123456789'));
      expect(e).toMatchObject({ code: 'BAD_REQUEST', message: 'Calls to this number are not allowed here.', fields: { number: expect.any(String) } });
      await new Promise((r) => setTimeout(r, 1500));
      expect(bytes).toBe(0);
      expect(acd.legs()).toHaveLength(0);
      expect(cti.getAgent(OP.id)?.state).toBe('not_ready');
    } finally {
      await new Promise<void>((r) => listener.close(() => r()));
    }
  }, 20_000);

  it('an allowed number: SIPp as the carrier sees the center’s caller-ID and answers, then the operator’s device rings bridged to it; the operator is busy meanwhile; the call is stored outbound', async () => {
    const run = sipp(['-sf', `${SCENARIOS}/carrier-uas-407.xml`, '-t', 'u1', '-i', '127.0.0.1', '-p', String(carrierPort)], 25);
    await listening(carrierPort, 'udp');
    cti.setReady(OP.id);
    const view = await cti.dialNumber(OP.id, MOBILE);
    expect(view).toMatchObject({ status: 'offering', dialed: MOBILE, operatorId: OP.id });
    expect(cti.getAgent(OP.id)?.state).toBe('reserved');
    // a second dial while this one is up is refused
    expect(await refused(cti.dialNumber(OP.id, MOBILE))).toMatchObject({ code: 'CONFLICT' });

    // SIPp answers the number (after its 407 and the caller-ID checks); then the operator's device rings, bridged to it
    const inv = await device.request('INVITE', undefined, 10_000);
    expect(cti.getAgent(OP.id)?.state).toBe('reserved');
    const dd = device.answer(inv, 200, { body: TEST_SDP });
    await until(() => cti.getAgent(OP.id)?.state === 'talking', 5000, 'talking');
    expect(cti.getCall(view.callId)?.status).toBe('connected');

    // the operator hangs up: the CTI releases the number's leg (SIPp gets its BYE)
    device.send(device.inDialog('BYE', dd));
    expect((await device.response(dd.callId, 'BYE')).status).toBe(200);
    const r = await run.done;
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('[$');
    expect(cti.getCall(view.callId)).toMatchObject({ status: 'ended', endedBy: 'operator' });
    await until(() => cti.getAgent(OP.id)?.state === 'ready', 5000, 'ready again');
    await until(() => acd.legs().length === 0, 5000, 'ACD holds no legs');

    await cti.flush();
    const row = await db.prisma.call.findUniqueOrThrow({ where: { id: view.callId } });
    expect(row).toMatchObject({ direction: 'outbound', dialed: MOBILE, operatorId: OP.id, outcome: 'completed', endedBy: 'operator', queueId: null });
    expect(row.answeredAt).not.toBeNull();
    const events = await db.prisma.callEvent.findMany({ where: { callId: view.callId }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['outbound', 'number-answered', 'answered', 'device-hangup', 'caller-release', 'ended']);
  }, 40_000);
});
