import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { decode, encode } from './g711';
import { TestBrowserClient } from './test-browser-client';
import { freeUdpPort, MiniUac, sipRequest } from './test-mini-uac';
import { writeWav8kMono16 } from './wav';
import { WeriftMediaEngine } from './werift-media-engine';

/**
 * Real softphone as a plain RTP peer: baresip (Debian baresip-core) auto-answers an INVITE
 * that carries our plain endpoint's offer, plays a 600 Hz tone from a WAV (aufile) and
 * records what it hears (sndfile). The ACD speaks SIP over WebSocket only on this branch,
 * so the test sends the three SIP requests (INVITE, ACK, BYE) over UDP itself; the media
 * under test is the engine's, end to end.
 */
const BARESIP = '/usr/bin/baresip';
const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rms(pcm: ArrayLike<number>, from = 0, to = pcm.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += (pcm[i] as number) ** 2;
  return Math.sqrt(s / Math.max(1, to - from));
}

function tone(hz: number, amp: number, seconds: number): Int16Array {
  return Int16Array.from({ length: 8000 * seconds }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * hz * i) / 8000)));
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe.skipIf(!existsSync(BARESIP))('baresip as a plain RTP phone', () => {
  it('bridges a werift "browser" to baresip both ways (tones heard on both sides) and records both channels', { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pb-baresip-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(path.join(dir, 'rec'));
    writeFileSync(path.join(dir, 'tone.wav'), writeWav8kMono16(tone(600, 8000, 10)));
    const sipPort = await freeUdpPort();
    writeFileSync(
      path.join(dir, 'config'),
      [
        'poll_method epoll',
        `sip_listen 127.0.0.1:${sipPort}`,
        'sip_transports udp',
        'net_interface 127.0.0.1',
        'audio_player aubridge,nil',
        `audio_source aufile,${path.join(dir, 'tone.wav')}`,
        'audio_alert aubridge,nil',
        'rtp_ports 44600-44699',
        'module_path /usr/lib/baresip/modules',
        'module g711.so',
        'module aufile.so',
        'module aubridge.so',
        'module sndfile.so',
        'module_app account.so',
        `snd_path ${path.join(dir, 'rec')}`,
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, 'accounts'), '<sip:phone@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMU,PCMA\n');
    const bs: ChildProcess = spawn(BARESIP, ['-f', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    bs.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    bs.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((r) => bs.once('exit', () => r()));
    cleanup.push(async () => {
      if (bs.exitCode === null) bs.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
    });
    for (let i = 0; !out.includes('baresip is ready'); i++) {
      if (i > 100) throw new Error(`baresip did not start:\n${out}`);
      await sleep(50);
    }

    const engine = new WeriftMediaEngine(log, { rtpPortRange: [43400, 43499], portRange: [43500, 43599] });
    cleanup.push(() => engine.close());
    const browser = new TestBrowserClient();
    cleanup.push(() => browser.close());
    const web = await engine.createEndpoint({ legId: 'leg-web' });
    await browser.acceptAnswer(await web.answer(await browser.makeOffer()));
    await browser.connected();

    const phone = await engine.createEndpoint({ legId: 'leg-baresip', kind: 'rtp' });
    const uac = await MiniUac.open();
    cleanup.push(() => uac.close());
    const target = `sip:phone@127.0.0.1:${sipPort}`;
    uac.send(sipRequest('INVITE', target, { port: uac.port, seq: 1, body: await phone.offer() }), sipPort);
    const ok = await uac.final('INVITE');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/^m=audio \d+ RTP\/AVP/m);
    const toTag = /;tag=([^;\s]+)/.exec(ok.headers.get('To') ?? '')?.[1];
    const contact = /<([^>]+)>/.exec(ok.headers.get('Contact') ?? '')?.[1] ?? target;
    uac.send(sipRequest('ACK', contact, { port: uac.port, seq: 1, to: target, toTag }), sipPort);
    await phone.acceptAnswer(ok.body);
    expect(phone.codec).toBe('PCMU');

    const recording = path.join(dir, 'bridge.wav');
    const bridge = engine.bridge(phone, web, { recordTo: recording });
    // the browser speaks a 1 kHz tone for 2 s while baresip plays its 600 Hz file
    const spoken = encode(tone(1000, 10000, 2), 'PCMU');
    for (let n = 0; n < 100; n++) {
      await browser.sendFrame(spoken.subarray(n * 160, (n + 1) * 160));
      await sleep(20);
    }
    uac.send(sipRequest('BYE', contact, { port: uac.port, seq: 2, to: target, toTag }), sipPort);
    expect((await uac.final('BYE')).status).toBe(200);
    bridge.unbridge();
    await bridge.finished();

    // baresip → ACD → browser: its tone arrived, re-sent as PCMU to the browser
    expect(phone.rtpReceived).toBeGreaterThan(60);
    const heard = browser.received.filter((p) => p.header.payloadType === 0).map((p) => decode(p.payload, 'PCMU'));
    expect(heard.length).toBeGreaterThan(60);
    const heardPcm = Int16Array.from(heard.flatMap((f) => [...f]));
    expect(rms(heardPcm)).toBeGreaterThan(3000); // a 8000-peak sine has RMS 5657

    // browser → ACD → baresip: sndfile wrote what baresip decoded
    const decWav = readdirSync(path.join(dir, 'rec')).find((f) => f.endsWith('-dec.wav'));
    expect(decWav).toBeDefined();
    const dec = readFileSync(path.join(dir, 'rec', decWav as string));
    const samples = new Int16Array(dec.buffer, dec.byteOffset + 44, Math.floor((dec.length - 44) / 2));
    expect(rms(samples)).toBeGreaterThan(3000); // a 10000-peak sine has RMS 7071

    // the recording: left = baresip, right = browser, both loud
    const wav = readFileSync(recording);
    const frames = wav.readUInt32LE(40) / 4;
    expect(frames / 8000).toBeGreaterThan(1.5);
    const left = Int16Array.from({ length: frames }, (_, i) => wav.readInt16LE(44 + i * 4));
    const right = Int16Array.from({ length: frames }, (_, i) => wav.readInt16LE(46 + i * 4));
    expect(rms(left)).toBeGreaterThan(3000);
    expect(rms(right)).toBeGreaterThan(3000);
  });
});
