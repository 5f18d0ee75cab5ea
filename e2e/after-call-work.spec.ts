import { expect, test, type APIRequestContext } from '@playwright/test';
import { apiAs, callerDials, expectAudioFlowing, lastCallTimeline, operatorReady, queueSettings, screenshots, signInPage } from './support';

/** The Support queue's settings through the admin API (the operator's wrap-up time, the ring time), restored afterwards. */
async function setSupport(admin: APIRequestContext, change: Record<string, unknown>): Promise<Record<string, unknown>> {
  const list = await (await admin.get('/api/admin/queues?q=Support')).json();
  const row = list.data.rows.find((q: { name: string }) => q.name === 'Support');
  const { id, version } = row;
  const { version: _v, ...fields } = queueSettings(row);
  const res = await admin.patch(`/api/admin/queues/${id}`, { data: { ...fields, ...change, version } });
  expect(res.status(), await res.text()).toBe(200);
  return fields;
}

// After-call work as an operator does it: answer, the caller hangs up, write notes and pick an
// outcome during wrap-up, finish early; the admin's call page shows them. Then an offer that rings
// out says "Missed call — you are now Not ready", and Not ready asks for a reason.
test('notes and an outcome in wrap-up, finished early, shown on the call page; a missed offer says so; Not ready asks why', async ({ browser }) => {
  const admin = await apiAs('admin@patchbay.local');
  const before = await setSupport(admin, { wrapUpSec: 120, ringTimeoutSec: 6 });
  const opCtx = await browser.newContext();
  const callerCtx = await browser.newContext();
  const adminCtx = await browser.newContext();
  try {
    const op = await opCtx.newPage();
    const caller = await callerCtx.newPage();
    await signInPage(op, 'oscar@patchbay.local');
    await operatorReady(op);
    await screenshots(op, 'console-01-ready');

    // Offered: the title changes while it rings.
    await callerDials(caller, 'Wendy Wrapup');
    await expect(op.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
    await expect(op).toHaveTitle(/Incoming call — Wendy Wrapup/);
    await screenshots(op, 'console-02-offered');
    await op.getByTestId('call-answer').click();
    await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'talking');
    await expect(op).not.toHaveTitle(/Incoming call/);
    await expectAudioFlowing(op, 'operator hears the caller');
    await expect(op.getByTestId('audio-details')).not.toHaveAttribute('open', '');
    // notes can be started while talking; the wrap-up keeps them
    await op.getByTestId('wrap-notes').fill('Asked for a refund of order 4411;');
    await screenshots(op, 'console-03-on-call');

    // Wrap-up: notes and an outcome, then Finish — Ready long before the 120 s are up.
    await caller.getByTestId('call-hangup').click();
    await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'wrap_up');
    await expect(op.getByTestId('wrap-up')).toBeVisible();
    await expect(op.getByTestId('wrap-notes')).toHaveValue('Asked for a refund of order 4411;');
    await op.getByTestId('wrap-notes').fill('Asked for a refund of order 4411; promised a call back on Friday.');
    await op.getByTestId('wrap-disposition').selectOption('callback');
    await screenshots(op, 'console-04-wrap-up');
    await op.getByTestId('wrap-finish').click();
    await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'ready');
    await expect(op.getByTestId('wrap-up')).toHaveCount(0);

    // The admin's call page shows them.
    await expect.poll(async () => (await lastCallTimeline(admin)).events.map((e) => e.type), { timeout: 10_000 }).toContain('ended');
    const { call } = await lastCallTimeline(admin);
    const adminPage = await adminCtx.newPage();
    await signInPage(adminPage, 'admin@patchbay.local');
    await adminPage.goto(`/admin/calls/${call.id}`);
    await expect(adminPage.getByTestId('call-detail-notes')).toHaveText('Asked for a refund of order 4411; promised a call back on Friday.');
    await expect(adminPage.getByTestId('call-detail-disposition')).toHaveText('Call back');
    await expect(adminPage.getByTestId('call-detail-wrap-up')).toContainText('ended');
    await screenshots(adminPage, 'admin-call-detail');

    // A missed offer: the operator lets it ring out (6 s) and reads why they are Not ready.
    await callerDials(caller, 'Mo Missed');
    await expect(op.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
    await expect(op.getByTestId('call-ended')).toHaveText('Missed call — you are now Not ready', { timeout: 20_000 });
    await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'not_ready');
    await expect(op.getByTestId('agent-reason')).toHaveAttribute('data-cause', 'missed');
    await screenshots(op, 'console-05-missed');
    await caller.getByTestId('call-hangup').click();

    // Not ready asks for a reason from the admin's list; the state shows it.
    await op.getByTestId('agent-ready').click();
    await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'ready');
    await op.getByTestId('agent-not-ready').click();
    await expect(op.getByTestId('reason-picker')).toBeVisible();
    await expect(op.getByTestId('reason-confirm')).toBeDisabled();
    await op.getByTestId('reason-lunch').check();
    await screenshots(op, 'console-06-reason-picker');
    await op.getByTestId('reason-confirm').click();
    await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'not_ready');
    await expect(op.getByTestId('agent-reason')).toContainText('Lunch');
    await screenshots(op, 'console-07-not-ready-lunch');

    // A desk phone: the settings to type in, the password hidden until the operator shows it.
    await op.getByTestId('device-sip-phone').click();
    await expect(op.getByTestId('sip-phone-settings')).toBeVisible();
    await expect(op.getByTestId('sip-user')).toHaveText(/^dev-[0-9a-f]{16}-\d{10}$/);
    await expect(op.getByTestId('sip-password')).toHaveText('••••••••••••');
    await expect(op.getByTestId('sip-transport')).toContainText('UDP');
    await expect(op.getByTestId('reg-status')).not.toHaveAttribute('data-state', 'registered'); // the browser line is released
    await op.getByTestId('sip-password-toggle').click();
    await expect(op.getByTestId('sip-password')).not.toHaveText('••••••••••••');
    await op.getByTestId('sip-password-toggle').click();
    await screenshots(op, 'console-08-sip-phone-settings');
  } finally {
    await setSupport(admin, { wrapUpSec: before.wrapUpSec, ringTimeoutSec: before.ringTimeoutSec });
    await admin.dispose();
    await opCtx.close();
    await callerCtx.close();
    await adminCtx.close();
  }
});
