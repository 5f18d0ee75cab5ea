import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { until } from '../../test-support/until';
import { taggedFrame } from './test-frames';
import { DEFAULT_CLIP } from './clip-library';
import { dtmfPayload } from './dtmf-detector';
import { encode, transcode } from './g711';
import { readPcapUdp, UdpRtpPeer } from './test-udp-peer';
import { TestBrowserClient } from './test-browser-client';
import { ENGINES, EngineUnderTest, type EngineName, type TestEngine } from './test-engines';
import { WeriftMediaEngine } from './werift-media-engine';

const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(path.join(tmpdir(), 'pb-rtp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));



const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const engines = new EngineUnderTest(log);
afterAll(() => engines.stop());

/** Either engine, for the tests of the MediaEngine contract (describe.each below). */
async function anyEngine(name: EngineName, opts: { rtpTimeoutSec?: number } = {}): Promise<TestEngine> {
  const engine = await engines.make(name, { rtpPortRange: [43000, 43099], portRange: [43100, 43199], rtpTimeoutSec: opts.rtpTimeoutSec ?? 30 });
  cleanup.push(() => engine.close());
  return engine;
}

function engineFor(opts: { rtpTimeoutSec?: number } = {}): WeriftMediaEngine {
  const engine = new WeriftMediaEngine(log, { rtpPortRange: [43000, 43099], portRange: [43100, 43199], rtpTimeoutSec: opts.rtpTimeoutSec ?? 30 });
  cleanup.push(() => engine.close());
  return engine;
}

async function peer(): Promise<UdpRtpPeer> {
  const p = await UdpRtpPeer.open();
  cleanup.push(() => p.close());
  return p;
}

/** A: the ACD answers peer 1 (a trunk calling in). B: the ACD offers to peer 2 (a SIP phone it dials). */
async function twoPlainLegs(engine: Pick<TestEngine, 'createEndpoint'>, p2pts = '0 8 101') {
  const p1 = await peer();
  const p2 = await peer();
  const a = await engine.createEndpoint({ legId: 'leg-a', kind: 'rtp' });
  const answer = await a.answer(p1.sdp());
  p1.aimAt(answer);
  const b = await engine.createEndpoint({ legId: 'leg-b', kind: 'rtp' });
  const offer = await b.offer();
  await b.acceptAnswer(p2.sdp({ pts: p2pts }));
  p2.aimAt(offer);
  return { p1, p2, a, b, answer, offer };
}

async function talk(p: UdpRtpPeer, tag: number, count: number, pt = 0): Promise<Buffer[]> {
  const sent: Buffer[] = [];
  for (let n = 0; n < count; n++) {
    const f = taggedFrame(tag, n);
    sent.push(f);
    p.send(pt, f);
    await sleep(20);
  }
  return sent;
}

describe('plain RTP endpoints against UDP sockets', () => {
  it('answers and offers RTP/AVP with G.711 + telephone-event on a port from the range', { timeout: 10_000 }, async () => {
    const engine = engineFor();
    const { answer, offer, a, b } = await twoPlainLegs(engine);
    expect(answer).toMatch(/^m=audio (\d+) RTP\/AVP 0 8 101$/m);
    expect(offer).toMatch(/^m=audio (\d+) RTP\/AVP 0 8 101$/m);
    expect(answer).toContain('c=IN IP4 127.0.0.1');
    for (const sdp of [answer, offer]) {
      const port = Number(/^m=audio (\d+)/m.exec(sdp)?.[1]);
      expect(port).toBeGreaterThanOrEqual(43000);
      expect(port).toBeLessThanOrEqual(43099);
      expect(port % 2).toBe(0);
      expect(sdp).not.toMatch(/ice|fingerprint|SAVP/i);
    }
    expect(a.kind).toBe('rtp');
    expect(a.connected && b.connected).toBe(true);
  });

  it('plays music, then bridges both ways with identical payloads, counted, on one continuous stream', { timeout: 10_000 }, async () => {
    const engine = engineFor();
    const { p1, p2, a, b } = await twoPlainLegs(engine);
    a.play(DEFAULT_CLIP);
    await until(() => p1.received.length >= 10, 2000, 'music at peer 1');
    const bridge = engine.bridge(a, b);
    const musicCount = p1.received.length;
    const [s1, s2] = await Promise.all([talk(p1, 1, 40), talk(p2, 2, 40)]);
    await until(() => p2.received.length >= 40 && p1.received.length - musicCount >= 38, 2000, 'bridged audio');
    const at2 = p2.received.map((r) => r.payload);
    const at1 = p1.received.slice(musicCount).filter((r) => r.payload[0] === 2).map((r) => r.payload);
    // every frame peer 1 sent arrived at peer 2 unchanged (loopback: no loss), and the other way
    expect(at2.filter((p) => p[0] === 1)).toHaveLength(40);
    expect(at2.filter((p) => p[0] === 1).every((p, i) => p.equals(s1[i]!))).toBe(true);
    expect(at1).toHaveLength(40);
    expect(at1.every((p, i) => p.equals(s2[i]!))).toBe(true);
    expect(a.rtpReceived).toBe(40);
    expect(b.rtpReceived).toBe(40);
    // one SSRC and +1 sequence steps across music → bridge
    const seen1 = p1.received;
    expect(new Set(seen1.map((r) => r.ssrc)).size).toBe(1);
    for (let i = 1; i < seen1.length; i++) expect((seen1[i]!.seq - seen1[i - 1]!.seq) & 0xffff).toBe(1);
    bridge.unbridge();
    await bridge.finished();
  });

  it('transcodes PCMU↔PCMA and maps telephone-event payload types between plain legs', { timeout: 10_000 }, async () => {
    const engine = engineFor();
    const { p1, p2, a, b } = await twoPlainLegs(engine, '8 96');
    expect(a.codec).toBe('PCMU');
    expect(b.codec).toBe('PCMA');
    engine.bridge(a, b);
    const ulaw = encode(Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin(i / 5))), 'PCMU');
    p1.send(0, ulaw);
    p1.send(101, dtmfPayload('5', true, 800), { marker: true });
    await until(() => p2.received.length >= 2, 2000, 'forwarded packets');
    expect(p2.received[0]!.pt).toBe(8);
    expect(p2.received[0]!.payload.equals(transcode(ulaw, 'PCMU', 'PCMA'))).toBe(true);
    expect(p2.received[1]!.pt).toBe(96);
    expect(p2.received[1]!.payload.equals(dtmfPayload('5', true, 800))).toBe(true);
  });

  it('latches onto the source of the first packets (a phone behind NAT) and then drops foreign sources', { timeout: 10_000 }, async () => {
    const engine = engineFor();
    const p1 = await peer();
    const a = await engine.createEndpoint({ legId: 'leg-nat', kind: 'rtp' });
    // the phone writes a private address/port it cannot be reached on
    const answer = await a.answer(p1.sdp({ address: '10.99.99.99', port: 7078 }));
    p1.aimAt(answer);
    expect(a.remoteAddress).toEqual({ address: '10.99.99.99', port: 7078 });
    p1.send(0, taggedFrame(1, 0));
    await until(() => a.rtpReceived === 1, 2000, 'first packet');
    expect(a.remoteAddress).toEqual({ address: '127.0.0.1', port: p1.port });
    a.play(DEFAULT_CLIP);
    await until(() => p1.received.length >= 5, 2000, 'music at the latched source');
    const intruder = await peer();
    intruder.aimAt(answer);
    intruder.send(0, taggedFrame(9, 0));
    await sleep(100);
    expect(a.rtpReceived).toBe(1);
    expect(a.remoteAddress?.port).toBe(p1.port);
  });

  it('hold: the party that holds gets nothing, the other hears music; resume restores the bridge', { timeout: 15_000 }, async () => {
    const engine = engineFor();
    const { p1, p2, a, b, offer } = await twoPlainLegs(engine);
    const bridge = engine.bridge(a, b);
    await talk(p1, 1, 5);
    await until(() => p2.received.length >= 5, 2000, 'bridged audio');
    // peer 2 puts the call on hold (re-INVITE with a=sendonly)
    const hold = await b.answerReoffer(p2.sdp({ direction: 'sendonly' }));
    expect(hold.remoteDirection).toBe('sendonly');
    expect(hold.sdp).toContain('a=recvonly');
    expect(/^m=audio (\d+)/m.exec(hold.sdp)?.[1]).toBe(/^m=audio (\d+)/m.exec(offer)?.[1]); // same port
    expect(bridge.held).toBe(true);
    const at1 = p1.received.length;
    const at2 = p2.received.length;
    // peer 2 keeps sending (its own music): not forwarded; peer 1 hears our music instead
    await talk(p2, 2, 25);
    const duringHold1 = p1.received.slice(at1);
    expect(duringHold1.length).toBeGreaterThanOrEqual(15);
    expect(duringHold1.filter((r) => r.payload[0] === 2)).toHaveLength(0);
    expect(p2.received.length - at2).toBe(0);
    // resume
    const resume = await b.answerReoffer(p2.sdp({ direction: 'sendrecv' }));
    expect(resume.sdp).toContain('a=sendrecv');
    expect(bridge.held).toBe(false);
    expect(a.isPlaying).toBe(false);
    await talk(p2, 3, 10);
    await talk(p1, 4, 10);
    await until(() => p1.received.some((r) => r.payload[0] === 3) && p2.received.some((r) => r.payload[0] === 4), 2000, 'bridge restored');
    // the stream to peer 1 stayed one SSRC with +1 steps through bridge → music → bridge
    const s = p1.received;
    expect(new Set(s.map((r) => r.ssrc)).size).toBe(1);
    for (let i = 1; i < s.length; i++) expect((s[i]!.seq - s[i - 1]!.seq) & 0xffff).toBe(1);
  });

  it('frees its UDP port on close (safe twice)', { timeout: 10_000 }, async () => {
    const engine = engineFor();
    const p1 = await peer();
    const a = await engine.createEndpoint({ legId: 'leg-close', kind: 'rtp' });
    const port = Number(/^m=audio (\d+)/m.exec(await a.answer(p1.sdp()))?.[1]);
    await a.close();
    await a.close();
    expect(engine.endpointCount).toBe(0);
    const s = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((r) => s.close(() => r()));
  });
});

describe('WebRTC ↔ plain RTP through one bridge', () => {
  it('a werift "browser" and a UDP phone hear each other (payloads compared), DTMF from the browser reaches onDtmf and the phone', { timeout: 15_000 }, async () => {
    const engine = engineFor();
    const browser = new TestBrowserClient();
    cleanup.push(() => browser.close());
    const web = await engine.createEndpoint({ legId: 'leg-web' });
    await browser.acceptAnswer(await web.answer(await browser.makeOffer()));
    await browser.connected();
    await until(() => web.connected, 3000, 'webrtc endpoint connected');
    const phone = await peer();
    const plain = await engine.createEndpoint({ legId: 'leg-phone', kind: 'rtp' });
    const offer = await plain.offer();
    await plain.acceptAnswer(phone.sdp({ pts: '8 101' }));
    phone.aimAt(offer);
    expect(web.codec).toBe('PCMU');
    expect(plain.codec).toBe('PCMA');
    engine.bridge(web, plain);
    const digits: string[] = [];
    web.onDtmf((d) => digits.push(d));

    const fromBrowser: Buffer[] = [];
    const fromPhone: Buffer[] = [];
    for (let n = 0; n < 30; n++) {
      const f = taggedFrame(1, n);
      fromBrowser.push(f);
      await browser.sendFrame(f);
      const g = taggedFrame(2, n);
      fromPhone.push(g);
      phone.send(8, g);
      await sleep(20);
    }
    for (let i = 0; i < 3; i++) await browser.sendDtmf(dtmfPayload('#', true, 1280));
    await until(() => phone.received.length >= 31 && browser.received.length >= 30, 3000, 'audio both ways');
    // PCMU from the browser arrives as PCMA at the phone, and the other way
    const atPhone = phone.received.filter((r) => r.pt === 8).map((r) => r.payload);
    expect(atPhone).toHaveLength(30);
    atPhone.forEach((p, i) => expect(p.equals(transcode(fromBrowser[i]!, 'PCMU', 'PCMA'))).toBe(true));
    const atBrowser = browser.received.filter((r) => r.header.payloadType === 0).map((r) => r.payload);
    expect(atBrowser).toHaveLength(30);
    atBrowser.forEach((p, i) => expect(p.equals(transcode(fromPhone[i]!, 'PCMA', 'PCMU'))).toBe(true));
    await until(() => digits.length > 0 && phone.received.some((r) => r.pt === 101), 2000, 'dtmf');
    expect(digits).toEqual(['#']);
    expect(phone.received.filter((r) => r.pt === 101)).toHaveLength(3); // forwarded as sent (all three end packets)
  });
});

describe("the engine's totals for /metrics", () => {
  it('counts packets in and out, the lost ones from sequence gaps, and keeps them after a leg closes', { timeout: 15_000 }, async () => {
    const engine = engineFor();
    const { p1, a, b } = await twoPlainLegs(engine);
    engine.bridge(a, b);
    const before = engine.figures();
    expect(before).toMatchObject({ engine: 'werift', packetsReceived: 0, packetsLost: 0 });
    // 40 frames from party 1, every fifth lost on the way: 32 arrive, 8 are gaps
    for (let n = 0; n < 40; n++) {
      if (n % 5 === 4) p1.skip();
      else p1.send(0, taggedFrame(7, n));
      await sleep(20);
    }
    await until(() => a.rtpReceived === 32, 3000, 'the 32 packets at the ACD');
    const during = engine.figures();
    expect(during.packetsReceived).toBe(32);
    // the last gap is followed by no packet yet, so it is not known as lost: 7 of the 8
    expect(during.packetsLost).toBe(7);
    // bridged to party 2: what arrived went out again (and music went out before the bridge)
    expect(during.packetsSent).toBeGreaterThanOrEqual(32);
    expect(during.jitterMs).toHaveLength(1);
    expect(during.jitterMs[0]).toBeGreaterThanOrEqual(0);
    await a.close();
    await b.close();
    const after = engine.figures();
    expect(after.packetsReceived).toBe(32);
    expect(after.packetsLost).toBe(7);
    expect(after.packetsSent).toBeGreaterThanOrEqual(during.packetsSent);
    expect(after.jitterMs).toEqual([]);
  });
});

describe.each(ENGINES)('plain RTP legs on the %s engine against UDP sockets (the MediaEngine contract)', (name) => {
    it('ends a silent plain leg with rtp-timeout, once, after media started', { timeout: 10_000 }, async () => {
      const engine = await anyEngine(name, { rtpTimeoutSec: 0.5 });
      const p1 = await peer();
      const a = await engine.createEndpoint({ legId: 'leg-dead', kind: 'rtp' });
      p1.aimAt(await a.answer(p1.sdp()));
      const causes: string[] = [];
      a.onEnded((c) => causes.push(c));
      // talking keeps it alive
      for (let i = 0; i < 40; i++) {
        p1.send(0, taggedFrame(1, i));
        await sleep(20);
      }
      expect(causes).toEqual([]);
      await until(() => causes.length > 0, 3000, 'rtp-timeout');
      await sleep(300);
      expect(causes).toEqual(['rtp-timeout']);
      const late: string[] = [];
      a.onEnded((c) => late.push(c));
      await sleep(10);
      expect(late).toEqual(['rtp-timeout']);
    });

    it('does not time out a party that holds with a=inactive (it sends nothing on purpose)', { timeout: 10_000 }, async () => {
      const engine = await anyEngine(name, { rtpTimeoutSec: 0.5 });
      const p1 = await peer();
      const a = await engine.createEndpoint({ legId: 'leg-held', kind: 'rtp' });
      p1.aimAt(await a.answer(p1.sdp()));
      const causes: string[] = [];
      a.onEnded((c) => causes.push(c));
      const { sdp, remoteDirection } = await a.answerReoffer(p1.sdp({ direction: 'inactive' }));
      expect(remoteDirection).toBe('inactive');
      expect(sdp).toContain('a=inactive');
      await sleep(1200);
      expect(causes).toEqual([]);
    });

    it('plays an announcement once and reports its end', { timeout: 10_000 }, async () => {
      const engine = await anyEngine(name);
      engine.clips.add('short', new Int16Array(160 * 10).fill(1200)); // 200 ms
      const p1 = await peer();
      const a = await engine.createEndpoint({ legId: 'leg-ann', kind: 'rtp' });
      p1.aimAt(await a.answer(p1.sdp()));
      const done: string[] = [];
      a.onPlayDone((c) => done.push(c));
      a.play('short', { loop: false });
      await until(() => done.length > 0, 2000, 'onPlayDone');
      expect(done).toEqual(['short']);
      await sleep(150);
      expect(p1.received).toHaveLength(10);
      expect(a.isPlaying).toBe(false);
    });

    it('chains announcements from onPlayDone without doubling the frame clock', { timeout: 10_000 }, async () => {
      const engine = await anyEngine(name);
      engine.clips.add('one', new Int16Array(160 * 5).fill(1000));
      engine.clips.add('two', new Int16Array(160 * 5).fill(-1000));
      const p1 = await peer();
      const a = await engine.createEndpoint({ legId: 'leg-chain', kind: 'rtp' });
      p1.aimAt(await a.answer(p1.sdp()));
      const done: string[] = [];
      a.onPlayDone((c) => {
        done.push(c);
        if (c === 'one') a.play('two', { loop: false });
        else a.play(DEFAULT_CLIP);
      });
      const t0 = Date.now();
      a.play('one', { loop: false });
      await until(() => done.length === 2, 2000, 'both announcements');
      expect(done).toEqual(['one', 'two']);
      const pos = encode(Int16Array.of(1000), 'PCMU')[0];
      const neg = encode(Int16Array.of(-1000), 'PCMU')[0];
      expect(p1.received.slice(0, 10).map((r) => r.payload[0])).toEqual([...Array<number>(5).fill(pos!), ...Array<number>(5).fill(neg!)]);
      // 10 frames of 20 ms then music at the same 50 packets/s, not faster
      await sleep(1000);
      const elapsed = Date.now() - t0;
      expect(p1.received.length).toBeLessThanOrEqual(Math.ceil(elapsed / 20) + 3);
      expect(p1.received.length).toBeGreaterThanOrEqual(Math.floor(elapsed / 20) - 6);
    });

    it('detects DTMF replayed from the SIPp pcaps (each digit once, with its duration)', { timeout: 15_000 }, async () => {
      const engine = await anyEngine(name);
      const p1 = await peer();
      const a = await engine.createEndpoint({ legId: 'leg-dtmf', kind: 'rtp' });
      p1.aimAt(await a.answer(p1.sdp({ pts: '8 101' })));
      const digits: Array<[string, number]> = [];
      a.onDtmf((d, ms) => digits.push([d, ms]));
      const names = ['1', '9', 'star', '0', 'pound', '5'];
      for (const name of names) {
        const pkts = readPcapUdp(`/usr/share/sip-tester/dtmf_2833_${name}.pcap`);
        expect(pkts).toHaveLength(10);
        const t0 = Date.now();
        for (const p of pkts) {
          const wait = p.atMs - (Date.now() - t0);
          if (wait > 0) await sleep(wait);
          p1.sendRaw(p.data);
        }
        await sleep(40);
      }
      await until(() => digits.length >= names.length, 2000, 'digits');
      expect(digits.map(([d]) => d).join('')).toBe('19*0#5');
      for (const [, ms] of digits) expect(ms).toBe(280); // 2240 samples in the pcaps
    });

    it('records a party to a stereo WAV: left = what a says, right = what a hears (b through the bridge)', { timeout: 15_000 }, async () => {
      const engine = await anyEngine(name);
      const { p1, p2, a, b } = await twoPlainLegs(engine, '8 101');
      const file = path.join(dir, 'bridge.wav');
      const rec = engine.record(a, file);
      const bridge = engine.bridge(a, b);
      const tone = (amp: number, law: 'PCMU' | 'PCMA', n: number) =>
        encode(Int16Array.from({ length: 160 }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * 440 * (n * 160 + i)) / 8000))), law);
      for (let n = 0; n < 50; n++) {
        p1.send(0, tone(3000, 'PCMU', n)); // a: quiet
        if (n >= 25) p2.send(8, tone(12000, 'PCMA', n)); // b: loud, second half only
        await sleep(20);
      }
      await sleep(50);
      bridge.unbridge();
      await rec.stop();
      const wav = readFileSync(file);
      expect(wav.readUInt16LE(22)).toBe(2);
      const frames = wav.readUInt32LE(40) / 4;
      expect(frames / 8000).toBeGreaterThan(0.9);
      expect(frames / 8000).toBeLessThan(1.6);
      const rms = (ch: 0 | 1, from: number, to: number) => {
        let s = 0;
        for (let i = from; i < to; i++) s += wav.readInt16LE(44 + i * 4 + ch * 2) ** 2;
        return Math.sqrt(s / (to - from));
      };
      const half = Math.floor(frames / 2);
      expect(rms(0, 0, frames)).toBeGreaterThan(1500);
      expect(rms(0, 0, frames)).toBeLessThan(2600);
      expect(rms(1, 0, half - 1600)).toBeLessThan(50); // b silent at first
      expect(rms(1, half + 1600, frames - 800)).toBeGreaterThan(6000);
    });
});
