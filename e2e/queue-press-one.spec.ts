import { expect, test } from '@playwright/test';
import { SipWsClient } from '../server/acd/test-support/sip-ws-client';
import { apiAs, callerDials, queueSettings, screenshots, signInPage } from './support';

// Press-1 accept in the queue form: mobiles asked by default, desk phones not; the seconds to press
// get their field's message when out of range, the API refuses what the form would, the saved
// values come back, and the save is in the audit log like every queue field. The demo queue is
// put back as seeded at the end.
test('an admin has desk phones asked to press 1 too, with 8 seconds to press', async ({ page }) => {
  test.setTimeout(90_000);
  const api = await apiAs('admin@patchbay.local');
  await signInPage(page, 'admin@patchbay.local');

  await page.goto('/admin/queues/q-support');
  await expect(page.getByTestId('queue-press1-mobile')).toBeChecked();
  await expect(page.getByTestId('queue-press1-sip-phone')).not.toBeChecked();
  await expect(page.getByTestId('queue-press1-timeout')).toHaveValue('10');
  await page.getByTestId('queue-press1-timeout').fill('2');
  await page.getByTestId('form-save').click();
  await expect(page.getByTestId('field-error-press1TimeoutSec')).toContainText('at least 3');
  await screenshots(page, 'queue-press1-01-bad-timeout');

  await page.getByTestId('queue-press1-timeout').fill('8');
  await page.getByTestId('queue-press1-sip-phone').check();
  const [saved] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/api/admin/queues/')), page.getByTestId('form-save').click()]);
  expect(saved.status(), await saved.text()).toBe(200);
  const q = (await (await api.get('/api/admin/queues/q-support')).json()) as { data: Record<string, unknown> & { version: number } };
  expect(q.data).toMatchObject({ press1Mobile: true, press1SipPhone: true, press1TimeoutSec: 8 });
  await expect(page.getByTestId('form-dirty')).toHaveText('');
  await screenshots(page, 'queue-press1-02-saved');

  // the API refuses what the form would
  const bad = await api.patch('/api/admin/queues/q-support', { data: { ...queueSettings(q.data), press1TimeoutSec: 61, press1Mobile: 'yes' } });
  expect(bad.status()).toBe(400);
  const body = (await bad.json()) as { error: { fields?: Record<string, string> } };
  expect(body.error.fields).toMatchObject({ press1TimeoutSec: expect.stringContaining('at most 60'), press1Mobile: expect.any(String) });

  // audited like the other queue fields
  const audit = (await (await api.get('/api/admin/audit?entity=queue')).json()) as { data: { rows: Array<{ action: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }> } };
  const last = audit.data.rows.find((r) => r.action === 'queue.update');
  expect(last?.after).toMatchObject({ press1SipPhone: true, press1TimeoutSec: 8 });
  expect(last?.before).toMatchObject({ press1SipPhone: false, press1TimeoutSec: 10 });

  // back to the seeded defaults for the specs after this one
  expect((await api.patch('/api/admin/queues/q-support', { data: { ...queueSettings(q.data), press1SipPhone: false, press1TimeoutSec: 10 } })).status()).toBe(200);
});

// The console of an operator whose desk phone is asked to press 1: while it rings the call panel
// says so in plain words. The desk phone is a SIP UA registered over UDP with the settings the
// console shows (it rings, 180, and never answers); the caller leaving cancels it.
test('the console says "Answer on your phone and press 1" while an asked desk phone rings', async ({ browser }) => {
  test.setTimeout(120_000);
  const admin = await apiAs('admin@patchbay.local');
  const row = ((await (await admin.get('/api/admin/queues/q-support')).json()) as { data: Record<string, unknown> }).data;
  expect((await admin.patch('/api/admin/queues/q-support', { data: { ...queueSettings(row), press1SipPhone: true, ringTimeoutSec: 60 } })).status()).toBe(200);
  const opCtx = await browser.newContext();
  const callerCtx = await browser.newContext();
  let phone: SipWsClient | null = null;
  try {
    const op = await opCtx.newPage();
    await signInPage(op, 'olivia@patchbay.local');
    await op.goto('/console');
    await expect(op.getByTestId('cti-status')).toHaveAttribute('data-state', 'connected');
    await op.getByTestId('device-sip-phone').click();
    await expect(op.getByTestId('sip-phone-settings')).toBeVisible();
    await op.getByTestId('sip-password-toggle').click();
    const user = (await op.getByTestId('sip-user').textContent())!.trim();
    const password = (await op.getByTestId('sip-password').textContent())!.trim();
    const domain = (await op.getByTestId('sip-domain').textContent())!.trim();
    const port = Number((await op.getByTestId('sip-port').textContent())!.trim());
    phone = await SipWsClient.udp('127.0.0.1', port, 'desk-phone');
    expect((await phone.register(user, domain, user, password)).status).toBe(200);
    const state = op.getByTestId('agent-state');
    if ((await state.getAttribute('data-state')) !== 'ready') await op.getByTestId('agent-ready').click();
    await expect(state).toHaveAttribute('data-state', 'ready');

    const caller = await callerCtx.newPage();
    await callerDials(caller, 'Carla Caller');
    const ring = await phone.request('INVITE', () => true, 20_000);
    phone.send(phone.answerProvisional(ring));
    await expect(op.getByTestId('call-phase')).toHaveText('Answer on your phone and press 1 to take the call');
    await screenshots(op, 'console-press1-ringing');

    // the caller gives up: the phone's ringing is cancelled and the panel clears
    await caller.getByTestId('call-hangup').click();
    await phone.request('CANCEL', () => true, 10_000);
    await expect(op.getByTestId('call-phase')).toHaveCount(0, { timeout: 15_000 });
  } finally {
    await phone?.close();
    await opCtx.close();
    await callerCtx.close();
    const now = ((await (await admin.get('/api/admin/queues/q-support')).json()) as { data: Record<string, unknown> }).data;
    await admin.patch('/api/admin/queues/q-support', { data: { ...queueSettings(now), press1SipPhone: false, ringTimeoutSec: row.ringTimeoutSec } });
    await admin.dispose();
  }
});
