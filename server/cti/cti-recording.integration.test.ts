import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Acd } from '../acd/acd';
import { decode, encode } from '../acd/media/g711';
import { UdpRtpPeer } from '../acd/media/test-udp-peer';
import { WeriftMediaEngine } from '../acd/media/werift-media-engine';
import { SipWsClient } from '../acd/test-support/sip-ws-client';
import type { AuthUser } from '../contracts/auth';
import { openDatabase, type Database } from '../db/database';
import { DEMO, seedDemo } from '../db/seed';
import { createLogger } from '../log';
import { LocalRecordingStorage } from '../recordings/local-recording-storage';
import { RecordingCatalog } from '../recordings/recording-catalog';
import { readWavInfo } from '../recordings/wav-info';
import { RECORDING_PROMPT } from '../shared/recording-prompts';
import { goertzel } from '../acd/test-support/tones';
import { placeCall } from '../test-support/sip-peers';
import { until } from '../test-support/until';
import { CtiService } from './cti-service';
import { PrismaCtiStore } from './prisma-cti-store';
import { UaBank } from './ua-bank/ua-bank';

/**
 * A call in an "always" queue, end to end through the real parts: the CTI (real bank over
 * SIP/WS) dials the operator's SIP phone with X-PB-Record: on, the real ACD and media engine
 * record the bridge, the caller hangs up, and the CTI stores the recording's row with the
 * duration and size read from the finalised WAV — which holds both parties' audio. With the
 * queue's "tell the caller", the plain RTP caller's received audio holds the notice, frame for
 * frame as the ACD's built-in prompt: before the bridge (always) or at Record (on demand),
 * never heard by the operator.
 */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const SECRET = 'cti-recording-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const OP1: AuthUser = { id: DEMO.users[1].id, email: DEMO.users[1].email, name: DEMO.users[1].name, role: 'OPERATOR' };
const OP2: AuthUser = { id: 'u-op2', email: 'oscar@patchbay.local', name: 'Oscar Operator', role: 'OPERATOR' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let db: Database;
let acd: Acd;
let engine: WeriftMediaEngine;
let bank: UaBank;
let cti: CtiService;
let dir: string;
const closers: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pb-cti-rec-'));
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { wrapUpSec: 1, recordingPolicy: 'always' } });
  engine = new WeriftMediaEngine(logger, { rtpPortRange: [46200, 46299], portRange: [46300, 46399], rtpTimeoutSec: 10 });
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 10, transports: { udpPort: 0 }, recordingsDir: dir },
    dialPlan: { lookup: (n) => (n === DEMO.number ? { holdAudio: 'default' } : null) },
    media: engine,
    logger,
  });
  await acd.start();
  const wsUrl = `ws://127.0.0.1:${acd.port}`;
  bank = new UaBank({ wsUrl, domain: DOMAIN, secret: SECRET, size: 1, logger });
  cti = new CtiService({
    bank,
    store: new PrismaCtiStore(db.prisma),
    notifier: { agentChanged: () => undefined, callOffered: () => undefined, callChanged: () => undefined },
    logger,
    secret: SECRET,
    sipDomain: DOMAIN,
    deviceWsUrl: wsUrl,
    deviceCredTtlSec: 600,
    recordings: new RecordingCatalog(db.prisma, new LocalRecordingStorage(dir), logger, { pollMs: 50 }),
  });
  cti.start();
  await bank.start(5000);
}, 30_000);

afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await cti.stop();
  await bank.stop();
  await acd.stop();
  await engine.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}, 20_000);

function tone(hz: number, from: number): Int16Array {
  return Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * hz * (from + i)) / 8000)));
}

/** Sends a tone in 20 ms frames until stopped. */
function speak(peer: UdpRtpPeer, pt: 0 | 8, hz: number): () => void {
  let n = 0;
  const t = setInterval(() => peer.send(pt, encode(tone(hz, n++ * 160), pt === 0 ? 'PCMU' : 'PCMA')), 20);
  return () => clearInterval(t);
}

/** True for a frame (A-law, as the caller receives it) that is the operator's 1 kHz tone: most of its energy at 1 kHz (Goertzel). */
function operatorTone(payload: Buffer): boolean {
  const x = decode(payload, 'PCMA');
  const w = (2 * Math.PI * 1000) / 8000;
  let re = 0;
  let im = 0;
  let energy = 0;
  x.forEach((v, n) => {
    re += v * Math.cos(w * n);
    im -= v * Math.sin(w * n);
    energy += v * v;
  });
  // a pure tone puts (N/2)·Σx² into |X(f)|²; music and speech spread theirs
  return energy > 160 * 2000 ** 2 && (re * re + im * im) / ((x.length / 2) * energy) > 0.8;
}

function rms(pcm: Int16Array): number {
  let s = 0;
  for (const x of pcm) s += x * x;
  return Math.sqrt(s / Math.max(1, pcm.length));
}

/**
 * How much of a clip a party received, as the ACD sends it (frames matched exactly, in its law):
 * `at` the packet index of the clip's first and last frame heard. Silent frames (shared with
 * any quiet audio) do not count.
 */
function clipHeard(peer: UdpRtpPeer, clip: string, law: 'PCMU' | 'PCMA'): { frames: number; of: number; first: number; last: number } {
  const silence = encode(new Int16Array(160), law).toString('hex');
  const frames = engine.clips.get(clip)!.frames[law].map((f) => f.toString('hex')).filter((h) => h !== silence);
  const wanted = new Set(frames);
  const heard = peer.received.map((r, i) => ({ hex: r.payload.toString('hex'), i })).filter((r) => wanted.has(r.hex));
  return { frames: new Set(heard.map((h) => h.hex)).size, of: wanted.size, first: heard[0]?.i ?? -1, last: heard.at(-1)?.i ?? -1 };
}

/** An operator's SIP phone over UDP (plain RTP), registered with the CTI's grant; the operator Ready. */
async function phoneFor(operatorId: string, name: string): Promise<{ phone: SipWsClient; phoneRtp: UdpRtpPeer }> {
  const grant = cti.chooseDevice(operatorId, 'browser');
  const phone = await SipWsClient.udp('127.0.0.1', acd.ports.UDP!, name);
  closers.push(() => phone.close());
  expect((await phone.register(grant.sipUser, DOMAIN, grant.sipUser, grant.sipPassword)).status).toBe(200);
  const phoneRtp = await UdpRtpPeer.open();
  closers.push(() => phoneRtp.close());
  if (cti.getAgent(operatorId)?.state !== 'ready') cti.setReady(operatorId);
  return { phone, phoneRtp };
}

/** The phone answers its next INVITE with plain RTP and speaks `hz`; the dialog and the tone's stop. */
async function answerRing(phone: SipWsClient, phoneRtp: UdpRtpPeer, hz: number): Promise<{ dialog: ReturnType<SipWsClient['answer']>; stop: () => void }> {
  const ring = await phone.request('INVITE', () => true, 8000);
  phoneRtp.aimAt(ring.body);
  const dialog = phone.answer(ring, 200, { body: phoneRtp.sdp({ pts: '0 101' }) });
  await phone.request('ACK', (r) => r.headers.get('Call-ID') === dialog.callId);
  const stop = speak(phoneRtp, 0, hz);
  closers.push(stop);
  return { dialog, stop };
}

/** The operator's SIP phone (UDP, plain RTP) registered with the CTI's grant, a caller speaking 440 Hz, answered and speaking 1 kHz. */
async function connectedCall(): Promise<{ callId: string; callerRtp: UdpRtpPeer; phoneRtp: UdpRtpPeer; hangUp: () => Promise<void>; callerHangsUp: () => Promise<void> }> {
  if (!cti.getAgent(OP1.id)) cti.operatorConnected(OP1);
  await until(() => ['not_ready', 'ready'].includes(cti.getAgent(OP1.id)?.state ?? ''), 5000, 'out of wrap-up');
  const { phone, phoneRtp } = await phoneFor(OP1.id, 'phone');

  const callerRtp = await UdpRtpPeer.open();
  closers.push(() => callerRtp.close());
  const caller = await SipWsClient.connect(`ws://127.0.0.1:${acd.port}`, 'caller');
  closers.push(() => caller.close());
  const { ok, dialog } = await placeCall(caller, `sip:${DEMO.number}@${DOMAIN}`, callerRtp.sdp({ pts: '8 101' }));
  expect(ok.status).toBe(200);
  callerRtp.aimAt(ok.body);
  const stopCaller = speak(callerRtp, 8, 440);
  closers.push(stopCaller);

  const { dialog: phoneDialog, stop: stopPhone } = await answerRing(phone, phoneRtp, 1000);
  // 10 s: with a notice, the bridge waits for the caller to have heard it
  await until(() => cti.getAgent(OP1.id)?.state === 'talking', 10_000, 'talking');
  const callId = cti.getAgent(OP1.id)!.callId!;
  return {
    callId,
    callerRtp,
    phoneRtp,
    callerHangsUp: async () => {
      caller.send(caller.inDialog('BYE', dialog));
      expect((await caller.response(dialog.callId, 'BYE')).status).toBe(200);
      stopCaller();
    },
    hangUp: async () => {
      caller.send(caller.inDialog('BYE', dialog));
      expect((await caller.response(dialog.callId, 'BYE')).status).toBe(200);
      const bye = await phone.request('BYE', (r) => r.headers.get('Call-ID') === phoneDialog.callId, 5000);
      phone.respond(bye, 200);
      stopCaller();
      stopPhone();
    },
  };
}

describe('recording through CTI, bank and ACD', () => {
  it('records an answered call and stores its row with the duration and size of a non-silent WAV', async () => {
    const { callId, callerRtp, hangUp } = await connectedCall();

    await sleep(2000);
    await hangUp();
    // the queue does not tell its callers: no notice was played
    expect(clipHeard(callerRtp, RECORDING_PROMPT.always, 'PCMA').frames).toBe(0);
    expect(cti.getCall(callId)?.callerTold).toBeUndefined();

    await cti.flush(); // the catalog's write is on the call's chain: it waited for the finalised file
    const rows = await db.prisma.recording.findMany({ where: { callId } });
    expect(rows).toHaveLength(1);
    const rec = rows[0]!;
    expect(rec).toMatchObject({ queueId: DEMO.queue.id, operatorId: OP1.id, storage: 'local' });
    expect(rec.fileName).toMatch(/^leg-[0-9a-f]+-leg-[0-9a-f]+\.wav$/);
    expect(rec.durationMs).toBeGreaterThan(1500);
    expect(rec.durationMs).toBeLessThan(4000);
    const call = await db.prisma.call.findUniqueOrThrow({ where: { id: callId } });
    expect(rec.startedAt.getTime()).toBe(call.answeredAt!.getTime());

    const wav = readFileSync(path.join(dir, rec.fileName));
    expect(Number(rec.sizeBytes)).toBe(wav.length);
    const info = readWavInfo(wav, wav.length)!;
    expect(info).toMatchObject({ finalised: true, channels: 2, sampleRate: 8000, bitsPerSample: 16, durationMs: rec.durationMs });
    // not silence: both channels (caller left, operator right) carry their party's tone
    const frames = info.dataBytes / 4;
    const from = Math.floor(frames / 4);
    const span = Math.floor(frames / 2);
    const left = Int16Array.from({ length: span }, (_, i) => wav.readInt16LE(info.dataOffset + (from + i) * 4));
    const right = Int16Array.from({ length: span }, (_, i) => wav.readInt16LE(info.dataOffset + 2 + (from + i) * 4));
    expect(rms(left)).toBeGreaterThan(1000);
    expect(rms(right)).toBeGreaterThan(1000);
  }, 40_000);

  it('always, with a hold in the middle: one file and one row whose duration covers the whole call', async () => {
    const { callId, hangUp } = await connectedCall();
    await sleep(1000);
    const heldAt = Date.now();
    await cti.holdCall(OP1.id, callId, true);
    await sleep(1500);
    await cti.holdCall(OP1.id, callId, false);
    const resumedAt = Date.now();
    await sleep(1000);
    await hangUp();
    await cti.flush();
    const rows = await db.prisma.recording.findMany({ where: { callId } });
    expect(rows).toHaveLength(1);
    const rec = rows[0]!;
    const call = await db.prisma.call.findUniqueOrThrow({ where: { id: callId } });
    const callMs = call.endedAt!.getTime() - call.answeredAt!.getTime();
    process.stdout.write(`call ${callMs} ms, recording row ${rec.durationMs} ms\n`);
    expect(Math.abs(rec.durationMs - callMs)).toBeLessThan(500);
    const wav = readFileSync(path.join(dir, rec.fileName));
    const info = readWavInfo(wav, wav.length)!;
    expect(info).toMatchObject({ finalised: true, durationMs: rec.durationMs });
    // inside the held stretch: the caller's channel goes on, the operator's is silent (no music either)
    const at = (ms: number) => Math.floor(((ms - call.answeredAt!.getTime()) * 8000) / 1000);
    const [from, to] = [at(heldAt + 400), at(resumedAt - 400)];
    const held = (ch: 0 | 1) => Int16Array.from({ length: to - from }, (_, i) => wav.readInt16LE(info.dataOffset + ch * 2 + (from + i) * 4));
    expect(rms(held(0))).toBeGreaterThan(1000);
    expect(rms(held(1))).toBeLessThan(50);
    const after = at(resumedAt + 300);
    const resumed = Int16Array.from({ length: 4000 }, (_, i) => wav.readInt16LE(info.dataOffset + 2 + (after + i) * 4));
    expect(rms(resumed)).toBeGreaterThan(1000);
  }, 40_000);

  it('on demand: the operator starts and stops recording; each stretch is its own file and row', async () => {
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { recordingPolicy: 'on_demand' } });
    await cti.configChanged({ entity: 'queue', id: DEMO.queue.id }); // as the portal's change notification would
    const { callId, hangUp } = await connectedCall();
    expect(cti.getCall(callId)?.recording).toBe('off');
    await sleep(500);

    const started = await cti.setRecording(OP1.id, true);
    expect(started.recording).toBe('on');
    await sleep(1500);
    expect((await cti.setRecording(OP1.id, false)).recording).toBe('off');
    // the ACD answered the stop once the file was final: its row is stored while the call goes on
    await cti.flush();
    const first = await db.prisma.recording.findMany({ where: { callId } });
    expect(first).toHaveLength(1);
    expect(first[0]!.durationMs).toBeGreaterThan(1200);
    expect(first[0]!.durationMs).toBeLessThan(2500);
    expect(cti.getCall(callId)?.status).toBe('connected');

    await sleep(500);
    await cti.setRecording(OP1.id, true); // a second stretch, running when the caller hangs up
    await sleep(1000);
    await hangUp();
    await cti.flush();
    const rows = await db.prisma.recording.findMany({ where: { callId }, orderBy: { startedAt: 'asc' } });
    expect(rows).toHaveLength(2);
    expect(rows[1]!.fileName).toBe(rows[0]!.fileName.replace(/\.wav$/, '-2.wav'));
    expect(rows[1]!.durationMs).toBeGreaterThan(700);
    for (const r of rows) {
      const wav = readFileSync(path.join(dir, r.fileName));
      const info = readWavInfo(wav, wav.length)!;
      expect(info.finalised).toBe(true);
      const left = Int16Array.from({ length: Math.floor(info.dataBytes / 8) }, (_, i) => wav.readInt16LE(info.dataOffset + (Math.floor(info.dataBytes / 16) + i) * 4));
      expect(rms(left)).toBeGreaterThan(1000);
    }
    // the gaps between the stretches were not recorded: together they are shorter than the bridge
    const call = await db.prisma.call.findUniqueOrThrow({ where: { id: callId } });
    expect(rows[0]!.durationMs + rows[1]!.durationMs).toBeLessThan(call.endedAt!.getTime() - call.answeredAt!.getTime() - 800);
  }, 40_000);

  it('always, telling the caller: the caller hears the whole notice before the bridge, then the operator; the recording starts after it', async () => {
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { recordingPolicy: 'always', recordingNotice: true } });
    await cti.configChanged({ entity: 'queue', id: DEMO.queue.id });
    const { callId, callerRtp, phoneRtp, hangUp } = await connectedCall();
    const view = cti.getCall(callId);
    expect(view).toMatchObject({ recording: 'always', callerTold: true });
    await sleep(1500);
    await hangUp();
    const notice = clipHeard(callerRtp, RECORDING_PROMPT.always, 'PCMA');
    // the ~3 s notice reached the caller: every distinct frame but those the ACD's frame pacer
    // skips by design when its event loop was blocked past its catch-up (frame-pacer.ts; a loaded CI)
    expect(notice.frames).toBeGreaterThanOrEqual(Math.floor(notice.of * 0.95));
    expect(notice.of).toBeGreaterThan(100);
    // the operator's 1 kHz (sent as PCMU, transcoded to the caller's A-law) only after the notice's last frame
    const ops = callerRtp.received.map((r, i) => ({ r, i })).filter(({ r }) => r.pt === 8 && operatorTone(r.payload));
    expect(ops.length).toBeGreaterThan(20);
    expect(ops[0]!.i).toBeGreaterThan(notice.last);
    // the operator never heard it
    expect(clipHeard(phoneRtp, RECORDING_PROMPT.always, 'PCMU').frames).toBe(0);
    await cti.flush();
    const [rec] = await db.prisma.recording.findMany({ where: { callId } });
    const call = await db.prisma.call.findUniqueOrThrow({ where: { id: callId } });
    expect(rec!.startedAt.getTime()).toBe(call.answeredAt!.getTime());
    expect(rec!.durationMs).toBeLessThan(call.endedAt!.getTime() - call.answeredAt!.getTime() + 500);
  }, 40_000);

  it('on demand, telling the caller: Record plays "now being recorded" to the caller alone, the console is told', async () => {
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { recordingPolicy: 'on_demand', recordingNotice: true } });
    await cti.configChanged({ entity: 'queue', id: DEMO.queue.id });
    const { callId, callerRtp, phoneRtp, hangUp } = await connectedCall();
    expect(cti.getCall(callId)?.callerTold).toBeUndefined();
    await sleep(500);
    const before = callerRtp.received.length;
    expect(await cti.setRecording(OP1.id, true)).toMatchObject({ recording: 'on', callerTold: true });
    await until(() => clipHeard(callerRtp, RECORDING_PROMPT.onDemand, 'PCMA').last > 0 && callerRtp.received.length > clipHeard(callerRtp, RECORDING_PROMPT.onDemand, 'PCMA').last + 50, 10_000, 'the notice and a second after it');
    const notice = clipHeard(callerRtp, RECORDING_PROMPT.onDemand, 'PCMA');
    expect(notice.frames).toBeGreaterThanOrEqual(Math.floor(notice.of * 0.95)); // as above: the pacer may skip a few under load
    expect(notice.first).toBeGreaterThanOrEqual(before);
    // while the notice plays the caller hears it alone (the operator's tone is held back), and the operator again after
    const tone = (i: number) => operatorTone(callerRtp.received[i]!.payload);
    const during = Array.from({ length: notice.last - notice.first + 1 }, (_, k) => notice.first + k).filter(tone);
    expect(during).toEqual([]);
    // the operator is heard before the notice and again after it
    expect(Array.from({ length: 20 }, (_, k) => notice.first - 21 + k).filter(tone).length).toBeGreaterThan(15);
    expect(Array.from({ length: 40 }, (_, k) => notice.last + 5 + k).filter(tone).length).toBeGreaterThan(30);
    expect(clipHeard(phoneRtp, RECORDING_PROMPT.onDemand, 'PCMU').frames).toBe(0);
    await hangUp();
    await cti.flush();
    expect(await db.prisma.recording.count({ where: { callId } })).toBe(1);
  }, 40_000);

  it('refuses Record in a queue that does not record on demand, and when not on a call', async () => {
    await expect(cti.setRecording(OP1.id, true)).rejects.toMatchObject({ code: 'CONFLICT', message: 'you are not on a call' });
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { recordingPolicy: 'never', recordingNotice: false } });
    await cti.configChanged({ entity: 'queue', id: DEMO.queue.id }); // as the portal's change notification would
    const { callId, hangUp } = await connectedCall();
    expect(cti.getCall(callId)?.recording).toBe('not-offered');
    await expect(cti.setRecording(OP1.id, true)).rejects.toMatchObject({ code: 'CONFLICT', message: "this queue's calls are not recorded on demand" });
    await hangUp();
    await cti.flush();
    expect(await db.prisma.recording.count({ where: { callId } })).toBe(0);
  }, 40_000);

  // last in the file: the second operator stays signed in afterwards and would be offered later tests' calls
  it('always, blind transfer to a second operator: the same file goes on; one row from the first answer to the end', async () => {
    await db.prisma.queue.update({ where: { id: DEMO.queue.id }, data: { recordingPolicy: 'always', recordingNotice: false } });
    await cti.configChanged({ entity: 'queue', id: DEMO.queue.id });
    const { callId, callerHangsUp } = await connectedCall();
    const firstAnswer = cti.getCall(callId)!.answeredAt!;
    // Oscar's SIP phone, registered with the CTI's grant, speaking 3.1 kHz
    cti.operatorConnected(OP2);
    const { phone: phone2, phoneRtp: rtp2 } = await phoneFor(OP2.id, 'phone2');
    await sleep(1000);
    await cti.transferCall(OP1.id, callId, { kind: 'operator', operatorId: OP2.id });
    const { dialog: d2, stop: stop2 } = await answerRing(phone2, rtp2, 3100);
    await until(() => cti.getAgent(OP2.id)?.state === 'talking', 10_000, 'Oscar talking');
    const secondAnswerS = (Date.now() - firstAnswer) / 1000;
    await sleep(1500);
    await callerHangsUp();
    const bye2 = await phone2.request('BYE', (r) => r.headers.get('Call-ID') === d2.callId, 5000);
    phone2.respond(bye2, 200);
    stop2();
    await until(() => cti.getCall(callId)?.status === 'ended', 5000, 'ended');
    await cti.flush();
    const rows = await db.prisma.recording.findMany({ where: { callId } });
    expect(rows).toHaveLength(1);
    const rec = rows[0]!;
    const call = await db.prisma.call.findUniqueOrThrow({ where: { id: callId } });
    // the row starts at the first answer (the file's start), not at Oscar's
    expect(rec.startedAt.getTime()).toBe(firstAnswer);
    const spanMs = call.endedAt!.getTime() - firstAnswer;
    process.stdout.write(`transferred call ${spanMs} ms from the first answer, recording row ${rec.durationMs} ms\n`);
    expect(Math.abs(rec.durationMs - spanMs)).toBeLessThan(500);
    // the far channel after the transfer holds Oscar's 3.1 kHz, before it the first operator's 1 kHz
    const wav = readFileSync(path.join(dir, rec.fileName));
    const info = readWavInfo(wav, wav.length)!;
    const right = (fromS: number, toS: number) => Int16Array.from({ length: Math.floor((toS - fromS) * 8000) }, (_, i) => wav.readInt16LE(info.dataOffset + 2 + (Math.floor(fromS * 8000) + i) * 4));
    const after = right(secondAnswerS + 0.3, secondAnswerS + 1.2);
    const before = right(0.2, 0.9);
    expect(goertzel(after, 3100)).toBeGreaterThan(1000);
    expect(goertzel(after, 1000)).toBeLessThan(100);
    expect(goertzel(before, 1000)).toBeGreaterThan(1000);
  }, 40_000);
});
