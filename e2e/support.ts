import { expect, request as pwRequest, type APIRequestContext, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { E2E } from '../playwright.config';

/** Inbound audio as the page's RTCPeerConnection reports it (null before there is one). */
export interface InboundAudio {
  packetsReceived: number;
  audioLevel: number;
  totalAudioEnergy: number;
}

export async function inboundAudio(page: Page): Promise<InboundAudio | null> {
  return page.evaluate(async () => {
    const pc = window.patchbay?.pc();
    if (!pc) return null;
    const stats = await pc.getStats();
    let out: { packetsReceived: number; audioLevel: number; totalAudioEnergy: number } | null = null;
    stats.forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        out = {
          packetsReceived: Number(s.packetsReceived ?? 0),
          audioLevel: Number(s.audioLevel ?? 0),
          totalAudioEnergy: Number(s.totalAudioEnergy ?? 0),
        };
      }
    });
    return out;
  });
}

/**
 * Waits until the page receives audio: packets keep arriving between two samples and a
 * non-zero level is heard (Chromium's fake microphone beeps, so the level is sampled a while).
 */
export async function expectAudioFlowing(page: Page, label: string, withinMs = 15_000): Promise<InboundAudio> {
  const deadline = Date.now() + withinMs;
  let first: InboundAudio | null = null;
  let maxLevel = 0;
  let last: InboundAudio | null = null;
  while (Date.now() < deadline) {
    last = await inboundAudio(page);
    if (last) {
      first ??= last;
      maxLevel = Math.max(maxLevel, last.audioLevel);
      if (last.packetsReceived > first.packetsReceived + 10 && maxLevel > 0) return last;
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`${label}: no audio flowing (first=${JSON.stringify(first)}, last=${JSON.stringify(last)}, maxLevel=${maxLevel})`);
}

/**
 * With E2E_MEDIA_ENGINE=rtpengine: the page's call really ends in the e2e's rtpengine daemon —
 * every candidate of the remote SDP is on its media ports (e2e/rtpengine-platform.ts writes them).
 * On the embedded engine: nothing to check.
 */
export async function expectAnchoredInRtpengine(page: Page): Promise<void> {
  if (process.env.E2E_MEDIA_ENGINE !== 'rtpengine') return;
  const { portRange } = JSON.parse(readFileSync(path.join(E2E.dataDir, 'e2e-rtpengine.json'), 'utf8')) as { portRange: [number, number] };
  const sdp = await page.evaluate(() => window.patchbay?.pc()?.remoteDescription?.sdp ?? '');
  const ports = [...sdp.matchAll(/^a=candidate:\S+ \d+ udp \d+ \S+ (\d+) typ/gim)].map((m) => Number(m[1]));
  expect(ports.length, sdp).toBeGreaterThan(0);
  for (const p of ports) expect(p >= portRange[0] && p <= portRange[1], `candidate port ${p} outside rtpengine's ${portRange.join('-')}`).toBe(true);
}

/** A request context signed in through the API (only the sign-in test goes through the UI). */
export async function apiAs(email: string): Promise<APIRequestContext> {
  const ctx = await pwRequest.newContext({ baseURL: E2E.baseURL });
  const res = await ctx.post('/api/auth/login', { data: { email, password: E2E.demoPassword } });
  expect(res.status(), await res.text()).toBe(200);
  return ctx;
}

/** Signs a page in through the API: the cookie lands in the page's browser context. */
export async function signInPage(page: Page, email: string): Promise<void> {
  const res = await page.request.post('/api/auth/login', { data: { email, password: E2E.demoPassword } });
  expect(res.status(), await res.text()).toBe(200);
}

/** Signs the console's operator in as Ready; with `callWaiting` a waiting caller is offered at once, so Ready may already be Call coming. */
export async function operatorReady(page: Page, opts: { callWaiting?: boolean } = {}): Promise<void> {
  await page.goto('/console');
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'connected');
  await page.getByTestId('device-browser').click();
  await expect(page.getByTestId('reg-status')).toHaveAttribute('data-state', 'registered');
  // an operator back within the reconnect grace is still Ready (the button is then disabled)
  const state = page.getByTestId('agent-state');
  await expect(state).not.toHaveAttribute('data-state', 'offline'); // the CTI has said where they stand
  if ((await state.getAttribute('data-state')) !== 'ready') await page.getByTestId('agent-ready').click();
  await expect(state).toHaveAttribute('data-state', opts.callWaiting ? /^(ready|reserved)$/ : 'ready');
}

export async function callerDials(page: Page, name: string): Promise<void> {
  await page.goto('/call');
  await page.getByTestId('caller-name').fill(name);
  await page.getByTestId('call-start').click();
  await expect(page.getByTestId('call-status')).toHaveAttribute('data-state', /holding|connected/);
}

export interface TimelineEvent {
  seq: number;
  at: number;
  type: string;
  data: Record<string, unknown> | null;
}

export async function lastCallTimeline(admin: APIRequestContext): Promise<{ call: { id: string; endedBy: string | null; outcome: string | null }; events: TimelineEvent[] }> {
  const calls = await (await admin.get('/api/admin/calls?pageSize=1')).json();
  expect(calls.ok).toBe(true);
  const call = calls.data.rows[0];
  const ev = await (await admin.get(`/api/admin/calls/${call.id}/events`)).json();
  expect(ev.ok).toBe(true);
  return { call, events: ev.data };
}

/**
 * With E2E_SCREENSHOTS=<dir>, saves the page at 1280 px and at 390 px (a phone), full length, as
 * <dir>/<name>-desktop.png and <dir>/<name>-390.png, then restores the viewport. Without it: nothing.
 */
export async function screenshots(page: Page, name: string): Promise<void> {
  const dir = process.env.E2E_SCREENSHOTS;
  if (!dir) return;
  const size = page.viewportSize() ?? { width: 1280, height: 720 };
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: `${dir}/${name}-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${dir}/${name}-390.png`, fullPage: true });
  await page.setViewportSize(size);
}

/**
 * A queue row from the admin API as a PATCH body: the stored settings, without the fields the
 * server fills in for display (names of linked rows, members, numbers, who changed it and when).
 */
export function queueSettings(row: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, overflowQueueName: _o, scheduleName: _s, members: _m, numbers: _n, updatedAt: _u, updatedByName: _b, ...settings } = row;
  return settings;
}
