import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bankCredentials, issueDeviceCredentials } from '../shared/credentials';
import { controlSdp, H, RecordingName } from '../shared/sip-control';
import { Acd } from './acd';
import { UdpRtpPeer } from './media/test-udp-peer';
import { WeriftMediaEngine } from './media/werift-media-engine';
import { SipWsClient } from './test-support/sip-ws-client';
import { goertzel, speak, tone } from './test-support/tones';
import { dialForLeg, placeCall, takeRouteOffer } from '../test-support/sip-peers';

/**
 * Recording asked for on the dial (X-PB-Record: on), with the real media engine: a plain RTP
 * caller (SIP over WS) speaking 440 Hz and a SIP phone registered over UDP (plain RTP)
 * speaking 1 kHz. The ACD names the file in the 200 to the dial, writes
 * <recordingsDir>/<callerLeg>-<deviceLeg>.wav and finalises it when the bridge ends.
 */
const SECRET = 'recording-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const NUMBER = '+15550100';
const log = pino({ level: process.env.ACD_TEST_LOG ?? 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let acd: Acd;
let engine: WeriftMediaEngine;
let dir: string;
const closers: Array<() => Promise<void>> = [];

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pb-rec-'));
  engine = new WeriftMediaEngine(log, { rtpPortRange: [46000, 46099], portRange: [46100, 46199], rtpTimeoutSec: 5 });
  acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 10, transports: { udpPort: 0 }, recordingsDir: path.join(dir, 'recordings') },
    dialPlan: { lookup: (n) => (n === NUMBER ? { holdAudio: 'default' } : null) },
    media: engine,
    logger: log,
  });
  await acd.start();
});

afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await acd.stop();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ACD recording (X-PB-Record) with the real engine', () => {
  it('records the bridge to <caller>-<device>.wav, names it in the 200, and finalises it when the caller hangs up', { timeout: 20_000 }, async () => {
    const bank = await SipWsClient.connect(`ws://127.0.0.1:${acd.port}`, 'bank');
    closers.push(() => bank.close());
    const creds = bankCredentials(SECRET, 1);
    expect((await bank.register('route', DOMAIN, creds.user, creds.password)).status).toBe(200);

    // the operator's SIP phone, registered over UDP: the ACD offers it plain RTP
    const dev = issueDeviceCredentials(SECRET, 3600);
    const phone = await SipWsClient.udp('127.0.0.1', acd.ports.UDP!, 'phone');
    closers.push(() => phone.close());
    expect((await phone.register(dev.user, DOMAIN, dev.user, dev.password)).status).toBe(200);
    const phoneRtp = await UdpRtpPeer.open();
    closers.push(() => phoneRtp.close());

    // the caller (plain RTP over SIP/WS), parked and offered to the route point
    const callerRtp = await UdpRtpPeer.open();
    closers.push(() => callerRtp.close());
    const caller = await SipWsClient.connect(`ws://127.0.0.1:${acd.port}`, 'caller');
    closers.push(() => caller.close());
    const { ok, dialog: callerDialog } = await placeCall(caller, `sip:${NUMBER}@${DOMAIN}`, callerRtp.sdp({ pts: '8 101' }));
    expect(ok.status).toBe(200);
    callerRtp.aimAt(ok.body);
    const { callerLeg, route } = await takeRouteOffer(bank);
    const stopCaller = speak(callerRtp, 8, 440);
    closers.push(async () => stopCaller());

    // the bank dials the phone and asks for a recording
    const dial = await dialForLeg(bank, `sip:${dev.user}@${DOMAIN}`, callerLeg, creds, [[H.record, 'on']]);
    const ring = await phone.request('INVITE', () => true, 5000);
    expect(ring.body).toMatch(/^m=audio \d+ RTP\/AVP /m);
    phoneRtp.aimAt(ring.body);
    const phoneDialog = phone.answer(ring, 200, { body: phoneRtp.sdp({ pts: '0 101' }) });
    await phone.request('ACK', (r) => r.headers.get('Call-ID') === phoneDialog.callId);
    const bridged = await bank.response(dial.headers.get('Call-ID')!, 'INVITE', true, 5000);
    expect(bridged.status).toBe(200);
    const t0 = Date.now();
    const deviceLeg = bridged.headers.get(H.leg)!;
    const name = bridged.headers.get(H.recording)!;
    expect(RecordingName.parse(name)).toBe(`${callerLeg}-${deviceLeg}.wav`);
    expect(name).not.toContain('/');
    const control = bank.dialogFrom(dial, bridged);
    bank.send(bank.inDialog('ACK', control));
    const stopPhone = speak(phoneRtp, 0, 1000);
    closers.push(async () => stopPhone());

    await sleep(2000);
    // the caller hangs up: the bridge ends and the file is finalised
    caller.send(caller.inDialog('BYE', callerDialog));
    const callTime = (Date.now() - t0) / 1000;
    expect((await caller.response(callerDialog.callId, 'BYE')).status).toBe(200);
    const ctlBye = await bank.request('BYE', (r) => r.headers.get('Call-ID') === route.callId);
    expect(ctlBye.headers.get(H.cause)).toBe('remote-bye');
    bank.respond(ctlBye, 200);
    stopCaller();
    stopPhone();

    const file = path.join(dir, 'recordings', name);
    let wav = Buffer.alloc(0);
    for (let i = 0; i < 100 && (wav.length < 44 || wav.readUInt32LE(40) === 0); i++) {
      await sleep(20);
      if (existsSync(file)) wav = readFileSync(file);
    }
    expect(readdirSync(path.join(dir, 'recordings'))).toEqual([name]);
    // RIFF/WAVE, PCM, 2 channels, 8 kHz, 16-bit, sizes filled in
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect(wav.readUInt16LE(20)).toBe(1);
    expect(wav.readUInt16LE(22)).toBe(2);
    expect(wav.readUInt32LE(24)).toBe(8000);
    expect(wav.readUInt16LE(34)).toBe(16);
    expect(wav.toString('ascii', 36, 40)).toBe('data');
    const dataBytes = wav.readUInt32LE(40);
    expect(dataBytes).toBe(wav.length - 44);
    const frames = dataBytes / 4;
    expect(Math.abs(frames / 8000 - callTime)).toBeLessThan(0.3);

    // left = the caller's 440 Hz, right = the phone's 1 kHz: each channel carries its own party
    const mid = Math.floor(frames / 4);
    const span = Math.floor(frames / 2);
    const left = Int16Array.from({ length: span }, (_, i) => wav.readInt16LE(44 + (mid + i) * 4));
    const right = Int16Array.from({ length: span }, (_, i) => wav.readInt16LE(46 + (mid + i) * 4));
    expect(goertzel(left, 440)).toBeGreaterThan(1000);
    expect(goertzel(left, 1000)).toBeLessThan(100);
    expect(goertzel(right, 1000)).toBeGreaterThan(1000);
    expect(goertzel(right, 440)).toBeLessThan(100);

    // the device waits; the bank releases it and the phone gets BYE over UDP
    expect(acd.legs()).toEqual([expect.objectContaining({ legId: deviceLeg, state: 'waiting' })]);
    // recording on demand (INFO with X-PB-Record) is refused on a leg with no bridge, and a bad value is refused
    for (const [value, status, reason, notice] of [
      ['yes', 400, `Bad ${H.record}`, null],
      ['on', 403, 'Leg Not Bridged', null],
      ['on', 400, `Bad ${H.notice}`, 'Bad Clip'],
      ['off', 400, `Bad ${H.notice}`, 'say-rec-now'],
    ] as const) {
      const info = bank.inDialog('INFO', control);
      info.headers.append(H.record, value);
      if (notice) info.headers.append(H.notice, notice);
      bank.send(info);
      const res = await bank.response(control.callId, 'INFO');
      expect([res.status, res.reason]).toEqual([status, reason]);
    }
    bank.send(bank.inDialog('BYE', control));
    const phoneBye = await phone.request('BYE', (r) => r.headers.get('Call-ID') === phoneDialog.callId);
    phone.respond(phoneBye, 200);
    expect((await bank.response(control.callId, 'BYE')).status).toBe(200);
  });

  it('refuses a bad X-PB-Record value (400), a recording without a bridge (400), and a bad or unrecorded X-PB-Notice (400)', { timeout: 10_000 }, async () => {
    const bank = await SipWsClient.connect(`ws://127.0.0.1:${acd.port}`, 'bank');
    closers.push(() => bank.close());
    const creds = bankCredentials(SECRET, 1);
    const dev = issueDeviceCredentials(SECRET, 3600);
    for (const [headers, reason] of [
      [[[H.bridge, 'leg-0123456789abcdef'], [H.record, 'yes']], `Bad ${H.record}`],
      [[[H.record, 'on']], `${H.record} Needs ${H.bridge}`],
      // the recording notice: a clip name, and only with a recording (it would tell the caller something untrue)
      [[[H.bridge, 'leg-0123456789abcdef'], [H.record, 'on'], [H.notice, 'Not A Clip!']], `Bad ${H.notice}`],
      [[[H.bridge, 'leg-0123456789abcdef'], [H.notice, 'say-rec-may']], `${H.notice} Needs ${H.record}`],
    ] as Array<[Array<[string, string]>, string]>) {
      const first = bank.makeRequest('INVITE', `sip:${dev.user}@${DOMAIN}`, { headers, body: controlSdp(2) });
      const dial = await bank.sendWithAuth(first, creds.user, creds.password);
      const res = await bank.response(dial.headers.get('Call-ID')!, 'INVITE');
      expect([res.status, res.reason]).toEqual([400, reason]);
      bank.ackFailure(dial, res);
    }
  });

  it('answers 503 to X-PB-Record: on when no recordings directory is configured', { timeout: 10_000 }, async () => {
    const bare = new Acd({
      config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 10 },
      dialPlan: { lookup: () => null },
      media: engine,
      logger: log,
    });
    await bare.start();
    closers.push(() => bare.stop());
    const bank = await SipWsClient.connect(`ws://127.0.0.1:${bare.port}`, 'bank');
    closers.push(() => bank.close());
    const creds = bankCredentials(SECRET, 1);
    const dev = issueDeviceCredentials(SECRET, 3600);
    const first = bank.makeRequest('INVITE', `sip:${dev.user}@${DOMAIN}`, { headers: [[H.bridge, 'leg-0123456789abcdef'], [H.record, 'on']], body: controlSdp(2) });
    const dial = await bank.sendWithAuth(first, creds.user, creds.password);
    const res = await bank.response(dial.headers.get('Call-ID')!, 'INVITE');
    expect([res.status, res.reason]).toEqual([503, 'Recording Not Available']);
  });
});
