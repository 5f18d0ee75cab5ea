import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Acd } from '../server/acd/acd';
import { DatabaseClipSource } from '../server/acd/database-clip-source';
import { DatabaseDialPlan } from '../server/acd/database-dial-plan';
import { decode } from '../server/acd/media/g711';
import { TestBrowserClient } from '../server/acd/media/test-browser-client';
import { WeriftMediaEngine } from '../server/acd/media/werift-media-engine';
import { SipWsClient } from '../server/acd/test-support/sip-ws-client';
import { createAdminServices, type AdminServices } from '../server/admin/admin-services';
import { ChangePublisher } from '../server/admin/change-publisher';
import { reloadOnChange } from '../server/admin/reload-on-change';
import { openDatabase, type Database } from '../server/db/database';
import { DEMO, seedDemo } from '../server/db/seed';
import { bankCredentials } from '../server/shared/credentials';
import { placeCall, takeRouteOffer } from '../server/test-support/sip-peers';
import { goertzel, pcmWav, rms, sine } from '../server/test-support/tone';
import { until } from '../server/test-support/until';

/**
 * The audio library end to end, wired as server/main.ts wires it: an admin uploads a 44.1 kHz
 * stereo WAV of a 1,200 Hz tone through the service layer, sets it as the number's hold audio,
 * and a WebRTC caller (werift: ICE, DTLS-SRTP) on that number hears that tone over RTP — with
 * no restart: the ACD's clip library and dial plan follow the change notification. Deleting
 * the clip while a call plays it leaves that call playing; the next caller hears the default.
 * A number whose own hold audio is `default` plays its queue's.
 */
const SECRET = 'audio-library-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const TONE_HZ = 1200;
const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const actor = { id: DEMO.users[0].id, name: DEMO.users[0].name };

let db: Database;
let admin: AdminServices;
let engine: WeriftMediaEngine;
let acd: Acd;
let dialPlan: DatabaseDialPlan;
const cleanup: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  db = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
  await seedDemo(db.prisma, { password: 'demo-password-1' });
  const changes = new ChangePublisher(log);
  admin = createAdminServices({ prisma: db.prisma, logger: log, publisher: changes });
  engine = new WeriftMediaEngine(log, { rtpPortRange: [43600, 43699], portRange: [43700, 43799] });
  dialPlan = new DatabaseDialPlan(db.prisma, log);
  await dialPlan.load();
  const clips = new DatabaseClipSource(db.prisma);
  await engine.clips.sync(clips);
  cleanup.push(reloadOnChange(changes, ['number', 'queue'], () => dialPlan.load(), log));
  cleanup.push(reloadOnChange(changes, ['audio'], async () => void (await engine.clips.sync(clips)), log));
  acd = new Acd({ config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20 }, dialPlan, media: engine, logger: log });
  await acd.start();
}, 60_000);

afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await acd.stop();
  await engine.close();
  await db.close();
}, 20_000);

/** A WebRTC caller on the demo number, parked (the bank's route point takes the offer). */
async function caller() {
  const url = `ws://127.0.0.1:${acd.port}`;
  const bank = await SipWsClient.connect(url, 'bank');
  cleanup.push(() => bank.close());
  const creds = bankCredentials(SECRET, 1);
  expect((await bank.register('route', DOMAIN, creds.user, creds.password)).status).toBe(200);
  const browser = new TestBrowserClient();
  cleanup.push(() => browser.close());
  const sip = await SipWsClient.connect(url, 'caller');
  cleanup.push(() => sip.close());
  const { ok } = await placeCall(sip, `sip:${DEMO.number}@${DOMAIN}`, await browser.makeOffer(), { timeoutMs: 10_000 });
  expect(ok.status).toBe(200);
  await browser.acceptAnswer(ok.body);
  await browser.connected();
  await takeRouteOffer(bank, 5000);
  return browser;
}

/** What the caller heard from packet `from` on, decoded. */
function heard(browser: TestBrowserClient, from: number): Int16Array {
  const frames = browser.received.slice(from).filter((p) => p.header.payloadType === 0 || p.header.payloadType === 8);
  return Int16Array.from(frames.flatMap((p) => [...decode(p.payload, p.header.payloadType === 0 ? 'PCMU' : 'PCMA')]));
}

/** How much stronger the test tone is than the strongest of some other frequencies. */
function toneDominance(pcm: Int16Array): number {
  const others = [440, 523, 659, 784, 1000, 1500, 2000].map((hz) => goertzel(pcm, hz, 8000));
  return goertzel(pcm, TONE_HZ, 8000) / Math.max(...others);
}

describe('audio library → ACD → caller', () => {
  it('a number whose hold audio is an uploaded clip plays that clip to a real caller, picked up without a restart', { timeout: 60_000 }, async () => {
    const tone = sine(TONE_HZ, 4, 44100, 0.4);
    const row = await admin.audio.upload(actor, { name: 'tone-1200', kind: 'music' }, { name: 'tone.wav', bytes: pcmWav([tone, tone], 44100) });
    await until(() => engine.clips.get('tone-1200') !== undefined, 5000, 'the ACD loaded the new clip');
    const num = await admin.numbers.get(DEMO.number);
    await admin.numbers.update(actor, DEMO.number, { queueId: num.queueId, trunkId: num.trunkId, scheduleId: num.scheduleId, closedAudio: num.closedAudio, closedAction: num.closedAction, closedQueueId: num.closedQueueId, closedNumber: num.closedNumber, priority: num.priority, holdAudio: 'tone-1200', version: num.version });
    await until(() => dialPlan.lookup(DEMO.number)?.holdAudio === 'tone-1200', 5000, 'the dial plan follows the number');

    const browser = await caller();
    const start = browser.received.length;
    await sleep(1500);
    const pcm = heard(browser, start);
    expect(pcm.length).toBeGreaterThan(8000); // over a second of audio arrived
    expect(toneDominance(pcm)).toBeGreaterThan(100);
    // a 0.4 full-scale sine has an RMS of 0.28; G.711 keeps it within a fraction of a dB
    expect(rms(pcm)).toBeGreaterThan(0.24);
    expect(rms(pcm)).toBeLessThan(0.32);

    // the clip leaves the library while the call plays it: that call plays on, nothing crashes
    const again = await admin.numbers.get(DEMO.number);
    await admin.numbers.update(actor, DEMO.number, { queueId: again.queueId, trunkId: again.trunkId, scheduleId: again.scheduleId, closedAudio: again.closedAudio, closedAction: again.closedAction, closedQueueId: again.closedQueueId, closedNumber: again.closedNumber, priority: again.priority, holdAudio: 'default', version: again.version });
    await admin.audio.remove(actor, row.id, row.version);
    await until(() => engine.clips.get('tone-1200') === undefined, 5000, 'the ACD dropped the deleted clip');
    const afterDelete = browser.received.length;
    await sleep(1000);
    expect(toneDominance(heard(browser, afterDelete))).toBeGreaterThan(100);

    // the next caller hears the built-in music, not the deleted tone
    const next = await caller();
    const nextStart = next.received.length;
    await sleep(1500);
    const music = heard(next, nextStart);
    expect(rms(music)).toBeGreaterThan(0.05);
    expect(toneDominance(music)).toBeLessThan(1);
  });

  it("a number without hold audio of its own plays its queue's, picked in the queue", { timeout: 60_000 }, async () => {
    const tone = sine(TONE_HZ, 2, 48000, 0.4);
    await admin.audio.upload(actor, { name: 'queue-tone', kind: 'music' }, { name: 'queue.wav', bytes: pcmWav([tone], 48000) });
    await until(() => engine.clips.get('queue-tone') !== undefined, 5000, 'the ACD loaded the clip');
    expect(dialPlan.lookup(DEMO.number)?.holdAudio).toBe('default');
    const q = await admin.queues.get(DEMO.queue.id);
    const { id: _id, overflowQueueName: _o, scheduleName: _s, members: _m, numbers: _n, version, updatedAt: _u, updatedByName: _b, ...fields } = q;
    await admin.queues.update(actor, q.id, { ...fields, holdAudio: 'queue-tone', version });
    await until(() => dialPlan.lookup(DEMO.number)?.holdAudio === 'queue-tone', 5000, 'the dial plan follows the queue');
    const browser = await caller();
    const start = browser.received.length;
    await sleep(1500);
    expect(toneDominance(heard(browser, start))).toBeGreaterThan(100);
  });
});
