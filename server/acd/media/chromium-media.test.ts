import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from '@playwright/test';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateAddresses } from '../../shared/sdp/audio-edits';
import { ENGINES, EngineUnderTest } from './test-engines';
import { requireTool } from '../../test-support/system-tools';

/**
 * Real Chromium against the engine: a plain RTCPeerConnection offers audio (fake mic),
 * the engine answers and plays hold music. Proves which ICE addresses work on this machine.
 */
const CHROMIUM = requireTool('chromium');
const log = pino({ level: process.env.TEST_LOG ?? 'silent' });

interface PageStats {
  packetsReceived: number;
  audioLevel: number;
  packetsSent: number;
  codec: string;
  pair: { local: string; remote: string } | null;
}

describe('Chromium ↔ the media engines', () => {
  const engines = new EngineUnderTest(log);
  let browser: Browser;
  let server: http.Server;
  let origin: string;

  beforeAll(async () => {
    // getUserMedia needs a secure context: http://127.0.0.1 is one, about:blank is not.
    server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>media test</title><audio id="out" autoplay></audio>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        '--autoplay-policy=no-user-gesture-required',
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 30_000);

  afterAll(async () => {
    await engines.stop();
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  async function offerFromPage(page: Page, withMic: boolean): Promise<string> {
    await page.goto(origin);
    return page.evaluate(async (mic) => {
      const pc = new RTCPeerConnection();
      (window as unknown as { pc: RTCPeerConnection }).pc = pc;
      if (mic) {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
        for (const t of stream.getTracks()) pc.addTrack(t, stream);
      } else {
        pc.addTransceiver('audio', { direction: 'recvonly' });
      }
      pc.ontrack = (e) => {
        const el = document.getElementById('out') as HTMLAudioElement;
        el.srcObject = new MediaStream([e.track]);
      };
      await pc.setLocalDescription(await pc.createOffer());
      // Non-trickle, like sip.js: wait for gathering to complete, candidates go in the SDP.
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') resolve();
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
      });
      return pc.localDescription?.sdp ?? '';
    }, withMic);
  }

  function pageStats(page: Page): Promise<PageStats> {
    return page.evaluate(async () => {
      const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
      const report = await pc.getStats();
      const out: PageStats = { packetsReceived: 0, audioLevel: 0, packetsSent: 0, codec: '', pair: null };
      const byId = new Map<string, Record<string, unknown>>();
      report.forEach((s: Record<string, unknown>) => byId.set(String(s.id), s));
      report.forEach((s: Record<string, unknown>) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') {
          out.packetsReceived = Number(s.packetsReceived ?? 0);
          out.audioLevel = Number(s.audioLevel ?? 0);
          out.codec = String(byId.get(String(s.codecId))?.mimeType ?? '');
        }
        if (s.type === 'outbound-rtp' && s.kind === 'audio') out.packetsSent = Number(s.packetsSent ?? 0);
        // the pair in use: the transport's selected one, or a succeeded nominated pair (a CI run once read neither while audio flowed; waitStats waits for one)
        const selected = s.type === 'transport' ? byId.get(String(s.selectedCandidatePairId)) : s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated ? s : undefined;
        if (selected) {
          const l = byId.get(String(selected.localCandidateId));
          const r = byId.get(String(selected.remoteCandidateId));
          out.pair = { local: `${String(l?.address)}:${String(l?.port)}`, remote: `${String(r?.address)}:${String(r?.port)}` };
        }
      });
      return out;
    });
  }

  async function waitStats(page: Page, ok: (s: PageStats) => boolean, ms: number): Promise<PageStats> {
    const end = Date.now() + ms;
    let s = await pageStats(page);
    while (!ok(s) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
      s = await pageStats(page);
    }
    return s;
  }

  it.each(ENGINES)('answers a Chromium audio offer on the %s engine; the page hears hold music and the engine hears the page', { timeout: 20_000 }, async (name) => {
    const engine = await engines.make(name);
    const page = await browser.newPage();
    try {
      const offer = await offerFromPage(page, true);
      const theirs = candidateAddresses(offer).map(([a]) => a);
      log.info({ theirs }, 'chromium host candidates (with mic permission)');
      const ep = await engine.createEndpoint({ legId: 'chromium-1' });
      const answer = await ep.answer(offer);
      log.info({ ours: candidateAddresses(answer) }, 'engine host candidates');
      ep.play('default');
      await page.evaluate((sdp) => (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription({ type: 'answer', sdp }), answer);
      const s = await waitStats(page, (x) => x.packetsReceived > 50 && x.audioLevel > 0 && x.pair !== null, 8000);
      log.info({ stats: s, rtpReceived: ep.rtpReceived }, 'chromium stats');
      expect(s.codec).toBe('audio/PCMU');
      expect(s.packetsReceived).toBeGreaterThan(50);
      expect(s.audioLevel).toBeGreaterThan(0);
      expect(ep.rtpReceived).toBeGreaterThan(20);
      expect(s.pair).not.toBeNull();
      await ep.close();
    } finally {
      await page.close();
      await engine.close();
    }
  });

  // werift resolves the .local name; rtpengine (no mDNS) takes the peer-reflexive address Chromium's checks come from
  it.each(ENGINES)('connects on %s when Chromium hides its address behind an mDNS .local candidate', { timeout: 30_000 }, async (name) => {
    const engine = await engines.make(name);
    // Without media permission (no fake-UI flag, no getUserMedia) Chromium replaces its
    // host addresses by random `<uuid>.local` names that only its mDNS responder resolves.
    const shy = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    try {
      const page = await shy.newPage();
      const offer = await offerFromPage(page, false);
      const theirs = candidateAddresses(offer).map(([a]) => a);
      log.info({ theirs }, 'chromium host candidates (no media permission)');
      expect(theirs.length).toBeGreaterThan(0);
      expect(theirs.every((a) => a.endsWith('.local'))).toBe(true);
      const ep = await engine.createEndpoint({ legId: 'chromium-mdns' });
      const answer = await ep.answer(offer);
      ep.play('default');
      await page.evaluate((sdp) => (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription({ type: 'answer', sdp }), answer);
      const s = await waitStats(page, (x) => x.packetsReceived > 20, 15_000);
      log.info({ stats: s }, 'chromium stats (mDNS)');
      expect(s.packetsReceived).toBeGreaterThan(20);
      await ep.close();
    } finally {
      await shy.close();
      await engine.close();
    }
  });
});
