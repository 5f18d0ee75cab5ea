import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../server/acd/media/g711';
import { readPcapUdp, type SeenRtp } from '../../server/acd/media/test-udp-peer';
import { rms, startBaresipPhone, type BaresipPhone } from '../../server/acd/test-support/baresip-phone';
import { StaticTrunkDirectory } from '../../server/acd/trunks/trunk-directory';
import type { AuthUser } from '../../server/contracts/auth';
import { plainRtpCaller, queueEdit, startQueuePlatform, type QueuePlatform } from '../../server/cti/test-support/queue-platform';
import { DEMO } from '../../server/db/seed';
import { createLogger } from '../../server/log';
import { press1ClipName } from '../../server/shared/press-one-prompt';
import { goertzel } from '../../server/test-support/tone';
import { requireTool } from '../../server/test-support/system-tools';
import { until, untilAsync } from '../../server/test-support/until';
import { freePort, killSipps, runSipp } from '../sipp/sipp-runner';

/**
 * Press-1 accept against the real parts: the ACD and its media engine, the JsSIP bank, the CTI and
 * the admin services on PGlite (the queue platform), with
 * - Olivia's mobile: baresip behind a UDP loopback trunk, auto-answering like a voicemail and
 *   playing a 600 Hz tone, never keying anything;
 * - Oscar's SIP phone: SIPp registered over UDP, keying 1 (RFC 4733, SIPp's own pcap) and then
 *   talking (SIPp's g711a.pcap) — or, in the last test, keying 5.
 * The caller is a plain RTP phone whose received packets are the recording checked: until the
 * CTI bridges, every frame it hears is a frame of the hold music (so nothing of baresip's tone,
 * nor of the question, reached it); after Oscar's 1 it hears SIPp's audio.
 */
requireTool('baresip');
requireTool('sipp');
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const ADMIN = { id: 'u-admin', name: 'Ada Admin' };
const OP1: AuthUser = { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' };
const OP2: AuthUser = { id: 'u-op2', email: 'oscar@patchbay.local', name: 'Oscar Operator', role: 'OPERATOR' };
const MOBILE = '+447700900123';
const TIMEOUT_SEC = 4;

let p: QueuePlatform;
let bare: BaresipPhone;
let dir: string;
let q0Version: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pb-press1-'));
  const sipPort = await freePort();
  bare = await startBaresipPhone({ dir, sipPort, rtpPorts: '49200-49299', account: `<sip:${MOBILE}@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMA,PCMU`, toneHz: 600, readyWhen: /baresip is ready/ });
  const trunks = new StaticTrunkDirectory([
    {
      id: 't1', name: 'loopback', host: '127.0.0.1', port: sipPort, transport: 'udp', username: 'pb-acct', password: 'carrier-password-1', realm: null,
      register: false, registerExpirySec: 600, inboundSources: [], inboundDigest: false, outbound: true,
      callerIdMode: 'fixed', callerIdE164: '+15550199', assertIdentity: true, privacy: false, enabled: true, dids: [],
    },
  ]);
  p = await startQueuePlatform({
    logger,
    rtpPortRange: [49000, 49099],
    portRange: [49100, 49199],
    rtpTimeoutSec: 60,
    trunks,
    followLibrary: true,
    // Olivia verified her mobile earlier (the verification call is cti-mobile.integration.test.ts's)
    prepare: async (db) => void (await db.prisma.user.update({ where: { id: OP1.id }, data: { mobileE164: MOBILE, mobileVerifiedAt: new Date() } })),
  });
  // as the admin's form saves it: mobiles asked (the default), SIP phones too, 4 s to press
  const q = await p.admin.queues.get(DEMO.queue.id);
  q0Version = q.version;
  expect(q).toMatchObject({ press1Mobile: true, press1SipPhone: false, press1TimeoutSec: 10 });
  await p.admin.queues.update(ADMIN, DEMO.queue.id, { ...queueEdit(q), press1SipPhone: true, press1TimeoutSec: TIMEOUT_SEC, ringTimeoutSec: 20, wrapUpSec: 0 });
  await p.cti.configChanged({ entity: 'queue', id: DEMO.queue.id });
  // the ACD's clip library reads the new clip on the save's notification (as in main.ts)
  await until(() => p.engine.clips.get(press1ClipName(DEMO.queue.id)) !== undefined, 15_000, 'the queue’s sentence in the ACD’s clip library');
}, 120_000);

afterAll(async () => {
  killSipps();
  await p?.stop();
  await bare?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

async function timeline(): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  await p.cti.flush();
  const rows = await p.db.prisma.callEvent.findMany({ orderBy: [{ callId: 'asc' }, { seq: 'asc' }] });
  return rows.map((r) => ({ type: r.type, data: (r.data ?? {}) as Record<string, unknown> }));
}

/** Oscar's SIP phone: SIPp registers with the credentials the console would show him, then runs `scenario`. */
async function oscarsPhone(scenario: string, seconds: number) {
  p.cti.operatorConnected(OP2);
  const grant = p.cti.chooseSipPhone(OP2.id);
  const sipPort = await freePort();
  const mediaPort = 49300 + 2 * Math.floor(Math.random() * 45);
  const args = ['-t', 'u1', '-i', '127.0.0.1', '-p', String(sipPort), '-mi', '127.0.0.1', '-mp', String(mediaPort), '-s', grant.sipUser, '-au', grant.sipUser, '-ap', grant.sipPassword];
  const reg = await runSipp('device-register.xml', [...args, `127.0.0.1:${p.acd.ports.UDP!}`], 8).done;
  expect(reg.errors).toBe('');
  expect(reg.code).toBe(0);
  return runSipp(scenario, args, seconds);
}

/** The hold music's frames as the ACD sends them to a PCMA caller. */
const musicFrames = () => new Set(p.engine.clips.get('default')!.frames.PCMA.map((f) => f.toString('hex')));
const pcma = (rx: SeenRtp[]) => rx.filter((r) => r.pt === 8);

describe('press-1 accept (real ACD, bank, CTI; baresip mobile behind a trunk; SIPp SIP phone)', () => {
  it('the queue’s sentence is synthesised on save, kept out of the library’s lists, and routed with', async () => {
    const clip = p.engine.clips.get(press1ClipName(DEMO.queue.id))!;
    expect(clip.frames.PCMA.length).toBeGreaterThan(100); // "Press 1 to take this call from Support." and its pause: > 2 s
    const row = await p.db.prisma.queue.findUniqueOrThrow({ where: { id: DEMO.queue.id } });
    expect(row.press1Clip).toBe(press1ClipName(DEMO.queue.id));
    expect((await p.admin.audio.options()).map((o) => o.name)).not.toContain(row.press1Clip);
    expect((await p.admin.audio.list()).map((o) => o.name)).not.toContain(row.press1Clip);
    // the audit row of the save carries the new settings like any other queue field
    const audit = await p.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'queue.update', entityId: DEMO.queue.id }, orderBy: { at: 'desc' } });
    expect(audit.after).toMatchObject({ press1Mobile: true, press1SipPhone: true, press1TimeoutSec: TIMEOUT_SEC });
    expect(audit.before).toMatchObject({ press1SipPhone: false, press1TimeoutSec: 10 });
    // the sentence, made after the save (it does not hold the save up), has its own audit entry
    const said = await p.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'queue.press1-sentence', entityId: DEMO.queue.id } });
    expect(said.after).toMatchObject({ press1Clip: row.press1Clip, text: 'Press 1 to take this call from Support.' });
    expect(row.version).toBe(q0Version + 1); // the save's bump only: an open form stays current
  });

  it('a mobile that answers and keys nothing is never bridged; the miss is timed out, counted, and the call goes to Oscar, whose 1 bridges him', { timeout: 90_000 }, async () => {
    const { cti, acd } = p;
    cti.operatorConnected(OP1);
    await cti.chooseMobile(OP1.id, MOBILE);
    cti.setReady(OP1.id);
    // Oscar's phone keys 1 when it is asked; he became Ready after Olivia (longest idle offers her first)
    await new Promise((r) => setTimeout(r, 50));
    const sipp = await oscarsPhone('device-uas-press1.xml', 60);
    cti.setReady(OP2.id);

    const caller = await plainRtpCaller(p, 'Carla');
    // Olivia's mobile: the ACD dials out through the trunk; baresip answers at once and is asked
    await untilAsync(async () => (await timeline()).some((e) => e.type === 'press1-asked' && e.data.operatorId === OP1.id), 20_000, 'the mobile answered and is asked');
    const askedAt = Date.now();
    // …it keys nothing: after the queue's 4 s the CTI releases it, Olivia missed the call, Oscar is offered it
    await untilAsync(async () => (await timeline()).some((e) => e.type === 'press1-asked' && e.data.operatorId === OP2.id), 30_000, 'offered to Oscar and asked');
    expect(Date.now() - askedAt).toBeGreaterThanOrEqual(TIMEOUT_SEC * 1000 - 500);
    // Oscar's phone keys 1: the CTI bridges the caller to it
    const callerLeg = () => acd.legs().find((l) => l.kind === 'caller');
    await until(() => callerLeg()?.state === 'bridged', 15_000, 'the caller bridged to Oscar');
    const bridgedAt = caller.phone.received.length;
    await until(() => cti.getAgent(OP2.id)?.state === 'talking', 5000, 'Oscar talking');

    // the caller's audio until the bridge: hold music, frame for frame — nothing of baresip's tone or of the question
    const music = musicFrames();
    const before = pcma(caller.phone.received.slice(0, bridgedAt));
    expect(before.length).toBeGreaterThan(4 * 50); // the 4 s question at least
    const foreign = before.filter((r) => !music.has(r.payload.toString('hex')));
    expect(foreign.length, 'frames the caller heard before Oscar that were not the hold music').toBe(0);
    const heard = Int16Array.from(before.flatMap((r) => [...decode(r.payload, 'PCMA')]));
    expect(goertzel(heard, 600, 8000)).toBeLessThan(1e-4);
    // baresip heard something while asked (the question; the caller's silence never reached it)
    expect(rms(bare.decodedPcm() ?? []), bare.output()).toBeGreaterThan(300);

    // after Oscar's 1 the caller hears Oscar's phone: SIPp's g711a.pcap, frame for frame
    const spoken = new Set(readPcapUdp('/usr/share/sip-tester/g711a.pcap').map((u) => u.data.subarray(12).toString('hex')));
    await until(() => pcma(caller.phone.received.slice(bridgedAt)).filter((r) => spoken.has(r.payload.toString('hex'))).length > 50, 10_000, 'the caller hears Oscar’s phone');

    const ev = await timeline();
    const types = ev.map((e) => `${e.type}${e.data.operatorId === OP1.id ? ':olivia' : e.data.operatorId === OP2.id ? ':oscar' : ''}`);
    expect(types).toEqual(expect.arrayContaining(['offered:olivia', 'press1-asked:olivia', 'press1-refused:olivia', 'no-answer:olivia', 'requeued', 'offered:oscar', 'press1-asked:oscar', 'press1-accepted:oscar', 'answered:oscar']));
    expect(types.indexOf('press1-refused:olivia')).toBeLessThan(types.indexOf('offered:oscar'));
    expect(types).not.toContain('answered:olivia');
    expect(ev.find((e) => e.type === 'press1-refused')!.data).toMatchObject({ reason: 'timed_out', why: `no key pressed within ${TIMEOUT_SEC} s` });
    expect(ev.find((e) => e.type === 'no-answer')!.data).toMatchObject({ operatorId: OP1.id, misses: 1, notReady: true });
    expect(cti.getAgent(OP1.id)).toMatchObject({ state: 'not_ready', notReady: { cause: 'missed' } });

    // the caller hangs up: the CTI releases Oscar's phone (SIPp takes the BYE and passes)
    await caller.hangUp();
    const run = await sipp.done;
    expect(run.errors).toBe('');
    expect(run.code).toBe(0);
    await until(() => acd.legs().length === 0, 10_000, 'the ACD holds no legs');
  });

  it('a phone that keys another digit is released and never bridged: a miss in the timeline', { timeout: 60_000 }, async () => {
    const { cti, acd, db } = p;
    // Olivia is Not ready from her miss; Oscar, Ready after his call, keys 5 this time
    await db.prisma.callEvent.deleteMany({});
    await until(() => cti.getAgent(OP2.id)?.state === 'ready', 10_000, 'Oscar ready');
    const sipp = await oscarsPhone('device-uas-press5.xml', 30);
    const caller = await plainRtpCaller(p, 'Cora');
    await untilAsync(async () => (await timeline()).some((e) => e.type === 'press1-refused'), 20_000, 'the 5 refused');
    const run = await sipp.done; // SIPp passes only once it got the CTI's BYE
    expect(run.errors).toBe('');
    expect(run.code).toBe(0);
    const ev = await timeline();
    expect(ev.find((e) => e.type === 'press1-refused')!.data).toMatchObject({ operatorId: OP2.id, reason: 'pressed_other', digit: '5' });
    expect(ev.find((e) => e.type === 'no-answer')!.data).toMatchObject({ operatorId: OP2.id });
    expect(ev.map((e) => e.type)).not.toContain('answered');
    // the caller waits on, never bridged: music frame for frame
    const callerLeg = acd.legs().find((l) => l.kind === 'caller');
    expect(callerLeg?.state).toBe('parked');
    const music = musicFrames();
    expect(pcma(caller.phone.received).filter((r) => !music.has(r.payload.toString('hex'))).length).toBe(0);
    await caller.hangUp();
    await until(() => acd.legs().length === 0, 10_000, 'the ACD holds no legs');
  });
});
