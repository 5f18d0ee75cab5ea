import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import type { AuthUser } from '../contracts/auth';
import type { MonitorView } from '../contracts/monitor';
import { AppError } from '../contracts/result';
import { CallKit, sleep } from '../acd/test-support/call-kit';
import { goertzel, heardPcm, TONE } from '../acd/test-support/tones';
import type { UdpRtpPeer } from '../acd/media/test-udp-peer';
import { until } from '../test-support/until';
import { CtiService } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { DOMAIN, SECRET } from './test-support/acd-harness';
import { UaBank } from './ua-bank/ua-bank';

/**
 * Supervisor monitoring through the whole CTI (service + real bank + database) against the real
 * ACD with real media: the caller, the operator's phone and the supervisor's phone each speak
 * their own tone, and what each one receives is measured per frequency (Goertzel). "Heard" is an
 * amplitude above 500 (a 6000-peak tone reads ≈ 3000 alone), "not heard" below 60.
 */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const SUP: AuthUser = { id: 'u-sup-1', email: 'sam@patchbay.local', name: 'Sam Supervisor', role: 'SUPERVISOR' };
const HEARD = 500;
const SILENT = 60;

let db: Database;
let kit: CallKit;
let bank: UaBank;
let cti: CtiService;
const monitorViews: MonitorView[] = [];

/** Amplitude per party tone of what `rtp` received during the next `ms`. */
async function hearing(rtp: UdpRtpPeer, ms = 900): Promise<{ caller: number; operator: number; supervisor: number }> {
  await sleep(200); // let a change settle
  const from = rtp.received.length;
  await sleep(ms);
  const pcm = heardPcm(rtp.received, from);
  return { caller: goertzel(pcm, TONE.caller), operator: goertzel(pcm, TONE.operator), supervisor: goertzel(pcm, TONE.third) };
}

async function refusal(p: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await p();
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 1 } });
  kit = await CallKit.start({ rtp: [48200, 48299], ice: [48300, 48399] }, { secret: SECRET, bank: false });
  bank = new UaBank({ wsUrl: kit.url, domain: DOMAIN, secret: SECRET, size: 1, logger });
  cti = new CtiService({
    bank,
    store: new PrismaCtiStore(db.prisma),
    notifier: { agentChanged: () => undefined, callOffered: () => undefined, callChanged: () => undefined, monitorChanged: (_s, v) => void monitorViews.push(v) },
    logger,
    secret: SECRET,
    sipDomain: DOMAIN,
    deviceWsUrl: kit.url,
    deviceCredTtlSec: 600,
    sipPhone: { host: '127.0.0.1', port: kit.acd.ports.UDP!, transports: ['UDP'] },
  });
  cti.start();
  await bank.start(5000);
}, 30_000);

afterAll(async () => {
  await cti.stop();
  await bank.stop();
  await kit.stop();
  await db.close();
}, 20_000);

describe('supervisor monitoring through the CTI, with real media', () => {
  it('listen, whisper and barge switched during the call; leaving ends the supervisor’s leg only; the call’s end ends the monitoring', { timeout: 60_000 }, async () => {
    // an operator on a browser-kind device (here a plain-RTP phone registered with the CTI's grant)
    cti.operatorConnected(OP1);
    const operator = await kit.phoneWith(cti.chooseDevice(OP1.id, 'browser'), 'operator');
    cti.setReady(OP1.id);
    const caller = await kit.plainCaller();
    caller.speak(TONE.caller);
    await operator.answerNext();
    operator.speak(TONE.operator);
    await until(() => cti.getAgent(OP1.id)?.state === 'talking', 8000, 'talking');
    const callId = cti.getAgent(OP1.id)!.callId!;
    expect(cti.getCall(callId)?.status).toBe('connected');

    // bad requests first: no phone yet, a call that is not there
    expect(await refusal(() => cti.startMonitor(SUP, callId, 'listen'))).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('phone') });
    // the supervisor monitors on a desk phone (a plain-RTP SIP phone over UDP typing in the settings);
    // the supervision page's browser phone is the same dial to another address (e2e/supervisor-monitor.spec.ts)
    const desk = cti.monitorDevice(SUP, 'sip_phone');
    expect(desk).toMatchObject({ kind: 'sip_phone', domain: DOMAIN, server: '127.0.0.1', port: kit.acd.ports.UDP, transports: ['UDP'] });
    const supervisor = await kit.phoneWith(desk, 'supervisor');
    expect(await refusal(() => cti.startMonitor(SUP, 'call-0000000000000000', 'listen'))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await refusal(() => cti.setMonitorMode(SUP, callId, 'whisper'))).toMatchObject({ code: 'CONFLICT', message: 'You are not on this call.' });

    // listen: the supervisor's phone rings, answers and hears both sides; neither party hears the supervisor
    expect(cti.startMonitor(SUP, callId, 'listen')).toMatchObject({ callId, state: 'ringing', mode: 'listen', operatorName: OP1.name });
    await supervisor.answerNext();
    supervisor.speak(TONE.third);
    await until(() => cti.monitorOf(SUP.id)?.state === 'connected', 5000, 'monitor connected');
    expect(monitorViews.at(-1)).toMatchObject({ callId, state: 'connected', mode: 'listen' });
    expect(await refusal(() => cti.startMonitor(SUP, callId, 'barge'))).toMatchObject({ code: 'CONFLICT', message: 'You are already on this call.' });

    let [c, o, s] = await Promise.all([hearing(caller.rtp), hearing(operator.rtp), hearing(supervisor.rtp)]);
    expect(s.caller).toBeGreaterThan(HEARD);
    expect(s.operator).toBeGreaterThan(HEARD);
    expect(c.operator).toBeGreaterThan(HEARD);
    expect(c.supervisor).toBeLessThan(SILENT);
    expect(o.caller).toBeGreaterThan(HEARD);
    expect(o.supervisor).toBeLessThan(SILENT);

    // whisper: only the operator hears the supervisor
    expect(await cti.setMonitorMode(SUP, callId, 'whisper')).toMatchObject({ state: 'connected', mode: 'whisper' });
    [c, o, s] = await Promise.all([hearing(caller.rtp), hearing(operator.rtp), hearing(supervisor.rtp)]);
    expect(o.supervisor).toBeGreaterThan(HEARD);
    expect(o.caller).toBeGreaterThan(HEARD);
    expect(c.supervisor).toBeLessThan(SILENT);
    expect(c.operator).toBeGreaterThan(HEARD);
    expect(s.caller).toBeGreaterThan(HEARD);

    // barge: all three talk
    expect(await cti.setMonitorMode(SUP, callId, 'barge')).toMatchObject({ mode: 'barge' });
    [c, o] = await Promise.all([hearing(caller.rtp), hearing(operator.rtp)]);
    expect(c.supervisor).toBeGreaterThan(HEARD);
    expect(c.operator).toBeGreaterThan(HEARD);
    expect(o.supervisor).toBeGreaterThan(HEARD);
    expect(o.caller).toBeGreaterThan(HEARD);

    // back to listen, then leave: only the supervisor's phone is hung up; the call goes on
    await cti.setMonitorMode(SUP, callId, 'listen');
    c = await hearing(caller.rtp);
    expect(c.supervisor).toBeLessThan(SILENT);
    expect(cti.stopMonitor(SUP, callId)).toMatchObject({ state: 'ended' });
    const bye = await supervisor.sip.request('BYE', () => true, 5000);
    supervisor.sip.respond(bye, 200);
    expect(cti.monitorOf(SUP.id)).toBeNull();
    expect(cti.getCall(callId)?.status).toBe('connected');
    [c, o] = await Promise.all([hearing(caller.rtp), hearing(operator.rtp)]);
    expect(c.operator).toBeGreaterThan(HEARD);
    expect(o.caller).toBeGreaterThan(HEARD);
    expect(await refusal(() => cti.stopMonitor(SUP, callId))).toMatchObject({ code: 'CONFLICT' });

    // monitoring again, then the caller hangs up: the CTI ends the supervisor's leg with the call
    cti.startMonitor(SUP, callId, 'whisper');
    await supervisor.answerNext();
    await until(() => cti.monitorOf(SUP.id)?.state === 'connected', 5000, 'monitor connected again');
    caller.sip.send(caller.sip.inDialog('BYE', caller.dialog));
    expect((await caller.sip.response(caller.dialog.callId, 'BYE')).status).toBe(200);
    const [supBye, opBye] = await Promise.all([supervisor.sip.request('BYE', () => true, 5000), operator.sip.request('BYE', () => true, 5000)]);
    supervisor.sip.respond(supBye, 200);
    operator.sip.respond(opBye, 200);
    expect(monitorViews.at(-1)).toMatchObject({ callId, state: 'ended', reason: 'The call has ended.' });
    expect(cti.monitorOf(SUP.id)).toBeNull();
    expect(await refusal(() => cti.startMonitor(SUP, callId, 'listen'))).toMatchObject({ code: 'CONFLICT', message: 'That call has ended.' });
    await until(() => kit.acd.legs().length === 0, 5000, 'ACD holds no legs');
  });

  it('a supervisor sets an operator Not ready and signs them out; never during a call', async () => {
    cti.operatorConnected({ ...OP1, id: 'u-op2', name: 'Omar Operator' });
    expect(await refusal(() => cti.supervisorSignOut(SUP, 'u-nobody'))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await refusal(() => cti.supervisorNotReady(SUP, 'u-op2'))).toMatchObject({ code: 'CONFLICT', message: 'Omar Operator is already Not ready.' });
    await kit.phoneWith(cti.chooseDevice('u-op2', 'browser'), 'omar');
    cti.setReady('u-op2');
    expect(cti.supervisorNotReady(SUP, 'u-op2')).toMatchObject({ state: 'not_ready', notReady: { cause: 'supervisor', label: 'A supervisor set you Not ready' } });
    expect(cti.supervisorSignOut(SUP, 'u-op2')).toMatchObject({ state: 'offline' });
    expect(cti.getAgent('u-op2')).toBeNull();
  });
});
