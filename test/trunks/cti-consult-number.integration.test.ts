import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredRtpPhone, sleep } from '../../server/acd/test-support/call-kit';
import { goertzel, heardPcm, TONE } from '../../server/acd/test-support/tones';
import { StaticTrunkDirectory } from '../../server/acd/trunks/trunk-directory';
import type { AuthUser } from '../../server/contracts/auth';
import { AppError } from '../../server/contracts/result';
import type { CallView } from '../../server/contracts/socket-events';
import { plainRtpCaller, startQueuePlatform, type QueuePlatform } from '../../server/cti/test-support/queue-platform';
import { DEMO } from '../../server/db/seed';
import { createLogger } from '../../server/log';
import { until } from '../../server/test-support/until';
import { freePort, listening, SCENARIOS, sipp } from './sipp';

/**
 * A consultation (attended transfer) to an outside number, end to end: the real ACD and media,
 * the JsSIP bank, the CTI and the admin services (queue-platform.ts); the operator on a plain-RTP
 * desk phone, a caller speaking its tone, and SIPp as the carrier behind a UDP trunk
 * (carrier-uas-407.xml: it challenges, checks the digest, the number and the center's caller-ID,
 * answers and takes the BYE). The admin's allowed prefixes apply to consultations and transfers
 * as to click-to-dial: a number outside them is refused with a reason, the caller is not even put
 * on hold, and a UDP listener on the carrier's port receives zero bytes.
 */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const ADMIN = { id: 'u-admin', name: 'Ada Admin' };
const SUP: AuthUser = { id: 'u-sup-1', email: 'sam@patchbay.local', name: 'Sam Supervisor', role: 'SUPERVISOR' };
const MOBILE = '+447700900123';
const ELSEWHERE = '+4930123456789';

let p: QueuePlatform;
let carrierPort: number;

beforeAll(async () => {
  carrierPort = await freePort();
  const trunk = { id: 't1', name: 'loopback', host: '127.0.0.1', port: carrierPort, transport: 'udp' as const, username: 'pb-acct', password: 'carrier-password-1', realm: 'carrier.test' };
  p = await startQueuePlatform({
    logger,
    rtpPortRange: [49700, 49799],
    portRange: [49800, 49899],
    rtpTimeoutSec: 30,
    trunks: new StaticTrunkDirectory([
      {
        ...trunk, register: false, registerExpirySec: 600, inboundSources: [], inboundDigest: false, outbound: true,
        callerIdMode: 'fixed', callerIdE164: '+15550199', assertIdentity: true, privacy: false, enabled: true, dids: [],
      },
    ]),
    async prepare(db) {
      await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 1 } });
      // the CTI asks the database whether an outside line exists (the ACD has its own directory above)
      await db.prisma.trunk.create({ data: { id: trunk.id, name: trunk.name, host: trunk.host, port: trunk.port, transport: 'udp', outbound: true, enabled: true } });
    },
  });
}, 90_000);

afterAll(async () => {
  await p.stop();
}, 20_000);

async function refused(run: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await run();
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

/** A caller speaking its tone, answered by OP1 on a desk phone speaking theirs. */
async function answeredCall() {
  p.cti.operatorConnected(OP1);
  const phone = await registeredRtpPhone(p.acd.ports.UDP!, p.cti.chooseSipPhone(OP1.id), 'op1', p.closers);
  if (p.cti.getAgent(OP1.id)?.state !== 'ready') p.cti.setReady(OP1.id);
  const caller = await plainRtpCaller(p, 'Pat', '+442079460958', TONE.caller);
  await phone.answerNext();
  phone.speak(TONE.operator);
  await until(() => p.cti.getAgent(OP1.id)?.state === 'talking', 10_000, 'talking');
  return { phone, caller, callId: p.cti.getAgent(OP1.id)!.callId! };
}

async function heard(rtp: { received: Parameters<typeof heardPcm>[0] }, ms = 1000): Promise<Int16Array> {
  await sleep(300);
  const from = rtp.received.length;
  await sleep(ms);
  return heardPcm(rtp.received, from);
}

describe('consultation to an outside number through a trunk (real ACD, bank, CTI; SIPp as the carrier)', () => {
  it('a number outside the admin’s allowed prefixes is refused for a consultation and a transfer, with a reason: the caller stays with the operator, zero bytes reach the carrier', { timeout: 40_000 }, async () => {
    const listener = dgram.createSocket('udp4');
    let bytes = 0;
    listener.on('message', (m) => (bytes += m.length));
    await new Promise<void>((r) => listener.bind(carrierPort, '127.0.0.1', r));
    try {
      const { phone, caller, callId } = await answeredCall();
      const notAllowed = { code: 'BAD_REQUEST', message: 'Calls to this number are not allowed here.' };
      // no prefix allowed yet: nothing can be dialled
      expect(await refused(() => p.cti.consultCall(OP1.id, callId, { number: MOBILE }))).toEqual(notAllowed);
      // the admin allows UK mobiles, from the portal's service; the CTI follows its change notification
      await p.admin.dialing.create(ADMIN, { prefix: '+447', label: 'UK mobiles' });
      expect(await refused(() => p.cti.consultCall(OP1.id, callId, { number: ELSEWHERE }))).toEqual(notAllowed);
      expect(await refused(() => p.cti.transferCall(OP1.id, callId, { kind: 'number', e164: ELSEWHERE }))).toEqual(notAllowed);
      expect(p.cti.getCall(callId)).toMatchObject({ status: 'connected', operatorId: OP1.id, consult: null });
      // the caller was never put on hold: they still hear the operator
      expect(goertzel(await heard(caller.phone), TONE.operator)).toBeGreaterThan(500);
      await sleep(1000);
      expect(bytes).toBe(0);
      await caller.hangUp();
      await phone.released();
      await until(() => p.acd.legs().length === 0, 5000, 'nothing left in the ACD');
    } finally {
      await new Promise<void>((r) => listener.close(() => r()));
    }
  });

  it('an allowed number: the caller waits on hold while the operator talks to the number (SIPp answers), then Complete hands the caller to it and the operator wraps up; the call is nobody’s then, but supervisors still listen and barge', { timeout: 60_000 }, async () => {
    await until(() => p.cti.getAgent(OP1.id)?.state === 'ready', 10_000, 'OP1 ready after wrap-up');
    const run = sipp(['-sf', `${SCENARIOS}/carrier-uas-407.xml`, '-t', 'u1', '-i', '127.0.0.1', '-p', String(carrierPort)], 40);
    await listening(carrierPort, 'udp');
    const { phone, caller, callId } = await answeredCall();

    // the prefix cache follows the admin's save of the first test: a refused try sends nothing, so wait for it
    let view: CallView | null = null;
    while (!view) {
      view = await p.cti.consultCall(OP1.id, callId, { number: MOBILE }).catch((e: unknown) => {
        if (e instanceof AppError && e.message === 'Calls to this number are not allowed here.') return null;
        throw e;
      });
      if (!view) await sleep(50);
    }
    expect(view).toMatchObject({ status: 'held', consult: { state: 'dialing', operatorId: null, number: MOBILE, name: MOBILE } });
    await until(() => p.cti.getCall(callId)?.consult?.state === 'consulting', 15_000, 'the number answered');
    const onHold = await heard(caller.phone);
    expect(goertzel(onHold, TONE.operator)).toBeLessThan(60);

    expect(await p.cti.consultStep(OP1.id, callId, 'complete')).toMatchObject({ status: 'connected', operatorId: null, consult: null });
    await phone.released();
    expect(p.cti.getAgent(OP1.id)?.state).toBe('wrap_up');
    // the caller is bridged to the number's leg now
    const callerLeg = p.acd.legs().find((l) => l.kind === 'caller')!;
    const numberLeg = p.acd.legs().find((l) => l.kind === 'device')!;
    expect(callerLeg).toMatchObject({ state: 'bridged', bridgedTo: numberLeg.legId });

    // by design (as in Amazon Connect or Twilio, the agent leaves an external transfer) the call is
    // nobody's: the first operator's controls are refused with words, nothing reaches the ACD
    expect(p.cti.getCall(callId)).toMatchObject({ status: 'connected', operatorId: null, forwardedTo: '+44•••••123' });
    const handedOff = { code: 'CONFLICT', message: 'You transferred this call to an outside number, so it is no longer on your line: it cannot be held, transferred or changed from your console.' };
    expect(await refused(() => p.cti.holdCall(OP1.id, callId, true))).toEqual(handedOff);
    expect(await refused(() => p.cti.transferCall(OP1.id, callId, { kind: 'queue', queueId: DEMO.queue.id }))).toEqual(handedOff);
    expect(await refused(() => p.cti.consultCall(OP1.id, callId, { number: MOBILE }))).toEqual(handedOff);
    expect(p.acd.legs().find((l) => l.kind === 'caller')).toMatchObject({ state: 'bridged', bridgedTo: numberLeg.legId });

    // a supervisor still listens (hears the caller, heard by nobody) and barges; whisper has no operator to reach
    const sup = await registeredRtpPhone(p.acd.ports.UDP!, p.cti.monitorDevice(SUP, 'sip_phone'), 'supervisor', p.closers);
    expect(p.cti.startMonitor(SUP, callId, 'listen')).toMatchObject({ state: 'ringing', mode: 'listen' });
    await sup.answerNext();
    sup.speak(TONE.third);
    await until(() => p.cti.monitorOf(SUP.id)?.state === 'connected', 8000, 'the supervisor in the call');
    let [supHears, callerHears] = await Promise.all([heard(sup.rtp), heard(caller.phone)]);
    expect(goertzel(supHears, TONE.caller)).toBeGreaterThan(500);
    expect(goertzel(callerHears, TONE.third)).toBeLessThan(60);
    expect(await refused(() => p.cti.setMonitorMode(SUP, callId, 'whisper'))).toEqual({ code: 'CONFLICT', message: 'This call is with an outside number, so there is no operator to whisper to: listen or barge instead.' });
    expect(await p.cti.setMonitorMode(SUP, callId, 'barge')).toMatchObject({ state: 'connected', mode: 'barge' });
    [supHears, callerHears] = await Promise.all([heard(sup.rtp), heard(caller.phone)]);
    expect(goertzel(callerHears, TONE.third)).toBeGreaterThan(500);
    expect(goertzel(supHears, TONE.caller)).toBeGreaterThan(500);
    p.cti.stopMonitor(SUP, callId);
    await sup.released();
    // the supervisor gone, the caller and the number are a plain bridge again
    await until(() => p.acd.legs().find((l) => l.kind === 'caller')?.bridgedTo === numberLeg.legId, 5000, 'bridged to the number again');

    // the caller hangs up: the CTI releases the number (SIPp gets its BYE and passes)
    await caller.hangUp();
    const r = await run.done;
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('[$');
    await until(() => p.cti.getCall(callId)?.status === 'ended', 5000, 'ended');
    await until(() => p.acd.legs().length === 0, 5000, 'nothing left in the ACD');
    await p.cti.flush();
    const types = (await p.db.prisma.callEvent.findMany({ where: { callId }, orderBy: { seq: 'asc' } })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['consult', 'consult-answered', 'transferred', 'device-release']));
    expect(types.indexOf('consult')).toBeLessThan(types.indexOf('transferred'));
  });
});
