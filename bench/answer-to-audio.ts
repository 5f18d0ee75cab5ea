/**
 * Time from the operator's Answer click to the first audio packet in the operator's browser,
 * through the whole platform (sip.js → ACD → werift media anchored in the ACD → bridged caller
 * audio). Prints each run, the median, and the same figure for a reference run in the same
 * script: two RTCPeerConnections in one Chromium page connected directly (no SIP, no ACD) —
 * the floor of WebRTC set-up on this machine.
 *
 *   npx tsx bench/answer-to-audio.ts [runs=5]
 *
 * Starts its own platform on ports 3200/5262 with a throw-away database (needs `next build`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config';

const RUNS = Number(process.argv[2] ?? 5);
const HTTP_PORT = 3200;
const SIP_WS_PORT = 5262;
const BASE = `http://127.0.0.1:${HTTP_PORT}`;
const PASSWORD = 'bench-demo-password';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function startPlatform(dataDir: string): Promise<ChildProcess> {
  if (!existsSync('.next/BUILD_ID')) throw new Error('run `npx next build` first');
  // node itself (not npx) so that killing the child stops the platform
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, HTTP_PORT: String(HTTP_PORT), SIP_WS_PORT: String(SIP_WS_PORT), DATA_DIR: dataDir, DEMO_PASSWORD: PASSWORD, LOG_LEVEL: 'warn', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${BASE}/api/health`)).ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill();
  throw new Error('platform did not start in 60 s');
}


// In-page code is passed as source text: tsx's transpiler adds helpers (__name) that do not
// exist in the page.

/** Clicks Answer and polls getStats every 5 ms in the page until the first inbound packet. */
const ANSWER_AND_TIME = `new Promise((resolve) => {
  const btn = document.querySelector('[data-testid=call-answer]');
  if (!btn) return resolve(-1);
  const t0 = performance.now();
  btn.click();
  const tick = async () => {
    const pc = window.patchbay && window.patchbay.pc();
    if (pc) {
      let n = 0;
      (await pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'audio') n = r.packetsReceived || 0; });
      if (n > 0) return resolve(performance.now() - t0);
    }
    if (performance.now() - t0 > 15000) return resolve(-1);
    setTimeout(tick, 5);
  };
  tick();
})`;

/** Reference: answerer side of a direct in-page WebRTC call, from "start answering" to first packet. */
const DIRECT_WEBRTC = `(async () => {
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  const a = new RTCPeerConnection({ iceServers: [] });
  const b = new RTCPeerConnection({ iceServers: [] });
  for (const t of mic.getAudioTracks()) { a.addTrack(t, mic); b.addTrack(t.clone(), mic); }
  const gathered = (pc) => new Promise((r) => {
    if (pc.iceGatheringState === 'complete') return r();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r());
  });
  await a.setLocalDescription(await a.createOffer());
  await gathered(a);
  const t0 = performance.now(); // the moment the answerer starts, like the Answer click
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await gathered(b);
  await a.setRemoteDescription(b.localDescription);
  return await new Promise((resolve) => {
    const tick = async () => {
      let n = 0;
      (await b.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'audio') n = r.packetsReceived || 0; });
      if (n > 0) { const ms = performance.now() - t0; a.close(); b.close(); mic.getTracks().forEach((t) => t.stop()); return resolve(ms); }
      if (performance.now() - t0 > 15000) return resolve(-1);
      setTimeout(tick, 5);
    };
    tick();
  });
})()`;

const answerAndTimeFirstPacket = (page: Page): Promise<number> => page.evaluate(ANSWER_AND_TIME) as Promise<number>;
const directWebRtcFirstPacket = (page: Page): Promise<number> => page.evaluate(DIRECT_WEBRTC) as Promise<number>;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-'));
  const platform = await startPlatform(dataDir);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const opCtx = await browser.newContext({ baseURL: BASE, permissions: ['microphone'] });
    const op = await opCtx.newPage();
    const login = await op.request.post('/api/auth/login', { data: { email: 'olivia@patchbay.local', password: PASSWORD } });
    if (login.status() !== 200) throw new Error(`sign-in failed: ${login.status()}`);
    await op.goto('/console');
    await op.getByTestId('device-browser').click();
    await op.locator('[data-testid=reg-status][data-state=registered]').waitFor();

    const platformMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await op.locator('[data-testid=agent-state][data-state=ready], [data-testid=agent-state][data-state=not_ready], [data-testid=agent-state][data-state=wrap_up]').waitFor();
      const state = await op.getByTestId('agent-state').getAttribute('data-state');
      if (state !== 'ready') {
        await op.getByTestId('agent-ready').click();
        await op.locator('[data-testid=agent-state][data-state=ready]').waitFor();
      }
      const callerCtx = await browser.newContext({ baseURL: BASE, permissions: ['microphone'] });
      const caller = await callerCtx.newPage();
      await caller.goto('/call');
      await caller.getByTestId('caller-name').fill(`Bench ${i + 1}`);
      await caller.getByTestId('call-start').click();
      await op.locator('[data-testid=call-phase][data-phase=ringing]').waitFor({ timeout: 20_000 });
      const ms = await answerAndTimeFirstPacket(op);
      if (ms < 0) throw new Error(`run ${i + 1}: no audio within 15 s of Answer`);
      platformMs.push(ms);
      process.stdout.write(`run ${i + 1}: answer click → first audio packet ${ms.toFixed(1)} ms\n`);
      await caller.getByTestId('call-hangup').click();
      await op.getByTestId('call-ended').waitFor();
      await callerCtx.close();
    }

    const refCtx = await browser.newContext({ baseURL: BASE, permissions: ['microphone'] });
    const refPage = await refCtx.newPage();
    await refPage.goto(BASE + '/'); // a secure context (localhost) for getUserMedia
    const refMs: number[] = [];
    for (let i = 0; i < RUNS; i++) refMs.push(await directWebRtcFirstPacket(refPage));

    const p = median(platformMs);
    const r = median(refMs);
    process.stdout.write(
      [
        '',
        `platform  (sip.js → ACD → bridge): median ${p.toFixed(1)} ms over ${RUNS} runs [${platformMs.map((x) => x.toFixed(0)).join(', ')}]`,
        `reference (direct WebRTC, no ACD): median ${r.toFixed(1)} ms over ${RUNS} runs [${refMs.map((x) => x.toFixed(0)).join(', ')}]`,
        `ratio platform / reference: ${(p / r).toFixed(2)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await browser.close();
    platform.kill('SIGTERM');
    await new Promise((r) => platform.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
