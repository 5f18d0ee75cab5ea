import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { until } from '../../../test-support/until';
import { DEFAULT_CLIP } from '../clip-library';
import { decode, transcode, type G711Law } from '../g711';
import { taggedFrame } from '../test-frames';
import { TestBrowserClient } from '../test-browser-client';
import { UdpRtpPeer } from '../test-udp-peer';
import { goertzel, heardPcm, speak, TONE } from '../../test-support/tones';
import { Health } from '../../../health/health';
import { rtpengineCheck } from '../../../health/checks';
import { NgChannel, parseNgAddress } from './ng-channel';
import type { RtpEndpoint } from '../rtp-endpoint';
import { RtpengineEndpoint } from './rtpengine-endpoint';
import { RtpengineMediaEngine } from './rtpengine-media-engine';
import { TestRtpengineDaemon } from '../test-rtpengine-daemon';

/**
 * What only the rtpengine engine does, against a real daemon: plain phones whose media goes
 * party → rtpengine → embedded side → rtpengine → party, the NG call per leg (query, delete),
 * counters for /metrics, a call rtpengine lost ending the leg.
 */
const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let daemon: TestRtpengineDaemon | null = null;
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
afterAll(async () => daemon?.stop());

/** A plain leg the engine anchored in rtpengine (`legs: all`). */
function anchored(ep: RtpengineEndpoint | RtpEndpoint): RtpengineEndpoint {
  if (!(ep instanceof RtpengineEndpoint)) throw new Error(`${ep.legId} is not anchored in rtpengine`);
  return ep;
}

async function setup() {
  daemon ??= await TestRtpengineDaemon.start();
  // every plain leg through rtpengine too (the default, legs: webrtc, leaves them to the embedded engine)
  const engine = new RtpengineMediaEngine(log, { ng: daemon.ng, pollIntervalSec: 60, legs: 'all' });
  await engine.start();
  const ng = new NgChannel(parseNgAddress(daemon.ng), log);
  const p1 = await UdpRtpPeer.open();
  const p2 = await UdpRtpPeer.open();
  cleanup.push(() => engine.close(), async () => ng.close(), () => p1.close(), () => p2.close());
  // a trunk calls in speaking PCMA only; the ACD dials a SIP phone that answers PCMU
  const a = anchored(await engine.createEndpoint({ legId: 'leg-a', kind: 'rtp' }));
  const answer = await a.answer(p1.sdp({ pts: '8 101' }));
  p1.aimAt(answer);
  const b = anchored(await engine.createEndpoint({ legId: 'leg-b', kind: 'rtp' }));
  const offer = await b.offer();
  await b.acceptAnswer(p2.sdp({ pts: '0 101' }));
  p2.aimAt(offer);
  return { engine, ng, p1, p2, a, b, answer, offer };
}

describe('the rtpengine engine with plain RTP phones and a real rtpengine', () => {
  it('anchors each party in rtpengine: its ports in the SDP, PCMA transcoded there, the embedded side on μ-law only', { timeout: 15_000 }, async () => {
    const { engine, p1, p2, a, b, answer, offer } = await setup();
    const [lo, hi] = daemon!.portRange;
    for (const sdp of [answer, offer]) {
      const port = Number(/^m=audio (\d+)/m.exec(sdp)?.[1]);
      expect(port).toBeGreaterThanOrEqual(lo);
      expect(port).toBeLessThanOrEqual(hi);
    }
    expect(answer).toMatch(/^m=audio \d+ RTP\/AVP 8 101\r?$/m);
    expect(offer).toMatch(/^m=audio \d+ RTP\/AVP 0 8 101\r?$/m);
    expect(a.codec).toBe('PCMA');
    expect(a.inner.codec).toBe('PCMU');
    expect(b.inner.codec).toBe('PCMU');
    engine.bridge(a, b);
    for (let n = 0; n < 20; n++) {
      p1.send(8, taggedFrame(1, n));
      p2.send(0, taggedFrame(2, n));
      await sleep(20);
    }
    await until(() => p2.received.filter((r) => r.pt === 0).length >= 20 && p1.received.filter((r) => r.pt === 8).length >= 20, 3000, 'bridged audio');
    // A-law in, μ-law out (and back), converted by rtpengine through linear PCM: the same
    // sound as sent, each sample within one step of the other law's quantiser (≤ 1/16 of it)
    const sameSound = (got: Buffer, gotLaw: G711Law, sent: Buffer, sentLaw: G711Law) => {
      const x = decode(got, gotLaw);
      const y = decode(sent, sentLaw);
      return x.every((v, i) => Math.abs(v - y[i]!) <= Math.max(16, Math.abs(y[i]!) / 16));
    };
    const at2 = p2.received.filter((r) => r.pt === 0).map((r) => r.payload);
    const at1 = p1.received.filter((r) => r.pt === 8).map((r) => r.payload);
    expect(at2.every((f, i) => sameSound(f, 'PCMU', taggedFrame(1, i), 'PCMA'))).toBe(true);
    expect(at1.every((f, i) => sameSound(f, 'PCMA', taggedFrame(2, i), 'PCMU'))).toBe(true);
    expect(at2).toHaveLength(20);
    expect(at1).toHaveLength(20);
    // every packet the phones got came from rtpengine's ports, never from the embedded side's
    for (const r of [...p1.received, ...p2.received]) expect(Number(r.from.split(':')[1])).toBeGreaterThanOrEqual(lo);
  });

  it('legs: webrtc (the default) bridges a browser anchored in rtpengine with a trunk on the embedded engine directly, in one call', { timeout: 20_000 }, async () => {
    daemon ??= await TestRtpengineDaemon.start();
    const engine = new RtpengineMediaEngine(log, { ng: daemon.ng, pollIntervalSec: 60 });
    await engine.start();
    const browser = new TestBrowserClient();
    const trunk = await UdpRtpPeer.open();
    cleanup.push(() => engine.close(), () => browser.close(), () => trunk.close());
    const [lo, hi] = daemon.portRange;
    const inRtpengine = (port: number) => port >= lo && port <= hi;
    // a caller's browser calls in: rtpengine answers (ICE, DTLS-SRTP there)
    const caller = await engine.createEndpoint({ legId: 'leg-caller' });
    const answer = await caller.answer(await browser.makeOffer());
    expect(caller).toBeInstanceOf(RtpengineEndpoint);
    expect(inRtpengine(Number(/^m=audio (\d+)/m.exec(answer)?.[1]))).toBe(true);
    await browser.acceptAnswer(answer);
    // the ACD dials out through a trunk that speaks A-law: the embedded engine's own plain leg
    const out = await engine.createEndpoint({ legId: 'leg-trunk', kind: 'rtp' });
    expect(out).not.toBeInstanceOf(RtpengineEndpoint);
    const offer = await out.offer();
    const trunkSidePort = Number(/^m=audio (\d+)/m.exec(offer)?.[1]);
    expect(inRtpengine(trunkSidePort)).toBe(false);
    await out.acceptAnswer(trunk.sdp({ pts: '8 101' }));
    trunk.aimAt(offer);
    await browser.connected(10_000);
    expect(out.codec).toBe('PCMA');
    expect(engine.endpointCount).toBe(2);

    engine.bridge(caller, out);
    for (let n = 0; n < 20; n++) {
      await browser.sendFrame(taggedFrame(1, n));
      trunk.send(8, taggedFrame(2, n));
      await sleep(20);
    }
    const atTrunk = () => trunk.received.filter((r) => r.pt === 8 && r.payload[0] === transcode(taggedFrame(1, 0), 'PCMU', 'PCMA')[0]);
    const atBrowser = () => browser.received.filter((p) => p.header.payloadType === 0 && p.payload[0] === transcode(taggedFrame(2, 0), 'PCMA', 'PCMU')[0]);
    // a loaded machine may drop a datagram or two on the way: at least 18 of 20 each way, and
    // every one that came is exactly a sent frame converted, in the order sent
    await until(() => atTrunk().length >= 18 && atBrowser().length >= 18, 5000, 'bridged audio both ways');
    await sleep(200);
    // the embedded bridge converts μ-law ↔ A-law by its table; rtpengine passes the browser's μ-law as is
    const inOrderOf = (got: string[], sent: string[]) => {
      let at = -1;
      return got.every((g) => (at = sent.indexOf(g, at + 1)) >= 0);
    };
    const toTrunk = [...Array(20).keys()].map((n) => transcode(taggedFrame(1, n), 'PCMU', 'PCMA').toString('hex'));
    const toBrowser = [...Array(20).keys()].map((n) => transcode(taggedFrame(2, n), 'PCMA', 'PCMU').toString('hex'));
    expect(inOrderOf(atTrunk().map((r) => r.payload.toString('hex')), toTrunk)).toBe(true);
    expect(inOrderOf(atBrowser().map((p) => p.payload.toString('hex')), toBrowser)).toBe(true);
    // no rtpengine hop for the trunk: everything it got came from the embedded side's port
    expect(new Set(trunk.received.map((r) => Number(r.from.split(':')[1])))).toEqual(new Set([trunkSidePort]));
    // /metrics totals: rtpengine's counters for the browser leg plus the trunk leg's own
    await engine.pollAll();
    const f = engine.figures();
    expect(f.engine).toBe('rtpengine');
    // every frame delivered across the bridge was first received from its party
    expect(f.packetsReceived).toBeGreaterThanOrEqual(atTrunk().length + atBrowser().length);
    await out.close();
    expect(engine.endpointCount).toBe(1);
    expect(engine.figures().packetsReceived).toBeGreaterThanOrEqual(f.packetsReceived);
  });

  it('reports rtpengine\'s own counters for /metrics under the engine label rtpengine', { timeout: 15_000 }, async () => {
    const { engine, p1, a } = await setup();
    a.play(DEFAULT_CLIP);
    for (let n = 0; n < 25; n++) {
      p1.send(8, taggedFrame(1, n));
      await sleep(20);
    }
    await until(() => p1.received.length >= 20, 2000, 'music at the phone');
    await engine.pollAll();
    const f = engine.figures();
    expect(f.engine).toBe('rtpengine');
    expect(f.packetsReceived).toBe(25);
    expect(f.packetsSent).toBeGreaterThanOrEqual(20);
    expect(f.packetsSent).toBeLessThanOrEqual(p1.received.length + 2);
  });

  it('close() deletes the call in rtpengine; a call rtpengine lost ends the leg with error', { timeout: 15_000 }, async () => {
    const { engine, ng, a, b } = await setup();
    const causes: string[] = [];
    a.onEnded((c) => causes.push(c));
    expect((await ng.command('query', { 'call-id': b.callId })).result).toBe('ok');
    await b.close();
    await expect(ng.command('query', { 'call-id': b.callId })).rejects.toThrow(/unknown call-id/i);
    // rtpengine drops leg A's call behind the ACD's back (its own timeout, a restart)
    await ng.command('delete', { 'call-id': a.callId });
    await engine.pollAll();
    await until(() => causes.length > 0, 2000, 'ended');
    expect(causes).toEqual(['error']);
    await a.close();
    expect(engine.endpointCount).toBe(0);
  });

  it('mixes in the embedded side behind rtpengine: a listener hears both talkers, a muted talker is not heard, a whisper reaches one member', { timeout: 20_000 }, async () => {
    const { engine, p1, p2, a, b } = await setup();
    const p3 = await UdpRtpPeer.open();
    cleanup.push(() => p3.close());
    const c = await engine.createEndpoint({ legId: 'leg-c', kind: 'rtp' });
    p3.aimAt(await c.answer(p3.sdp({ pts: '0 101' })));
    const mix = engine.mix();
    cleanup.push(async () => mix.close());
    mix.add(a, { mode: 'talk', whisperTo: null });
    mix.add(b, { mode: 'talk', whisperTo: null });
    mix.add(c, { mode: 'listen', whisperTo: null });
    const stops = [speak(p1, 8, TONE.caller), speak(p2, 0, TONE.operator), speak(p3, 0, TONE.third)];
    cleanup.push(async () => stops.forEach((s) => s()));
    await sleep(300);
    const from = [p1.received.length, p2.received.length, p3.received.length] as const;
    await sleep(700);
    const at1 = heardPcm(p1.received, from[0]);
    const at3 = heardPcm(p3.received, from[2]);
    // the listener hears both talkers; talkers never hear the listener nor themselves
    expect(goertzel(at3, TONE.caller)).toBeGreaterThan(500);
    expect(goertzel(at3, TONE.operator)).toBeGreaterThan(500);
    expect(goertzel(at1, TONE.operator)).toBeGreaterThan(500);
    expect(goertzel(at1, TONE.third)).toBeLessThan(60);
    expect(goertzel(at1, TONE.caller)).toBeLessThan(60);
    // the listener whispers to b: b hears it, a does not; then a is muted: nobody hears a
    mix.update(c, { mode: 'whisper', whisperTo: b });
    b.setMuted(false);
    a.setMuted(true);
    await sleep(300);
    const next = [p1.received.length, p2.received.length] as const;
    await sleep(700);
    const at1b = heardPcm(p1.received, next[0]);
    const at2b = heardPcm(p2.received, next[1]);
    expect(goertzel(at2b, TONE.third)).toBeGreaterThan(500);
    expect(goertzel(at1b, TONE.third)).toBeLessThan(60);
    expect(goertzel(at2b, TONE.caller)).toBeLessThan(60);
  });

  it('completes 20 DTLS handshakes of 20 with rtpengine as the DTLS server (the ACD offers to a werift browser)', { timeout: 60_000 }, async () => {
    // Before --poller-per-thread about one in ten stalled for good (docs/media.md, "The DTLS
    // stall"): 20 in a row then passed with a chance of about 0.9^20 = 12 %.
    daemon ??= await TestRtpengineDaemon.start();
    const engine = new RtpengineMediaEngine(log, { ng: daemon.ng, pollIntervalSec: 60 });
    cleanup.push(() => engine.close());
    const stalled: number[] = [];
    for (let i = 0; i < 20; i++) {
      const browser = new TestBrowserClient();
      const ep = await engine.createEndpoint({ legId: `leg-hs-${i}` });
      await ep.acceptAnswer(await browser.answerOffer(await ep.offer()));
      await browser.connected(4000).catch(() => stalled.push(i));
      await ep.close();
      await browser.close();
    }
    expect(stalled).toEqual([]);
  });

  it('readiness names rtpengine: ready while its daemon answers NG pings, not ready once it is gone', { timeout: 20_000 }, async () => {
    // a daemon of its own, as this test stops it
    const own = await TestRtpengineDaemon.start();
    const engine = new RtpengineMediaEngine(log, { ng: own.ng, pollIntervalSec: 60, ngTimeoutMs: 500 });
    const health = new Health([rtpengineCheck(engine)], log, { cacheMs: 0 });
    cleanup.push(async () => health.stop(), () => engine.close(), () => own.stop());
    await engine.start();
    expect(await health.ready()).toMatchObject({ status: 'ok', checks: [{ name: 'rtpengine', ok: true }] });
    await own.stop();
    expect(await engine.probe()).toBe(false);
    const down = await health.ready();
    expect(down.status).toBe('degraded');
    expect(down.checks).toEqual([{ name: 'rtpengine', ok: false, reason: 'rtpengine does not answer NG pings: no new call can be anchored' }]);
  });

  it('ends a WebRTC leg with ice-failed when the browser never sends rtpengine anything', { timeout: 15_000 }, async () => {
    daemon ??= await TestRtpengineDaemon.start();
    const engine = new RtpengineMediaEngine(log, { ng: daemon.ng, pollIntervalSec: 0.2, connectTimeoutSec: 0.5 });
    cleanup.push(() => engine.close());
    const ep = await engine.createEndpoint({ legId: 'leg-x' });
    const offer = await ep.offer();
    // an answer from nobody: a browser that answers and is gone before connecting
    const ghost = new TestBrowserClient();
    const ans = await ghost.answerOffer(offer);
    await ghost.close();
    const causes: string[] = [];
    ep.onEnded((c) => causes.push(c));
    await ep.acceptAnswer(ans);
    await until(() => causes.length > 0, 3000, 'ice-failed');
    await sleep(500);
    expect(causes).toEqual(['ice-failed']);
  });
});
