import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import path from 'node:path';
import pino from 'pino';
import { until } from '../../test-support/until';
import { taggedFrame } from './test-frames';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CLIP } from './clip-library';
import { transcode } from './g711';
import { candidateAddresses } from '../../shared/sdp/audio-edits';
import { TestBrowserClient } from './test-browser-client';
import { WeriftMediaEngine } from './werift-media-engine';
import { ENGINES, EngineUnderTest, type EngineName } from './test-engines';

const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));



const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
const engines = new EngineUnderTest(log);
afterAll(() => engines.stop());

async function setup(opts: { client2Laws?: Array<'PCMU' | 'PCMA'>; rtpTimeoutSec?: number; engine?: EngineName } = {}) {
  const engine = await engines.make(opts.engine ?? 'werift', { portRange: [42000, 42999], rtpTimeoutSec: opts.rtpTimeoutSec ?? 30 });
  const c1 = new TestBrowserClient();
  cleanup.push(() => engine.close(), () => c1.close());
  // A answers client 1's offer (a caller's browser calling in).
  const a = await engine.createEndpoint({ legId: 'leg-a' });
  const answer = await a.answer(await c1.makeOffer());
  await c1.acceptAnswer(answer);
  // B offers to client 2 (the ACD dialling an operator's browser): with rtpengine, werift is
  // then the DTLS client and rtpengine the server (the case that stalled before
  // --poller-per-thread, docs/media.md "The DTLS stall"); no retry.
  const c2 = new TestBrowserClient(opts.client2Laws);
  cleanup.push(() => c2.close());
  const b = await engine.createEndpoint({ legId: 'leg-b' });
  const offer = await b.offer();
  await b.acceptAnswer(await c2.answerOffer(offer));
  // one after the other, as before the retry went: each gets its own 4 s on a loaded machine
  await c2.connected();
  await c1.connected();
  await until(() => a.connected && b.connected, 3000, 'endpoints connected');
  return { engine, a, b, c1, c2, answer, offer };
}


/** Sends `count` tagged frames every 20 ms from a client. */
async function talk(client: TestBrowserClient, tag: number, count: number): Promise<Buffer[]> {
  const sent: Buffer[] = [];
  for (let n = 0; n < count; n++) {
    const f = taggedFrame(tag, n);
    sent.push(f);
    await client.sendFrame(f);
    await sleep(20);
  }
  return sent;
}

describe('WeriftMediaEngine with two werift "browsers"', () => {
  it('negotiates G.711 + telephone-event only, with complete host candidates and no STUN', { timeout: 10_000 }, async () => {
    const { answer, offer, a, b } = await setup();
    for (const sdp of [answer, offer]) {
      const m = /^m=audio (\d+) UDP\/TLS\/RTP\/SAVPF ([\d ]+)$/m.exec(sdp);
      expect(m).not.toBeNull();
      expect(Number(m?.[1])).toBeGreaterThanOrEqual(42000);
      expect(sdp).not.toMatch(/opus|G722|telephone-event\/48000|typ srflx|typ relay/i);
      expect(sdp).toMatch(/a=rtpmap:\d+ telephone-event\/8000/);
      const cands = candidateAddresses(sdp);
      expect(cands.map(([addr]) => addr)).toContain('127.0.0.1');
      for (const [addr, port] of cands) {
        expect(addr).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect(port).toBeGreaterThanOrEqual(42000);
        expect(port).toBeLessThanOrEqual(42999);
      }
      expect(sdp).toMatch(/a=fingerprint:sha-256 /);
      expect(sdp).toMatch(/a=sendrecv/);
    }
    expect(answer).toMatch(/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF 0 8 126\r?$/m);
    expect(offer).toMatch(/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF 0 8 101\r?$/m);
    expect(a.codec).toBe('PCMU');
    expect(b.codec).toBe('PCMU');
  });

  it('ends with ice-failed when the other side never connects', { timeout: 10_000 }, async () => {
    const engine = new WeriftMediaEngine(log, { connectTimeoutSec: 0.5 });
    cleanup.push(() => engine.close());
    const ep = await engine.createEndpoint({ legId: 'leg-x' });
    const offer = await ep.offer();
    // An answer from nobody: a client that answers but is closed before connecting.
    const ghost = new TestBrowserClient();
    const ans = await ghost.answerOffer(offer);
    await ghost.close();
    const causes: string[] = [];
    ep.onEnded((c) => causes.push(c));
    await ep.acceptAnswer(ans);
    await until(() => causes.length > 0, 3000, 'ice-failed');
    expect(causes).toEqual(['ice-failed']);
  });

  it('refuses an offer without G.711', { timeout: 10_000 }, async () => {
    const engine = new WeriftMediaEngine(log);
    cleanup.push(() => engine.close());
    const ep = await engine.createEndpoint({ legId: 'leg-opus' });
    const opusOnly = new TestBrowserClient(['PCMU']);
    cleanup.push(() => opusOnly.close());
    const sdp = (await opusOnly.makeOffer()).replace(/ 0 126/, ' 126').replace(/a=rtpmap:0 PCMU\/8000\r?\n/, '');
    expect(sdp).not.toMatch(/PCMU|PCMA/);
    await expect(ep.answer(sdp)).rejects.toThrow(/PCMU nor PCMA/);
    await expect(ep.answer('hello')).rejects.toThrow(/not an SDP/);
  });

  it('close() is safe twice and frees its ports and sockets', { timeout: 10_000 }, async () => {
    const { engine, a, b, c1, c2, answer, offer } = await setup();
    a.play(DEFAULT_CLIP);
    engine.bridge(a, b);
    await talk(c1, 1, 5);
    await Promise.all([a.close(), a.close()]);
    await engine.close();
    await engine.close();
    expect(engine.endpointCount).toBe(0);
    await c1.close();
    await c2.close();
    // Every port our endpoints used can be bound again.
    const ports = [...candidateAddresses(answer), ...candidateAddresses(offer)].map(([, p]) => p);
    for (const port of new Set(ports)) {
      const s = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(port, '0.0.0.0', () => resolve());
      });
      await new Promise<void>((r) => s.close(() => r()));
    }
    // Nothing of ours keeps the process alive (werift's own lingering handles are listed if any).
    await sleep(200);
    const resources = process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap');
    expect(resources).toEqual([]);
  });

  it('leaves nothing behind: a process that uses the engine exits by itself', { timeout: 15_000 }, async () => {
    const script = path.join(import.meta.dirname, 'lifecycle-fixture.ts');
    const started = Date.now();
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', script], { timeout: 12_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(out).toMatch(/^music packets: ([2-9]\d|\d{3,})$/m);
    expect(out).toMatch(/^plain packets: 1$/m);
    expect(out).toMatch(/^closed$/m);
    // The fixture does not call process.exit: it ends only when no socket or timer is left.
    expect(Date.now() - started).toBeLessThan(12_000);
  });
});

describe.each(ENGINES)('the %s engine with two werift "browsers" (the MediaEngine contract)', (name) => {
    it('plays music, then bridges both ways with identical payloads and a continuous stream', { timeout: 10_000 }, async () => {
      const { engine, a, b, c1, c2 } = await setup({ engine: name });
      const clip = engine.clips.get(DEFAULT_CLIP);
      expect(clip).toBeDefined();
      const musicFrames = new Set((clip?.frames.PCMU ?? []).map((f) => f.toString('hex')));
      a.play(DEFAULT_CLIP);
      b.play(DEFAULT_CLIP);
      await until(() => c1.received.length >= 20 && c2.received.length >= 20, 3000, 'music at both clients');
      expect(c1.received.every((p) => musicFrames.has(p.payload.toString('hex')))).toBe(true);
      const musicAtC2 = c2.received.length;

      const bridge = engine.bridge(a, b);
      const [sent1, sent2] = await Promise.all([talk(c1, 1, 40), talk(c2, 2, 40)]);
      await until(() => b.rtpReceived >= 40 && a.rtpReceived >= 40, 2000, 'RTP at the ACD');
      await sleep(100);

      const got2 = c2.received.filter((p) => p.payload[0] === 1).map((p) => p.payload.toString('hex'));
      const got1 = c1.received.filter((p) => p.payload[0] === 2).map((p) => p.payload.toString('hex'));
      expect(got2).toEqual(sent1.map((f) => f.toString('hex')));
      expect(got1).toEqual(sent2.map((f) => f.toString('hex')));
      // Music stopped: after the first bridged packet, nothing but the other party's audio arrives.
      const firstBridged = c2.received.findIndex((p) => p.payload[0] === 1);
      expect(firstBridged).toBeGreaterThanOrEqual(musicAtC2 - 1);
      expect(c2.received.slice(firstBridged).every((p) => p.payload[0] === 1)).toBe(true);
      // One continuous stream for client 2: one SSRC, seq +1 each packet, timestamps rising.
      const ssrcs = new Set(c2.received.map((p) => p.header.ssrc));
      expect(ssrcs.size).toBe(1);
      for (let i = 1; i < c2.received.length; i++) {
        const prev = c2.received[i - 1]!.header;
        const cur = c2.received[i]!.header;
        expect((cur.sequenceNumber - prev.sequenceNumber) & 0xffff).toBe(1);
        const dts = (cur.timestamp - prev.timestamp) >>> 0;
        expect(dts).toBeGreaterThanOrEqual(160);
        expect(dts).toBeLessThan(8000);
      }
      expect(c2.received[firstBridged]!.header.marker).toBe(true);

      // Unbridge (twice is fine): forwarding stops.
      bridge.unbridge();
      bridge.unbridge();
      const before = c2.received.length;
      await talk(c1, 1, 10);
      await sleep(100);
      expect(c2.received.length).toBe(before);
      // Music again after unbridge, continuing the same stream.
      b.play(DEFAULT_CLIP);
      await until(() => c2.received.length >= before + 5, 2000, 'music after unbridge');
      const resumed = c2.received[before]!.header;
      expect((resumed.sequenceNumber - c2.received[before - 1]!.header.sequenceNumber) & 0xffff).toBe(1);
    });

    it('transcodes PCMU to PCMA when the legs got different laws, and maps telephone-event payload types', { timeout: 10_000 }, async () => {
      const { engine, a, b, c1, c2 } = await setup({ engine: name, client2Laws: ['PCMA'] });
      expect(a.codec).toBe('PCMU');
      expect(b.codec).toBe('PCMA');
      expect(c2.sendCodec).toBe('PCMA');
      engine.bridge(a, b);
      const sent1 = await talk(c1, 1, 15);
      const audio = () => c2.received.filter((p) => p.header.payloadType === 8).map((p) => p.payload.toString('hex'));
      // on a timeout, say what did arrive (payload type : first bytes) rather than only that too little did
      await until(() => audio().length >= sent1.length, 2000, 'audio at client 2').catch((e: Error) => {
        throw new Error(`${e.message}; got ${c2.received.map((p) => p.header.payloadType + ':' + p.payload.subarray(0, 4).toString('hex')).join(' ')}`);
      });
      expect(audio()).toEqual(sent1.map((f) => transcode(f, 'PCMU', 'PCMA').toString('hex')));
      if (name === 'werift') {
        // the embedded engine forwards each event packet as it is, its payload type mapped
        const dtmf = Buffer.from([5, 0x0a, 0x00, 0xa0]); // digit 5, volume 10, duration 160
        await c1.sendDtmf(dtmf);
        await until(() => c2.received.filter((p) => p.header.payloadType === 101).length === 1, 2000, 'DTMF at client 2');
        const ev = c2.received.find((p) => p.header.payloadType === 101);
        expect(ev?.payload.equals(dtmf)).toBe(true);
      } else {
        // rtpengine transcodes the event (PT 126 → 101 on the embedded side, 101 on client 2's):
        // a whole event, its end packet sent three times, arrives as digit 5 with an end
        for (const [dur, end] of [[160, false], [320, false], [480, true], [480, true], [480, true]] as const) {
          await c1.sendDtmf(Buffer.from([5, end ? 0x8a : 0x0a, dur >> 8, dur & 0xff]));
          await sleep(20);
        }
        const events = () => c2.received.filter((p) => p.header.payloadType === 101);
        await until(() => events().some((p) => (p.payload[1]! & 0x80) !== 0), 2000, 'DTMF end at client 2');
        expect(new Set(events().map((p) => p.payload[0]))).toEqual(new Set([5]));
      }
      // And back: client 2's A-law arrives at client 1 as μ-law.
      await talk(c2, 2, 5);
      await until(() => c1.received.filter((p) => p.header.payloadType === 0).length >= 5, 2000, 'audio at client 1');
      const back = c1.received.filter((p) => p.header.payloadType === 0).map((p) => p.payload.toString('hex'));
      expect(back).toEqual([0, 1, 2, 3, 4].map((n) => transcode(taggedFrame(2, n), 'PCMA', 'PCMU').toString('hex')));
    });

    it('answers a re-offer on a live leg (sip.js re-INVITE) without interrupting the music', { timeout: 10_000 }, async () => {
      const { a, c1 } = await setup({ engine: name });
      a.play(DEFAULT_CLIP);
      await until(() => c1.received.length >= 10, 2000, 'music');
      await c1.pc.setLocalDescription(await c1.pc.createOffer());
      const again = await a.answer(c1.pc.localDescription?.sdp ?? '');
      await c1.acceptAnswer(again);
      const n = c1.received.length;
      await until(() => c1.received.length >= n + 15, 2000, 'music after the re-offer');
      expect(a.codec).toBe('PCMU');
      // One continuous stream: same SSRC, sequence numbers always moving forward. A lost
      // datagram on a loaded machine leaves a small gap; a restart would jump or go back.
      expect(new Set(c1.received.map((p) => p.header.ssrc)).size).toBe(1);
      const seqs = c1.received.map((p) => p.header.sequenceNumber);
      const steps = seqs.slice(1).map((s, i) => (s - seqs[i]!) & 0xffff);
      expect(steps.every((d) => d >= 1 && d <= 3)).toBe(true);
      expect(steps.filter((d) => d !== 1).length).toBeLessThanOrEqual(2);
    });

    it('answers an ICE restart from a browser that restarted more often than we did: audio both ways on the new pair', { timeout: 15_000 }, async () => {
      const { engine, a, b, c1, c2 } = await setup({ engine: name });
      engine.bridge(a, b);
      // a restart offered on a connection that died and never reached us, then the one that did:
      // the browser counts two ICE generations, we one (werift once matched the two counts)
      await c1.reoffer({ iceRestart: true });
      const restarted = await c1.reoffer({ iceRestart: true });
      const answer = await a.answer(restarted);
      await c1.acceptAnswer(answer);
      const toB = c2.received.length;
      const toA = c1.received.length;
      const talking = Promise.all([talk(c1, 5, 40), talk(c2, 6, 40)]);
      await until(() => c2.received.slice(toB).filter((p) => p.payload[0] === 5).length >= 10, 4000, 'browser 1 heard after the restart');
      await until(() => c1.received.slice(toA).filter((p) => p.payload[0] === 6).length >= 10, 4000, 'browser 2 heard by browser 1 after the restart');
      await talking;
      expect(a.connected).toBe(true);
    });

    it('hold by WebRTC re-offer (sendonly): the other browser hears music, resume restores the bridge', { timeout: 15_000 }, async () => {
      const { engine, a, b, c1, c2 } = await setup({ engine: name });
      const bridge = engine.bridge(a, b);
      const t = c1.pc.getTransceivers()[0]!;
      t.setDirection('sendonly');
      await c1.pc.setLocalDescription(await c1.pc.createOffer());
      const held = await a.answerReoffer(c1.pc.localDescription?.sdp ?? '');
      await c1.acceptAnswer(held.sdp);
      expect(held.remoteDirection).toBe('sendonly');
      expect(held.sdp).toMatch(/a=recvonly/);
      if ('held' in bridge) expect(bridge.held).toBe(true);
      const n2 = c2.received.length;
      await talk(c1, 1, 10); // a holding browser may still send (its own music): not forwarded
      await until(() => c2.received.length >= n2 + 15, 2000, 'music to the other browser');
      expect(c2.received.slice(n2).filter((p) => p.payload[0] === 1)).toHaveLength(0);
      t.setDirection('sendrecv');
      await c1.pc.setLocalDescription(await c1.pc.createOffer());
      const resumed = await a.answerReoffer(c1.pc.localDescription?.sdp ?? '');
      await c1.acceptAnswer(resumed.sdp);
      expect(resumed.remoteDirection).toBe('sendrecv');
      if ('held' in bridge) expect(bridge.held).toBe(false);
      const n = c2.received.length;
      await talk(c1, 3, 10);
      await until(() => c2.received.slice(n).filter((p) => p.payload[0] === 3).length >= 8, 2000, 'bridge restored');
      const seqs = c2.received.map((p) => p.header.sequenceNumber);
      for (let i = 1; i < seqs.length; i++) expect((seqs[i]! - seqs[i - 1]!) & 0xffff).toBe(1);
    });

    it('ends a leg with rtp-timeout when its party goes silent, once', { timeout: 10_000 }, async () => {
      const { a } = await setup({ engine: name, rtpTimeoutSec: 0.5 });
      const causes: string[] = [];
      a.onEnded((c) => causes.push(c));
      await until(() => causes.length > 0, 3000, 'rtp-timeout');
      await sleep(300);
      expect(causes).toEqual(['rtp-timeout']);
      const late: string[] = [];
      a.onEnded((c) => late.push(c));
      await sleep(10);
      expect(late).toEqual(['rtp-timeout']);
    });
});
