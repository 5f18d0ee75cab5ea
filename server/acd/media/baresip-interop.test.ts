import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { rms, startBaresipPhone, tone } from '../test-support/baresip-phone';
import { freePort } from '../../../test/sipp/sipp-runner';
import { bankCredentials, issueDeviceCredentials } from '../../shared/credentials';
import { controlSdp, H } from '../../shared/sip-control';
import { Acd } from '../acd';
import { SipWsClient } from '../test-support/sip-ws-client';
import { decode, encode } from './g711';
import { TestBrowserClient } from './test-browser-client';
import { WeriftMediaEngine } from './werift-media-engine';
import { requireTool } from '../../test-support/system-tools';
import { placeCall, takeRouteOffer } from '../../test-support/sip-peers';

/**
 * Real softphone as an operator's SIP phone: baresip (Debian baresip-core) registers with
 * CTI-issued device credentials over UDP to the ACD, auto-answers the ACD's INVITE (plain
 * RTP, since it registered over UDP), plays a 600 Hz tone from a WAV (aufile) and records
 * what it hears (sndfile). The caller is a werift "browser" over SIP/WS speaking 1 kHz; the
 * bank dials baresip with X-PB-Record: on, so the ACD records the bridge.
 */
const SECRET = 'baresip-device-secret-'.padEnd(40, 'x');
const DOMAIN = 'patchbay.local';
const NUMBER = '+15550100';
const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));



const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

requireTool('baresip');

describe('baresip as a SIP phone registered over UDP', () => {
  it('bridges a werift "browser" caller to baresip through the ACD both ways (tones heard on both sides) and records both channels', { timeout: 40_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pb-baresip-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));

    const engine = new WeriftMediaEngine(log, { rtpPortRange: [43400, 43499], portRange: [43500, 43599] });
    cleanup.push(() => engine.close());
    const acd = new Acd({
      config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20, transports: { udpPort: 0 }, recordingsDir: path.join(dir, 'recordings') },
      dialPlan: { lookup: (n) => (n === NUMBER ? { holdAudio: 'default' } : null) },
      media: engine,
      logger: log,
    });
    await acd.start();
    cleanup.push(() => acd.stop());
    const url = `ws://127.0.0.1:${acd.port}`;

    // baresip registers its device AOR over UDP with CTI-issued credentials
    const dev = issueDeviceCredentials(SECRET, 3600);
    const sipPort = await freePort();
    const bare = await startBaresipPhone({
      dir,
      sipPort,
      rtpPorts: '44600-44699',
      account: `<sip:${dev.user}@${DOMAIN}>;auth_user=${dev.user};auth_pass=${dev.password};outbound="sip:127.0.0.1:${acd.ports.UDP!};transport=udp";regint=600;answermode=auto;audio_codecs=PCMU,PCMA`,
      toneHz: 600,
      readyWhen: /200 OK/, // registered at the ACD
    });
    cleanup.push(() => bare.stop());

    const bank = await SipWsClient.connect(url, 'bank');
    cleanup.push(() => bank.close());
    const creds = bankCredentials(SECRET, 1);
    expect((await bank.register('route', DOMAIN, creds.user, creds.password)).status).toBe(200);

    // the WebRTC caller, parked on the number and offered to the bank
    const browser = new TestBrowserClient();
    cleanup.push(() => browser.close());
    const caller = await SipWsClient.connect(url, 'caller');
    cleanup.push(() => caller.close());
    const { ok } = await placeCall(caller, `sip:${NUMBER}@${DOMAIN}`, await browser.makeOffer(), { timeoutMs: 10_000 });
    expect(ok.status).toBe(200);
    await browser.acceptAnswer(ok.body);
    await browser.connected();
    const { callerLeg, route } = await takeRouteOffer(bank, 5000);

    // the bank dials baresip and asks for a recording
    const first = bank.makeRequest('INVITE', `sip:${dev.user}@${DOMAIN}`, { headers: [[H.bridge, callerLeg], [H.record, 'on']], body: controlSdp(2) });
    bank.send(first);
    const ch = await bank.response(first.headers.get('Call-ID')!, 'INVITE');
    bank.ackFailure(first, ch);
    const dial = bank.withAuth(first, ch, creds.user, creds.password);
    bank.send(dial);
    const answered = await bank.response(first.headers.get('Call-ID')!, 'INVITE', true, 15_000);
    expect(answered.status, bare.output()).toBe(200);
    const control = bank.dialogFrom(dial, answered);
    bank.send(bank.inDialog('ACK', control));
    const deviceLeg = answered.headers.get(H.leg)!;
    const phone = engine.endpointOf(deviceLeg)!;
    // baresip answered the ACD's plain RTP/AVP offer, in PCMU
    expect(phone.kind).toBe('rtp');
    expect(phone.codec).toBe('PCMU');

    // the browser speaks a 1 kHz tone for 2 s while baresip plays its 600 Hz file
    const before = browser.received.length;
    const spoken = encode(tone(1000, 10000, 2 * 8000), 'PCMU');
    for (let n = 0; n < 100; n++) {
      await browser.sendFrame(spoken.subarray(n * 160, (n + 1) * 160));
      await sleep(20);
    }
    // baresip → ACD → browser: its tone arrived, re-sent as PCMU to the browser
    expect(phone.rtpReceived).toBeGreaterThan(60);
    // the CTI's order when the operator ends: release the phone (the ACD's BYE to baresip ends the
    // bridge), then the caller, whose leg's end finalises the recording
    bank.send(bank.inDialog('BYE', control));
    expect((await bank.response(control.callId, 'BYE', true, 5000)).status).toBe(200);
    bank.send(bank.inDialog('BYE', route));
    expect((await bank.response(route.callId, 'BYE', true, 5000)).status).toBe(200);

    const heard = browser.received.slice(before).filter((p) => p.header.payloadType === 0).map((p) => decode(p.payload, 'PCMU'));
    expect(heard.length).toBeGreaterThan(60);
    const heardPcm = Int16Array.from(heard.flatMap((f) => [...f]));
    expect(rms(heardPcm)).toBeGreaterThan(3000); // a 8000-peak sine has RMS 5657

    // the recording the ACD named: left = browser (caller), right = baresip (device), both loud
    const recording = path.join(dir, 'recordings', answered.headers.get(H.recording)!);
    expect(path.basename(recording)).toBe(`${callerLeg}-${deviceLeg}.wav`);
    let wav = Buffer.alloc(0);
    for (let i = 0; i < 100 && (wav.length < 44 || wav.readUInt32LE(40) === 0); i++) {
      await sleep(20);
      if (existsSync(recording)) wav = readFileSync(recording);
    }
    const frames = wav.readUInt32LE(40) / 4;
    expect(frames / 8000).toBeGreaterThan(1.5);
    const left = Int16Array.from({ length: frames }, (_, i) => wav.readInt16LE(44 + i * 4));
    const right = Int16Array.from({ length: frames }, (_, i) => wav.readInt16LE(46 + i * 4));
    expect(rms(left)).toBeGreaterThan(3000);
    expect(rms(right)).toBeGreaterThan(3000);

    // browser → ACD → baresip: sndfile wrote what baresip decoded
    await sleep(300);
    const samples = bare.decodedPcm();
    expect(samples, bare.output()).not.toBeNull();
    expect(rms(samples ?? [])).toBeGreaterThan(3000); // a 10000-peak sine has RMS 7071
  });
});
