import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Acd } from '../../server/acd/acd';
import { DigestAuthenticator, parseDigest } from '../../server/acd/sip/digest';
import type { SipWsClient } from '../../server/acd/test-support/sip-ws-client';
import { TcpPeerServer } from '../../server/acd/test-support/tcp-peer-server';
import { TEST_SDP, TestMediaEngine } from '../../server/acd/test-support/test-media-engine';
import { StaticTrunkDirectory } from '../../server/acd/trunks/trunk-directory';
import { CtiService, type CtiNotifier } from '../../server/cti/cti-service';
import { PrismaCtiStore } from '../../server/cti/prisma-cti-store';
import { DOMAIN, NUMBER, SECRET, placeCall } from '../../server/cti/test-support/acd-harness';
import { until } from '../../server/test-support/until';
import { UaBank } from '../../server/cti/ua-bank/ua-bank';
import { openDatabase, type Database } from '../../server/db/database';
import { DEMO, seedDemo } from '../../server/db/seed';
import { createLogger } from '../../server/log';
import type { MobileStatus } from '../../server/contracts/socket-events';

/**
 * The operator's mobile as a device, end to end: the CTI (real JsSIP bank, database) verifies
 * the number with a call the ACD sends out through a trunk to a carrier on loopback (which
 * challenges with 407), then routes a caller to it (the phone keys 1 to take it: press-1 accept); the
 * CTI releases it when the caller hangs up.
 */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const MOBILE = '+447700900123';
const carrierAuth = new DigestAuthenticator('carrier.test', 60_000);

let db: Database;
let acd: Acd;
let bank: UaBank;
let cti: CtiService;
let carrier: TcpPeerServer;
let media: TestMediaEngine;
let side: SipWsClient | null = null;
const pushed: MobileStatus[] = [];

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 1 } });
  carrier = new TcpPeerServer();
  const port = await carrier.start();
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, transports: { tcpPort: 0, udpPort: 0 } },
    dialPlan: { lookup: (e) => (e === NUMBER ? { holdAudio: 'default' } : null) },
    media: (media = new TestMediaEngine()),
    logger,
    trunks: new StaticTrunkDirectory([
      {
        id: 't1', name: 'loopback', host: '127.0.0.1', port, transport: 'tcp', username: 'pb-acct', password: 'carrier-password-1', realm: 'carrier.test',
        register: false, registerExpirySec: 600, inboundSources: [], inboundDigest: false, outbound: true,
        callerIdMode: 'fixed', callerIdE164: '+15550199', assertIdentity: true, privacy: false, enabled: true, dids: [],
      },
    ]),
  });
  await acd.start();
  const wsUrl = `ws://127.0.0.1:${acd.port}`;
  bank = new UaBank({ wsUrl, domain: DOMAIN, secret: SECRET, size: 1, logger });
  const notifier: CtiNotifier = {
    agentChanged: () => undefined,
    callOffered: () => undefined,
    callChanged: () => undefined,
    mobileChanged: (_op, s) => void pushed.push(s),
  };
  cti = new CtiService({ bank, store: new PrismaCtiStore(db.prisma), notifier, logger, secret: SECRET, sipDomain: DOMAIN, deviceWsUrl: wsUrl, deviceCredTtlSec: 600 });
  cti.start();
  await bank.start(5000);
}, 30_000);

afterAll(async () => {
  await cti.stop();
  await bank.stop();
  await side?.close();
  await acd.stop();
  await carrier.stop();
  await db.close();
}, 15_000);

/** The carrier's side: challenge the first INVITE with 407, check the digest answer, ring, answer. */
async function carrierAnswers(): Promise<{ inv: import('../../server/acd/sip/message').SipRequest }> {
  side ??= await carrier.next(8000);
  const first = await side.request('INVITE', () => true, 8000);
  side.respond(first, 407, [['Proxy-Authenticate', carrierAuth.challenge()]]);
  const inv = await side.request('INVITE', (r) => r.headers.get('Call-ID') === first.headers.get('Call-ID'), 5000);
  const creds = parseDigest(inv.headers.get('Proxy-Authorization') ?? '');
  expect(creds && carrierAuth.verify(creds, 'INVITE', () => 'carrier-password-1')).toEqual({ ok: true, username: 'pb-acct' });
  expect(inv.uri.startsWith(`sip:${MOBILE}@127.0.0.1:`)).toBe(true);
  side.send(side.answerProvisional(inv));
  side.answer(inv, 200, { body: TEST_SDP });
  return { inv };
}

describe('mobile device through a trunk (CTI + bank + ACD + loopback carrier)', () => {
  it('refuses an unverified number, verifies it with an answered call, then rings it for a caller and releases it after the caller hangs up', async () => {
    const op = await db.prisma.user.findFirstOrThrow({ where: { role: 'OPERATOR' } });
    cti.operatorConnected({ id: op.id, email: op.email, name: op.name, role: 'OPERATOR' });

    await expect(cti.chooseMobile(op.id, MOBILE)).rejects.toMatchObject({ code: 'CONFLICT', fields: { e164: expect.any(String) } });

    // verification: the ACD rings the number through the trunk; the operator types the shown code
    const started = await cti.verifyMobile(op.id, MOBILE);
    expect(started).toMatchObject({ e164Masked: '+44•••••123', verified: false, call: 'calling', code: expect.stringMatching(/^\d{4}$/) });
    const v = await carrierAnswers();
    await until(() => pushed.some((s) => s.call === 'answered'), 5000, 'verification answered');
    // the phone's keypad: RFC 4733 digits on the mobile leg's media → INFO dtmf-relay → bank → CTI
    const mobileLeg = acd.legs().find((l) => l.kind === 'device' && l.state === 'waiting')!;
    for (const d of started.code!) media.endpoints.get(mobileLeg.legId)!.emitDtmf(d, 160);
    await until(() => pushed.some((s) => s.verified), 5000, 'verified by code');
    expect(await cti.mobileStatus(op.id)).toMatchObject({ verified: true, call: 'idle', code: null, e164Masked: '+44•••••123' });
    const bye = await side!.request('BYE', (r) => r.headers.get('Call-ID') === v.inv.headers.get('Call-ID'), 5000);
    side!.respond(bye, 200);
    const row = await db.prisma.user.findUniqueOrThrow({ where: { id: op.id } });
    expect(row.mobileE164).toBe(MOBILE);
    expect(row.mobileVerifiedAt).not.toBeNull();

    // a wrong code fails the verification (the stored verification stays)
    const again = await cti.verifyMobile(op.id, MOBILE);
    const w = await carrierAnswers();
    await until(() => pushed.filter((s) => s.call === 'answered').length >= 2, 5000, 'second call answered');
    const leg2 = acd.legs().find((l) => l.kind === 'device' && l.state === 'waiting')!;
    const wrong = again.code === '0000' ? '1111' : '0000';
    for (const d of wrong) media.endpoints.get(leg2.legId)!.emitDtmf(d, 160);
    await until(() => pushed.some((s) => s.call === 'failed' && s.error === 'the code typed did not match'), 5000, 'wrong code refused');
    const bye2 = await side!.request('BYE', (r) => r.headers.get('Call-ID') === w.inv.headers.get('Call-ID'), 5000);
    side!.respond(bye2, 200);

    // the verified mobile as the device; routing treats it like a browser
    expect(await cti.chooseMobile(op.id, MOBILE)).toEqual({ kind: 'mobile', e164Masked: '+44•••••123' });
    cti.setReady(op.id);
    expect(JSON.stringify(cti.adminSnapshot())).not.toContain('7700900');
    const caller = await placeCall(`ws://127.0.0.1:${acd.port}`);
    const call = await carrierAnswers();
    expect(call.inv.headers.get('From')).toContain('+15550199');
    // press-1 accept is on for mobiles by default: the answered phone is asked, and keys 1
    await until(() => acd.legs().some((l) => l.kind === 'device' && l.state === 'waiting'), 5000, 'the mobile asked to press 1');
    expect(cti.getAgent(op.id)?.state).toBe('reserved');
    const asked = acd.legs().find((l) => l.kind === 'device' && l.state === 'waiting')!;
    media.endpoints.get(asked.legId)!.emitDtmf('1', 160);
    await until(() => cti.getAgent(op.id)?.state === 'talking', 5000, 'talking on the mobile');

    expect((await caller.hangUp()).status).toBe(200);
    const release = await side!.request('BYE', (r) => r.headers.get('Call-ID') === call.inv.headers.get('Call-ID'), 5000);
    side!.respond(release, 200);
    await until(() => acd.legs().length === 0, 5000, 'ACD holds no legs');
    await caller.client.close();
  }, 40_000);
});
