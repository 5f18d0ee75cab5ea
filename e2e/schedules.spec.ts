import { expect, test } from '@playwright/test';
import { apiAs, queueSettings, screenshots, signInPage } from './support';

/**
 * Business hours in the portal, as an admin would: a schedule with a lunch break and a holiday
 * (an overlap refused next to its field first), then a number following it with a closed message.
 */
test('an admin sets up business hours and puts a number on them', async ({ page }) => {
  await signInPage(page, 'admin@patchbay.local');
  await page.goto('/admin/schedules');
  await expect(page.getByTestId('schedules-table')).toContainText('No schedule yet');
  await page.getByTestId('schedule-add').click();

  await page.getByTestId('schedule-name').fill('London office');
  await page.getByTestId('schedule-zone').selectOption('Europe/London');
  // Monday: a lunch break (09:00–12:30, 13:30–17:00), first typed wrong (an overlap)
  await page.getByTestId('weekly-0-end').fill('12:30');
  await page.getByTestId('schedule-add-0').click();
  const monday = page.getByTestId('schedule-day-0');
  await monday.locator('input').nth(2).fill('12:00');
  await monday.locator('input').nth(3).fill('17:00');
  await page.getByTestId('schedule-copy-monday').click();
  await page.getByTestId('schedule-add-5').click();
  await page.getByTestId('schedule-add-holiday').click();
  await page.getByTestId('holiday-0-name').fill('Christmas');
  await page.getByTestId('holiday-0-from').fill('2026-12-24');
  await page.getByTestId('holiday-0-to').fill('2026-12-26');
  await page.getByTestId('holiday-0-add-hours').click();
  await page.getByTestId('form-save').click();
  await expect(monday).toContainText(/overlaps 09:00–12:30 on Monday/i);
  await screenshots(page, 'schedule-refused');

  await monday.locator('input').nth(2).fill('13:30');
  for (let d = 1; d <= 4; d++) await page.getByTestId(`schedule-day-${d}`).locator('input').nth(2).fill('13:30');
  await page.getByTestId('form-save').click();
  await expect(page).toHaveURL(/\/admin\/schedules\/s-/);
  await expect(page.getByRole('heading', { name: 'London office' })).toBeVisible();
  await expect(page.getByTestId('schedule-day-0').locator('input')).toHaveCount(4);
  await screenshots(page, 'schedule-editor');

  await page.goto('/admin/schedules');
  await expect(page.getByTestId('schedules-table')).toContainText('Mon–Fri 09:00–12:30, 13:30–17:00; Sat 09:00–17:00');
  await screenshots(page, 'schedules-list');

  // the closed message: a sentence the server speaks, into the audio library
  await page.goto('/admin/audio');
  await page.getByTestId('audio-speech-text').fill('We are closed now. Please call again tomorrow.');
  await page.getByTestId('audio-speech-name').fill('closed');
  await page.getByTestId('audio-speech-submit').click();
  await expect(page.getByTestId('audio-added')).toContainText('closed was added');

  // the demo number follows it and plays "closed" outside the hours
  await page.goto('/admin/numbers/%2B15550100');
  await page.getByTestId('number-schedule').selectOption({ label: 'London office (Europe/London)' });
  await page.getByTestId('number-closed-action').selectOption('release');
  await page.getByTestId('number-closed-audio').selectOption('closed');
  await page.getByTestId('form-save').click();
  await expect(page.getByTestId('form-dirty')).toHaveText('');
  await page.reload();
  await expect(page.getByTestId('number-closed-audio')).toHaveValue('closed');
  await screenshots(page, 'number-hours');

  // a queue too: while closed its callers go to another queue (none yet: the picker says so)
  await page.goto('/admin/queues/q-support');
  await page.getByTestId('queue-schedule').selectOption({ label: 'London office (Europe/London)' });
  await page.getByTestId('queue-closed-action').selectOption('overflow_queue');
  await page.getByTestId('form-save').click();
  await expect(page.getByTestId('field-error-closedQueueId')).toContainText(/choose the queue/i);
  await page.getByTestId('queue-closed-action').selectOption('release');
  await page.getByTestId('queue-closed-audio').selectOption('closed');
  await page.getByTestId('form-save').click();
  await expect(page.getByTestId('form-dirty')).toHaveText('');
  await screenshots(page, 'queue-hours');

  await page.goto('/admin/schedules');
  await expect(page.getByTestId('schedules-table')).toContainText('+15550100');
  await expect(page.getByTestId('schedules-table')).toContainText('Support');

  // Back to always open, so the specs after this one reach an operator whatever the hour.
  const api = await apiAs('admin@patchbay.local');
  const q = (await (await api.get('/api/admin/queues/q-support')).json()).data as Record<string, unknown>;
  expect((await api.patch('/api/admin/queues/q-support', { data: { ...queueSettings(q), scheduleId: null, closedAudio: null, closedAction: 'release', closedQueueId: null } })).status()).toBe(200);
  const n = (await (await api.get(`/api/admin/numbers/${encodeURIComponent('+15550100')}`)).json()).data as { queueId: string; trunkId: string | null; holdAudio: string; priority: number; version: number };
  const openNumber = { queueId: n.queueId, trunkId: n.trunkId, holdAudio: n.holdAudio, priority: n.priority, scheduleId: null, closedAudio: null, closedAction: 'release', closedQueueId: null, closedNumber: null, version: n.version };
  expect((await api.patch(`/api/admin/numbers/${encodeURIComponent('+15550100')}`, { data: openNumber })).status()).toBe(200);
  await api.dispose();
});
