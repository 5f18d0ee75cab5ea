import { expect, test } from '@playwright/test';
import { E2E } from '../playwright.config';
import { apiAs, callerDials, expectAnchoredInRtpengine, expectAudioFlowing, inboundAudio, lastCallTimeline, operatorReady } from './support';

// The walking skeleton with real parts: two Chromium contexts, sip.js on both pages, the ACD
// anchoring media, the CTI routing and releasing through its JsSIP bank.
test('a caller reaches a browser operator, both hear each other, and the CTI releases the operator when the caller hangs up', async ({ browser }) => {
  const opCtx = await browser.newContext();
  const callerCtx = await browser.newContext();
  const op = await opCtx.newPage();
  const caller = await callerCtx.newPage();
  const admin = await apiAs('admin@patchbay.local');

  // Sign-in through the UI (the one test that does it that way).
  await op.goto('/login');
  await op.getByTestId('login-email').fill('olivia@patchbay.local');
  await op.getByTestId('login-password').fill(E2E.demoPassword);
  await op.getByTestId('login-submit').click();
  await op.waitForURL('**/console');
  await operatorReady(op);

  // The caller hears the ACD's hold music while parked.
  await callerDials(caller, 'Carla Caller');
  await expectAudioFlowing(caller, 'caller on hold');

  // The operator's browser rings, with the caller's identity, queue and wait time.
  await expect(op.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
  await expect(op.getByTestId('call-caller')).toContainText('Carla Caller');
  await expect(op.getByTestId('call-queue')).toContainText('Support');
  await expect(op.getByTestId('call-wait')).toBeVisible();
  await op.getByTestId('call-answer').click();
  await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'talking');
  await expect(caller.getByTestId('call-status')).toHaveAttribute('data-state', 'connected');

  // Two-way audio through the ACD: each side receives packets with a non-zero level.
  const opAudio = await expectAudioFlowing(op, 'operator hears the caller');
  const callerBefore = await inboundAudio(caller);
  const callerAudio = await expectAudioFlowing(caller, 'caller hears the operator');
  expect(opAudio.packetsReceived).toBeGreaterThan(10);
  expect(callerAudio.packetsReceived).toBeGreaterThan(callerBefore?.packetsReceived ?? 0);
  // on E2E_MEDIA_ENGINE=rtpengine: the caller's offer was answered by rtpengine, the operator answered rtpengine's offer
  await expectAnchoredInRtpengine(caller);
  await expectAnchoredInRtpengine(op);

  // The caller hangs up; the operator's call ends because the CTI released the device.
  await caller.getByTestId('call-hangup').click();
  await expect(op.getByTestId('call-ended')).toBeVisible();
  await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', /wrap_up|ready/);

  // The stored timeline shows the patent's order: caller-hangup before device-release.
  await expect
    .poll(async () => (await lastCallTimeline(admin)).events.map((e) => e.type), { timeout: 10_000 })
    .toContain('ended');
  const { call, events } = await lastCallTimeline(admin);
  const types = events.map((e) => e.type);
  expect(types.indexOf('answered')).toBeGreaterThan(-1);
  expect(types.indexOf('caller-hangup')).toBeGreaterThan(types.indexOf('answered'));
  expect(types.indexOf('device-release')).toBeGreaterThan(types.indexOf('caller-hangup'));
  expect(call.endedBy).toBe('caller');

  // Wrap-up ends on its own and the operator is Ready again.
  await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'ready', { timeout: 15_000 });
  await admin.dispose();
  await opCtx.close();
  await callerCtx.close();
});

test('when the operator hangs up first, the CTI releases the caller', async ({ browser }) => {
  const opCtx = await browser.newContext();
  const callerCtx = await browser.newContext();
  const op = await opCtx.newPage();
  const caller = await callerCtx.newPage();
  const admin = await apiAs('admin@patchbay.local');
  const res = await op.request.post('/api/auth/login', { data: { email: 'oscar@patchbay.local', password: E2E.demoPassword } });
  expect(res.status()).toBe(200);
  await operatorReady(op);

  await callerDials(caller, 'Hugo Hangs');
  await expect(op.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
  await op.getByTestId('call-answer').click();
  await expectAudioFlowing(op, 'operator hears the caller');
  await op.getByTestId('call-hangup').click();
  await expect(caller.getByTestId('call-status')).toHaveAttribute('data-state', 'ended');

  await expect
    .poll(async () => (await lastCallTimeline(admin)).events.map((e) => e.type), { timeout: 10_000 })
    .toContain('ended');
  const types = (await lastCallTimeline(admin)).events.map((e) => e.type);
  expect(types.indexOf('caller-release')).toBeGreaterThan(types.indexOf('device-hangup'));
  await admin.dispose();
  await opCtx.close();
  await callerCtx.close();
});
