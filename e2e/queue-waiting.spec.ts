import { expect, test } from '@playwright/test';
import { apiAs, queueSettings, screenshots, signInPage } from './support';

// The waiting-caller settings of a queue in the portal: the size limit (with its queue-full
// message), what to do when nobody who could answer is signed in, the position / wait
// announcements, the callback key and its tries, interval and expiry. Bad values get their field's message; the
// saved values come back from the API. The demo queue is put back as seeded at the end.
test('an admin limits the callers waiting in a queue and has them told their place and wait', async ({ page }) => {
  test.setTimeout(90_000);
  const api = await apiAs('admin@patchbay.local');
  await signInPage(page, 'admin@patchbay.local');

  await page.goto('/admin/queues/q-support');
  await expect(page.getByTestId('queue-full-audio')).toHaveCount(0); // no limit: no queue-full message to choose
  await expect(page.getByTestId('queue-announce-every')).toHaveCount(0); // music only: no interval
  await page.getByTestId('queue-max-callers').fill('0');
  await page.getByTestId('queue-announce').selectOption('both');
  await page.getByTestId('queue-announce-every').fill('5');
  await page.getByTestId('form-save').click();
  await expect(page.getByTestId('field-error-maxCallers')).toContainText('at least 1');
  await expect(page.getByTestId('field-error-announceEverySec')).toContainText('at least 15');
  await screenshots(page, 'queue-waiting-01-bad-values');

  await page.getByTestId('queue-max-callers').fill('3');
  await page.getByTestId('queue-announce-every').fill('30');
  await expect(page.getByTestId('queue-callback-tries')).toHaveCount(0); // no callback: no tries to set
  await page.getByTestId('queue-callback-digit').selectOption('1');
  await page.getByTestId('queue-callback-tries').fill('0');
  await page.getByTestId('queue-callback-expiry').fill('500');
  await page.getByTestId('form-save').click();
  await expect(page.getByTestId('field-error-callbackTries')).toContainText('at least 1');
  await expect(page.getByTestId('field-error-callbackExpiryMin')).toContainText('at most 120');
  await screenshots(page, 'queue-waiting-01b-callback-bad');
  await page.getByTestId('queue-callback-tries').fill('2');
  await page.getByTestId('queue-callback-retry').fill('45');
  await page.getByTestId('queue-callback-expiry').fill('30');
  await page.getByTestId('queue-overflow-when-empty').check();
  await expect(page.getByTestId('queue-full-audio')).toBeVisible();
  const [saved] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/api/admin/queues/')), page.getByTestId('form-save').click()]);
  expect(saved.status(), await saved.text()).toBe(200);
  const q = (await (await api.get('/api/admin/queues/q-support')).json()) as { data: Record<string, unknown> & { version: number } };
  expect(q.data).toMatchObject({ maxCallers: 3, fullAudio: null, announce: 'both', announceEverySec: 30, callbackDigit: '1', callbackTries: 2, callbackRetrySec: 45, callbackExpiryMin: 30, overflowWhenEmpty: true });
  // the change is audited with the callback rules before and after
  const audit = (await (await api.get('/api/admin/audit?entity=queue&action=queue.update')).json()) as { data: { rows: Array<{ before: Record<string, unknown>; after: Record<string, unknown> }> } };
  expect(audit.data.rows[0]).toMatchObject({ before: { callbackTries: 3, callbackRetrySec: 60, callbackExpiryMin: 60 }, after: { callbackTries: 2, callbackRetrySec: 45, callbackExpiryMin: 30 } }); // newest first
  await screenshots(page, 'queue-waiting-02-saved');
  // the form takes the saved row back (its new version) before the next edit, or that reset undoes it
  await expect(page.getByTestId('form-dirty')).toHaveText('');

  // the API refuses what the form would: a fraction, and an announcement nobody can configure
  const bad = await api.patch('/api/admin/queues/q-support', { data: { ...queueSettings(q.data), maxCallers: 2.5, announce: 'everything', callbackDigit: '#', callbackRetrySec: 5, callbackExpiryMin: 121 } });
  expect(bad.status()).toBe(400);
  const body = (await bad.json()) as { error: { fields?: Record<string, string> } };
  expect(body.error.fields).toMatchObject({ maxCallers: expect.stringContaining('whole number'), announce: expect.stringContaining('none, position, wait, both'), callbackDigit: 'a key from 1 to 9', callbackRetrySec: expect.stringContaining('at least 30'), callbackExpiryMin: expect.stringContaining('at most 120') });

  // emptying the limit means "no limit" again
  await page.getByTestId('queue-max-callers').fill('');
  await page.getByTestId('queue-announce').selectOption('none');
  await page.getByTestId('queue-callback-digit').selectOption('');
  await page.getByTestId('queue-overflow-when-empty').uncheck();
  const [cleared] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/api/admin/queues/')), page.getByTestId('form-save').click()]);
  expect(cleared.status(), await cleared.text()).toBe(200);
  const after = (await (await api.get('/api/admin/queues/q-support')).json()) as { data: Record<string, unknown> & { version: number } };
  expect(after.data).toMatchObject({ maxCallers: null, announce: 'none', announceEverySec: 30, callbackDigit: null, overflowWhenEmpty: false });
  // back to the seeded defaults for the specs after this one
  expect((await api.patch('/api/admin/queues/q-support', { data: { ...queueSettings(after.data), announceEverySec: 45, callbackTries: 3, callbackRetrySec: 60, callbackExpiryMin: 60 } })).status()).toBe(200);
});
