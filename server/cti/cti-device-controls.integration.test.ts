import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/sipp/sipp-runner';
import { startBaresipPhone, type BaresipPhone } from '../acd/test-support/baresip-phone';
import { registeredRtpPhone, sleep } from '../acd/test-support/call-kit';
import { decode } from '../acd/media/g711';
import { goertzel, heardPcm, rms, TONE } from '../acd/test-support/tones';
import { StaticTrunkDirectory } from '../acd/trunks/trunk-directory';
import type { AuthUser } from '../contracts/auth';
import { DEMO } from '../db/seed';
import { MONITOR_PRESS1 } from '../shared/press-one-prompt';
import { createLogger } from '../log';
import { requireTool } from '../test-support/system-tools';
import { until } from '../test-support/until';
import { DOMAIN } from './test-support/acd-harness';
import { plainRtpCaller, startQueuePlatform, type QueuePlatform } from './test-support/queue-platform';

/**
 * The in-call controls and supervisor monitoring with a real phone as the operator's device:
 * baresip (Debian baresip-core) as the operator's mobile behind a loopback UDP trunk, then as a
 * SIP phone registered at the ACD with the CTI's settings. The real ACD, media engine, bank and
 * CTI (queue-platform.ts); the caller, the second operator and the supervisor are plain RTP
 * peers. Each party speaks its own tone; what baresip heard is its recorded WAV (sndfile), cut
 * into the stretch of each step, and what a plain peer heard is its received RTP — both measured
 * per frequency (Goertzel, tones.ts). "Heard" is above 500 (a 6000-peak tone reads ≈ 3000
 * alone, baresip's ≈ 2000), "not heard" below 60.
 */
requireTool('baresip');

const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const OP2: AuthUser = { id: 'u-op2', email: 'oscar@patchbay.local', name: 'Oscar Operator', role: 'OPERATOR' };
const SUP: AuthUser = { id: 'u-sup-1', email: 'sam@patchbay.local', name: 'Sam Supervisor', role: 'SUPERVISOR' };
const MOBILE = '+447700900123';
/** the supervisor's own mobile, behind the same loopback trunk */
const SUP_MOBILE = '+447700900456';
const HEARD = 500;
const SILENT = 60;
/** the tone baresip plays: the operator's */
const DEVICE_TONE = TONE.operator;

let p: QueuePlatform;
let mobilePort: number;
const dirs: string[] = [];

beforeAll(async () => {
  mobilePort = await freePort();
  p = await startQueuePlatform({
    logger,
    rtpPortRange: [49400, 49499],
    portRange: [49500, 49599],
    rtpTimeoutSec: 30,
    // the carrier on loopback: the ACD's trunk sends the mobile's number straight to baresip
    trunks: new StaticTrunkDirectory([
      {
        id: 't1', name: 'loopback', host: '127.0.0.1', port: mobilePort, transport: 'udp', username: 'pb-acct', password: 'carrier-password-1', realm: null,
        register: false, registerExpirySec: 600, inboundSources: [], inboundDigest: false, outbound: true,
        callerIdMode: 'fixed', callerIdE164: '+15550199', assertIdentity: true, privacy: false, enabled: true, dids: [],
      },
    ]),
    async prepare(db) {
      // press-1 off: these are the in-call controls once bridged (press-1 has its own test, press-one.integration.test.ts)
      await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 1, press1Mobile: false } });
      // verified earlier (the verification call is cti-mobile.integration.test.ts's)
      await db.prisma.user.update({ where: { id: OP1.id }, data: { mobileE164: MOBILE, mobileVerifiedAt: new Date() } });
      // the supervisor's, verified the same way (the verification call itself: call-monitor.test.ts and cti-mobile.integration.test.ts)
      await db.prisma.user.create({ data: { id: SUP.id, email: SUP.email, name: SUP.name, role: 'SUPERVISOR', passwordHash: 'not-used', mobileE164: SUP_MOBILE, mobileVerifiedAt: new Date() } });
    },
  });
}, 90_000);

afterAll(async () => {
  await p.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}, 90_000);

/** baresip as OP1's device, signed in and Ready; stopped by the platform's teardown. */
async function baresipDevice(kind: 'mobile' | 'sip_phone', rtpPorts: string): Promise<BaresipPhone> {
  const dir = mkdtempSync(path.join(tmpdir(), `pb-dev-${kind}-`));
  dirs.push(dir);
  p.cti.operatorConnected(OP1);
  let bare: BaresipPhone;
  const common = { dir, rtpPorts, toneHz: DEVICE_TONE, lifetimeSec: 150, readyTimeoutMs: 20_000 };
  if (kind === 'mobile') {
    expect(await p.cti.chooseMobile(OP1.id, MOBILE)).toMatchObject({ kind: 'mobile' });
    bare = await startBaresipPhone({ ...common, sipPort: mobilePort, account: `<sip:${MOBILE}@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMU,PCMA`, readyWhen: /baresip is ready/ });
  } else {
    const g = p.cti.chooseSipPhone(OP1.id);
    bare = await startBaresipPhone({
      ...common,
      sipPort: await freePort(),
      account: `<sip:${g.sipUser}@${DOMAIN}>;auth_user=${g.sipUser};auth_pass=${g.sipPassword};outbound="sip:127.0.0.1:${p.acd.ports.UDP!};transport=udp";regint=600;answermode=auto;audio_codecs=PCMU,PCMA`,
      readyWhen: /200 OK/,
    });
  }
  p.closers.push(() => bare.stop());
  if (p.cti.getAgent(OP1.id)?.state !== 'ready') p.cti.setReady(OP1.id);
  return bare;
}

/** What each party heard during the next `ms`, per tone: baresip's WAV cut to that stretch, the peers' RTP. */
async function hearing(bare: BaresipPhone, peers: Record<string, { received: Parameters<typeof heardPcm>[0] }>, ms = 1200) {
  await sleep(300); // let a change settle
  const wavFrom = bare.decodedPcm()?.length ?? 0;
  const from = Object.fromEntries(Object.entries(peers).map(([k, r]) => [k, r.received.length]));
  await sleep(ms);
  const tones = (pcm: Int16Array) => ({ caller: goertzel(pcm, TONE.caller), device: goertzel(pcm, DEVICE_TONE), third: goertzel(pcm, TONE.third), rms: rms(pcm) });
  const device = bare.decodedPcm();
  expect(device, bare.output()).not.toBeNull();
  const out: Record<string, ReturnType<typeof tones>> = { device: tones(device!.subarray(wavFrom)) };
  for (const [k, r] of Object.entries(peers)) out[k] = tones(heardPcm(r.received, from[k]));
  return out;
}

/**
 * How much of a built-in clip baresip heard: its recording (decoded PCM) matched frame for frame
 * against the clip's PCMU frames decoded — G.711 decodes (almost) exactly, so a frame the ACD sent
 * and baresip played is the same 160 samples. `distinct` of the clip's `of`
 * non-silent frames were heard, `total` times in all (twice the clip: it was repeated).
 */
function promptHeard(pcm: Int16Array, clip: string): { distinct: number; total: number; of: number } {
  // baresip decodes µ-law's two zero codes as ±2 where ours gives 0: the only difference, evened out
  const key = (f: Int16Array) => Buffer.from(Int16Array.from(f, (v) => (Math.abs(v) <= 2 ? 0 : v)).buffer).toString('base64');
  const frames = p.engine.clips.get(clip)!.frames.PCMU.map((f) => decode(f, 'PCMU')).filter((f) => rms(f) > 50);
  const wanted = new Set(frames.map(key));
  // slid sample by sample: a late packet or a jitter-buffer gap shifts the frames' alignment in the file
  const seen = new Set<string>();
  let total = 0;
  for (let at = 0; at + 160 <= pcm.length; at++) {
    const k = key(pcm.subarray(at, at + 160));
    if (!wanted.has(k)) continue;
    seen.add(k);
    total++;
    at += 159;
  }
  return { distinct: seen.size, total, of: wanted.size };
}

/** The whole run for one kind of device: hold, resume, listen, whisper, hold once the supervisor left, blind transfer. */
async function controlsOn(bare: BaresipPhone): Promise<void> {
  const c = await plainRtpCaller(p, 'Pat', '+442079460958', TONE.caller);
  await until(() => p.cti.getAgent(OP1.id)?.state === 'talking', 20_000, `device answered\n${bare.output()}`);
  const callId = p.cti.getAgent(OP1.id)!.callId!;
  const deviceLeg = p.acd.legs().find((l) => l.kind === 'device')!.legId;

  // both ways
  let h = await hearing(bare, { caller: c.phone });
  expect(h.caller!.device).toBeGreaterThan(HEARD);
  expect(h.device!.caller).toBeGreaterThan(HEARD);

  // hold: the caller hears the music and nothing of the operator; the operator hears nothing of the caller
  expect(await p.cti.holdCall(OP1.id, callId, true)).toMatchObject({ status: 'held' });
  h = await hearing(bare, { caller: c.phone });
  expect(h.caller!.rms).toBeGreaterThan(500); // the hold music
  expect(h.caller!.device).toBeLessThan(SILENT);
  expect(h.device!.caller).toBeLessThan(SILENT);

  // resume: both ways again
  expect(await p.cti.holdCall(OP1.id, callId, false)).toMatchObject({ status: 'connected' });
  h = await hearing(bare, { caller: c.phone });
  expect(h.caller!.device).toBeGreaterThan(HEARD);
  expect(h.device!.caller).toBeGreaterThan(HEARD);

  // listen: a supervisor on a desk phone hears both; neither the caller nor the operator hears them
  const supervisor = await registeredRtpPhone(p.acd.ports.UDP!, p.cti.monitorDevice(SUP, 'sip_phone'), 'supervisor', p.closers);
  expect(p.cti.startMonitor(SUP, callId, 'listen')).toMatchObject({ state: 'ringing', mode: 'listen' });
  await supervisor.answerNext();
  supervisor.speak(TONE.third);
  await until(() => p.cti.monitorOf(SUP.id)?.state === 'connected', 8000, 'monitor connected');
  h = await hearing(bare, { caller: c.phone, supervisor: supervisor.rtp });
  expect(h.supervisor!.caller).toBeGreaterThan(HEARD);
  expect(h.supervisor!.device).toBeGreaterThan(HEARD);
  expect(h.caller!.third).toBeLessThan(SILENT);
  expect(h.caller!.device).toBeGreaterThan(HEARD);
  expect(h.device!.third).toBeLessThan(SILENT);
  expect(h.device!.caller).toBeGreaterThan(HEARD);

  // whisper: only the operator hears the supervisor
  expect(await p.cti.setMonitorMode(SUP, callId, 'whisper')).toMatchObject({ mode: 'whisper' });
  h = await hearing(bare, { caller: c.phone, supervisor: supervisor.rtp });
  expect(h.device!.third).toBeGreaterThan(HEARD);
  expect(h.device!.caller).toBeGreaterThan(HEARD);
  expect(h.caller!.third).toBeLessThan(SILENT);
  expect(h.caller!.device).toBeGreaterThan(HEARD);
  expect(h.supervisor!.caller).toBeGreaterThan(HEARD);

  // the supervisor leaves: their phone is hung up, the call goes on
  p.cti.stopMonitor(SUP, callId);
  await supervisor.released();
  await until(() => p.cti.monitorOf(SUP.id) === null, 5000, 'monitor over');
  // what the monitoring left is a plain call again (the ACD's mix of two talkers became a bridge): hold works
  expect(await p.cti.holdCall(OP1.id, callId, true)).toMatchObject({ status: 'held' });
  h = await hearing(bare, { caller: c.phone });
  expect(h.caller!.rms).toBeGreaterThan(500);
  expect(h.caller!.device).toBeLessThan(SILENT);
  expect(await p.cti.holdCall(OP1.id, callId, false)).toMatchObject({ status: 'connected' });
  h = await hearing(bare, { caller: c.phone });
  expect(h.caller!.device).toBeGreaterThan(HEARD);
  expect(h.device!.caller).toBeGreaterThan(HEARD);

  // blind transfer to a second operator: audio both ways with them, the device released
  p.cti.operatorConnected(OP2);
  const second = await registeredRtpPhone(p.acd.ports.UDP!, p.cti.chooseSipPhone(OP2.id), 'second', p.closers);
  p.cti.setReady(OP2.id);
  expect(await p.cti.transferCall(OP1.id, callId, { kind: 'operator', operatorId: OP2.id })).toMatchObject({ status: 'offering' });
  await until(() => !p.acd.legs().some((l) => l.legId === deviceLeg), 8000, 'the first device released');
  expect(p.cti.getAgent(OP1.id)?.state).toBe('wrap_up');
  await second.answerNext();
  second.speak(TONE.third);
  await until(() => p.cti.getAgent(OP2.id)?.state === 'talking', 10_000, 'second operator talking');
  expect(p.cti.getCall(callId)).toMatchObject({ status: 'connected', operatorId: OP2.id });
  h = await hearing(bare, { caller: c.phone, second: second.rtp });
  expect(h.caller!.third).toBeGreaterThan(HEARD);
  expect(h.caller!.device).toBeLessThan(SILENT);
  expect(h.second!.caller).toBeGreaterThan(HEARD);
  expect(h.device!.caller).toBeLessThan(SILENT); // released: its recording stopped growing with the caller

  await c.hangUp();
  await second.released();
  await until(() => p.cti.getCall(callId)?.status === 'ended', 5000, 'ended');
  await until(() => p.acd.legs().length === 0, 5000, 'nothing left in the ACD');
  await until(() => p.cti.getAgent(OP2.id)?.state === 'ready', 5000, 'OP2 ready after wrap-up');
  await p.cti.setNotReady(OP2.id);
  await until(() => p.cti.getAgent(OP1.id)?.state === 'ready', 5000, 'OP1 ready after wrap-up');
  await p.cti.setNotReady(OP1.id);
  await bare.stop();
}

describe('in-call controls and monitoring with baresip as the operator’s device (real ACD, CTI, bank)', () => {
  it('a mobile through a loopback trunk: hold, resume, listen, whisper, blind transfer — by tone on its recording', { timeout: 150_000 }, async () => {
    await controlsOn(await baresipDevice('mobile', '49600-49649'));
  });

  it('a SIP phone registered at the ACD: hold, resume, listen, whisper, blind transfer — by tone on its recording', { timeout: 150_000 }, async () => {
    await controlsOn(await baresipDevice('sip_phone', '49650-49699'));
  });

  it('a supervisor monitoring on their own mobile through the trunk: asked to press 1 (spoken, repeated), silent of the call until 1, listen, whisper, barge, back to listen, leave — by tone on its recording', { timeout: 150_000 }, async () => {
    // the operator on a desk phone (plain RTP peer) speaking the operator's tone; baresip is the supervisor's mobile
    p.cti.operatorConnected(OP2);
    const op = await registeredRtpPhone(p.acd.ports.UDP!, p.cti.chooseSipPhone(OP2.id), 'operator', p.closers);
    p.cti.setReady(OP2.id);
    const c = await plainRtpCaller(p, 'Pat', '+442079460958', TONE.caller);
    await op.answerNext(20_000);
    op.speak(DEVICE_TONE);
    await until(() => p.cti.getAgent(OP2.id)?.state === 'talking', 20_000, 'operator talking');
    const callId = p.cti.getAgent(OP2.id)!.callId!;
    const legsBefore = p.acd.legs().length;

    const dir = mkdtempSync(path.join(tmpdir(), 'pb-sup-mobile-'));
    dirs.push(dir);
    const bare = await startBaresipPhone({
      dir, rtpPorts: '49700-49749', toneHz: TONE.third, lifetimeSec: 150, readyTimeoutMs: 20_000, sipPort: mobilePort, ctrlPort: await freePort(),
      account: `<sip:${SUP_MOBILE}@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMU,PCMA`, readyWhen: /baresip is ready/,
    });
    p.closers.push(() => bare.stop());
    expect(await p.cti.monitorMobile(SUP, SUP_MOBILE)).toEqual({ kind: 'mobile', e164Masked: '+44•••••456' });
    expect(p.cti.startMonitor(SUP, callId, 'listen')).toMatchObject({ state: 'ringing', device: 'mobile' });
    await until(() => p.acd.legs().length === legsBefore + 1 && /Call established|established/i.test(bare.output()), 20_000, `the mobile answered\n${bare.output()}`);
    const peers = { caller: c.phone, operator: op.rtp };

    // answered, not yet 1: nobody hears the mobile, and it hears nothing of the call (a voicemail would
    // record silence) — only the spoken question, over and over: 9 s are more than two of its 4.1 s turns
    let h = await hearing(bare, peers, 9000);
    expect(p.cti.monitorOf(SUP.id)?.state).toBe('ringing');
    expect(h.device!.caller).toBeLessThan(SILENT);
    expect(h.device!.device).toBeLessThan(SILENT);
    expect(h.caller!.third).toBeLessThan(SILENT);
    expect(h.operator!.third).toBeLessThan(SILENT);
    const asked = promptHeard(bare.decodedPcm()!, MONITOR_PRESS1);
    expect(asked.distinct, bare.output()).toBeGreaterThanOrEqual(Math.floor(asked.of * 0.9));
    expect(asked.total / asked.of).toBeGreaterThan(1.8);

    await bare.pressKeys('1');
    await until(() => p.cti.monitorOf(SUP.id)?.state === 'connected', 10_000, `joined on the 1\n${bare.output()}`);

    // listen: the supervisor hears both; neither party hears the supervisor
    h = await hearing(bare, peers);
    expect(h.device!.caller).toBeGreaterThan(HEARD);
    expect(h.device!.device).toBeGreaterThan(HEARD);
    expect(h.caller!.third).toBeLessThan(SILENT);
    expect(h.operator!.third).toBeLessThan(SILENT);
    expect(h.caller!.device).toBeGreaterThan(HEARD);
    expect(h.operator!.caller).toBeGreaterThan(HEARD);

    // whisper: only the operator hears the supervisor
    expect(await p.cti.setMonitorMode(SUP, callId, 'whisper')).toMatchObject({ state: 'connected', mode: 'whisper' });
    h = await hearing(bare, peers);
    expect(h.operator!.third).toBeGreaterThan(HEARD);
    expect(h.caller!.third).toBeLessThan(SILENT);
    expect(h.device!.caller).toBeGreaterThan(HEARD);
    expect(h.device!.device).toBeGreaterThan(HEARD);

    // barge: all three hear each other
    expect(await p.cti.setMonitorMode(SUP, callId, 'barge')).toMatchObject({ mode: 'barge' });
    h = await hearing(bare, peers);
    expect(h.operator!.third).toBeGreaterThan(HEARD);
    expect(h.caller!.third).toBeGreaterThan(HEARD);
    expect(h.caller!.device).toBeGreaterThan(HEARD);
    expect(h.operator!.caller).toBeGreaterThan(HEARD);
    expect(h.device!.caller).toBeGreaterThan(HEARD);
    expect(h.device!.device).toBeGreaterThan(HEARD);

    // back to listen: heard by nobody again
    expect(await p.cti.setMonitorMode(SUP, callId, 'listen')).toMatchObject({ mode: 'listen' });
    h = await hearing(bare, peers);
    expect(h.caller!.third).toBeLessThan(SILENT);
    expect(h.operator!.third).toBeLessThan(SILENT);
    expect(h.device!.caller).toBeGreaterThan(HEARD);

    // leave: the mobile's leg only; the call goes on both ways
    p.cti.stopMonitor(SUP, callId);
    await until(() => p.acd.legs().length === legsBefore && p.cti.monitorOf(SUP.id) === null, 8000, 'the mobile released');
    h = await hearing(bare, peers);
    expect(h.caller!.device).toBeGreaterThan(HEARD);
    expect(h.operator!.caller).toBeGreaterThan(HEARD);
    expect(h.device!.caller).toBeLessThan(SILENT); // released: its recording stopped growing

    await c.hangUp();
    await op.released();
    await until(() => p.cti.getCall(callId)?.status === 'ended', 5000, 'ended');
    await until(() => p.acd.legs().length === 0, 5000, 'nothing left in the ACD');
    await until(() => p.cti.getAgent(OP2.id)?.state === 'ready', 5000, 'OP2 ready after wrap-up');
    await p.cti.setNotReady(OP2.id);
    await bare.stop();
  });
});
