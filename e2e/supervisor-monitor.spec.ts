import { expect, test } from '@playwright/test';
import { callerDials, expectAudioFlowing, operatorReady, screenshots, signInPage } from './support';

// A supervisor (here the admin: supervisors and admins share the page) listens to a live browser
// call from the supervision page, on the page's own browser phone, then switches to whisper and
// leaves; then sets another operator Not ready and signs them out. Real Chromium on every side.
test('a supervisor listens to a live browser call, switches to whisper and leaves; forces an operator Not ready and signs them out', async ({ browser }) => {
  const opCtx = await browser.newContext();
  const op2Ctx = await browser.newContext();
  const callerCtx = await browser.newContext();
  const supCtx = await browser.newContext();
  const op = await opCtx.newPage();
  const op2 = await op2Ctx.newPage();
  const caller = await callerCtx.newPage();
  const sup = await supCtx.newPage();
  await signInPage(op, 'olivia@patchbay.local');
  await signInPage(op2, 'oscar@patchbay.local');
  await signInPage(sup, 'admin@patchbay.local');
  await operatorReady(op);

  await sup.goto('/admin');
  await expect(sup.getByTestId('admin-link')).toHaveAttribute('data-state', 'live');
  await expect(sup.getByTestId('monitor-phone')).toHaveAttribute('data-state', 'off');

  await callerDials(caller, 'Carla Caller');
  await expect(op.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
  await op.getByTestId('call-answer').click();
  await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'talking');
  const row = sup.locator('[data-testid^="call-row-"][data-status="connected"]');
  await expect(row).toHaveCount(1);
  const callId = (await row.getAttribute('data-testid'))!.replace('call-row-', '');

  // without the page's phone the buttons say why they cannot be used
  await expect(sup.getByTestId(`monitor-listen-${callId}`)).toBeDisabled();
  await expect(sup.getByTestId(`monitor-listen-${callId}`)).toHaveAttribute('title', /Turn on your phone/);
  // a desk phone instead: the settings to type in (the password hidden), then back to this browser
  await sup.getByTestId('monitor-desk-phone').click();
  await expect(sup.getByTestId('monitor-phone')).toHaveAttribute('data-state', 'desk');
  await expect(sup.getByTestId('monitor-desk-settings').getByTestId('sip-user')).toHaveText(/^dev-/);
  await expect(sup.getByTestId('sip-password')).toHaveAttribute('data-revealed', 'false');
  await expect(sup.getByTestId(`monitor-listen-${callId}`)).toBeEnabled();
  await screenshots(sup, 'supervision-monitor-desk-phone');
  await sup.getByTestId('monitor-phone-on').click();
  await expect(sup.getByTestId('monitor-phone')).toHaveAttribute('data-state', 'on');
  await screenshots(sup, 'supervision-monitor-ready');

  // Listen (from the panel's list of connected calls, which a phone-sized screen shows without
  // scrolling the table): the page's phone rings and is answered at once; the supervisor hears the call
  await expect(sup.getByTestId('monitor-calls')).toContainText('Carla Caller with Olivia Operator');
  await sup.getByTestId(`panel-monitor-listen-${callId}`).click();
  const live = sup.getByTestId('monitor-live');
  await expect(live).toHaveAttribute('data-state', 'connected');
  await expect(live).toHaveAttribute('data-mode', 'listen');
  await expect(live).toContainText('Listening — nobody hears you');
  await expectAudioFlowing(sup, 'supervisor hears the call');
  await expect(sup.getByTestId('monitor-mode-listen')).toHaveAttribute('aria-pressed', 'true');
  await screenshots(sup, 'supervision-monitor-listen');

  // Whisper, switched during the call
  await sup.getByTestId('monitor-mode-whisper').click();
  await expect(live).toHaveAttribute('data-mode', 'whisper');
  await expect(live).toContainText('only the operator hears you');
  await expect(sup.getByTestId('monitor-mode-whisper')).toHaveAttribute('aria-pressed', 'true');
  await expectAudioFlowing(sup, 'supervisor still hears the call while whispering');

  // Leave: only the supervisor's phone hangs up; the call goes on
  await sup.getByTestId('monitor-leave').click();
  await expect(sup.getByTestId('monitor-live')).toHaveCount(0);
  await expect(sup.getByTestId(`panel-monitor-barge-${callId}`)).toBeEnabled();
  await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'talking');
  await expect(caller.getByTestId('call-status')).toHaveAttribute('data-state', 'connected');
  // the ACD turned the mix of the two left back into a plain bridge: both still hear each other
  // (a device left waiting alone would receive nothing)
  await expectAudioFlowing(op, 'the operator still hears the caller after the supervisor left');
  await expectAudioFlowing(caller, 'the caller still hears the operator after the supervisor left');

  // an operator on a call cannot be forced Not ready (the button says why)
  await expect(sup.getByTestId('agent-force-not-ready-u-op1')).toBeDisabled();
  await expect(sup.getByTestId('agent-force-not-ready-u-op1')).toHaveAttribute('title', /On a call/);

  // another operator: set Not ready by the supervisor, then signed out
  await operatorReady(op2);
  await expect(sup.getByTestId('agent-state-u-op2')).toHaveAttribute('data-state', 'ready');
  await sup.getByTestId('agent-force-not-ready-u-op2').click();
  await expect(op2.getByTestId('agent-state')).toHaveAttribute('data-state', 'not_ready');
  await expect(op2.getByTestId('agent-reason')).toHaveText('A supervisor set you Not ready');
  sup.once('dialog', (d) => void d.accept());
  await sup.getByTestId('agent-sign-out-u-op2').click();
  await expect(op2.getByTestId('signed-out')).toContainText('A supervisor signed you out');
  await expect(sup.getByTestId('agent-state-u-op2')).toHaveAttribute('data-state', 'offline');

  await caller.getByTestId('call-hangup').click();
  await expect(op.getByTestId('call-ended')).toBeVisible();
  for (const c of [opCtx, op2Ctx, callerCtx, supCtx]) await c.close();
});
