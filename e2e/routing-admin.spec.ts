import { expect, test } from '@playwright/test';
import { apiAs, queueSettings, screenshots, signInPage } from './support';

// The routing settings an admin sets in the portal: a queue's strategy and its parameters (an
// unknown parameter is refused with a field message), and a number's caller priority.
test('an admin picks a queue strategy with parameters and gives a number a caller priority', async ({ page }) => {
  test.setTimeout(90_000);
  const api = await apiAs('admin@patchbay.local');
  await signInPage(page, 'admin@patchbay.local');

  await page.goto('/admin/queues/q-support');
  await page.getByTestId('queue-strategy').selectOption('skills-based');
  await page.getByTestId('queue-params').fill('{"tierWaitSec": 20, "weight": 2}');
  await page.getByTestId('form-save').click();
  await expect(page.getByTestId('field-error-strategyParams')).toContainText(/unknown parameter/i);
  await screenshots(page, 'routing-01-queue-bad-param');
  await page.getByTestId('queue-params').fill('{"tierWaitSec": 20, "maxNoAnswer": 2, "tieBreaker": "fewest-calls"}');
  const [saved] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/api/admin/queues/')), page.getByTestId('form-save').click()]);
  expect(saved.status(), await saved.text()).toBe(200);
  const q = (await (await api.get('/api/admin/queues/q-support')).json()) as { data: { strategy: string; strategyParams: Record<string, unknown> } };
  expect(q.data).toMatchObject({ strategy: 'skills-based', strategyParams: { tierWaitSec: 20, maxNoAnswer: 2, tieBreaker: 'fewest-calls' } });
  await screenshots(page, 'routing-02-queue-saved');

  await page.goto(`/admin/numbers/${encodeURIComponent('+15550100')}`);
  await page.getByTestId('number-priority').fill('12');
  await page.getByTestId('form-save').click();
  await expect(page.getByTestId('field-error-priority')).toContainText('at most 9');
  await page.getByTestId('number-priority').fill('3');
  const [n] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/api/admin/numbers/')), page.getByTestId('form-save').click()]);
  expect(n.status(), await n.text()).toBe(200);
  expect(((await n.json()) as { data: { priority: number } }).data.priority).toBe(3);
  await screenshots(page, 'routing-03-number-priority');
  await page.goto('/admin/numbers');
  await expect(page.getByRole('cell', { name: '3', exact: true })).toBeVisible();
  await screenshots(page, 'routing-04-numbers-list');

  // Back to the defaults, so the other specs see the demo as seeded.
  const cur = (await (await api.get('/api/admin/queues/q-support')).json()) as { data: Record<string, unknown> & { version: number } };
  const fields = queueSettings(cur.data);
  expect((await api.patch('/api/admin/queues/q-support', { data: { ...fields, strategy: 'longest-idle', strategyParams: {} } })).status()).toBe(200);
  const num = (await (await api.get(`/api/admin/numbers/${encodeURIComponent('+15550100')}`)).json()) as { data: { queueId: string; trunkId: string | null; holdAudio: string; version: number } };
  const { queueId, trunkId, holdAudio, version } = num.data;
  expect((await api.patch(`/api/admin/numbers/${encodeURIComponent('+15550100')}`, { data: { queueId, trunkId, holdAudio, priority: 0, version } })).status()).toBe(200);
});
