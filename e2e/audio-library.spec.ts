import { expect, test } from '@playwright/test';
import { pcmWav, sine } from '../server/test-support/tone';
import { screenshots, signInPage } from './support';

/**
 * The audio library as an admin uses it: upload a WAV (a refused text file first), type a
 * sentence to be spoken, listen in the browser, then pick the clip as a queue's hold audio
 * with a ▶ preview before saving. The pages fit 390 px (asserted); with E2E_SCREENSHOTS=<dir>
 * each is saved at 1280 and 390 px.
 */
const fits390 = async (page: import('@playwright/test').Page) => {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  if (size) await page.setViewportSize(size);
};

test('an admin uploads a WAV, sees it in the list, synthesises a sentence and picks the clip for a queue', async ({ page }) => {
  test.setTimeout(90_000);
  await signInPage(page, 'admin@patchbay.local');
  await page.goto('/admin');
  await page.getByTestId('admin-nav-audio').click();
  await expect(page.getByRole('heading', { name: 'Audio library' })).toBeVisible();
  await expect(page.getByTestId('audio-table')).toContainText('No clip yet');

  // a text file named .wav: refused next to the file field, nothing added
  await page.getByTestId('audio-file').setInputFiles({ name: 'letter.wav', mimeType: 'audio/wav', buffer: Buffer.from('Dear admin, this is a letter.') });
  await expect(page.getByTestId('audio-upload-name')).toHaveValue('letter');
  await page.getByTestId('audio-upload-submit').click();
  await expect(page.getByTestId('field-error-file')).toHaveText('This is not a WAV or MP3 file.');
  await expect(page.getByTestId('audio-table')).toContainText('No clip yet');

  // a real WAV: 44.1 kHz stereo, 3 s
  const tone = sine(700, 3, 44100, 0.3);
  await page.getByTestId('audio-file').setInputFiles({ name: 'Spring Music.wav', mimeType: 'audio/wav', buffer: pcmWav([tone, tone], 44100) });
  await expect(page.getByTestId('audio-upload-name')).toHaveValue('spring-music');
  await page.getByTestId('audio-upload-submit').click();
  await expect(page.getByTestId('audio-added')).toContainText('spring-music was added (0:03)');
  await expect(page.getByTestId('field-error-file')).toHaveCount(0);
  const row = page.getByTestId('audio-table').locator('tr', { hasText: 'spring-music' });
  await expect(row).toContainText('Hold music');
  await expect(row).toContainText('Upload: Spring Music.wav');

  // a typed sentence, spoken by the server
  await page.getByTestId('audio-speech-text').fill('Thank you for calling. Please hold.');
  await page.getByTestId('audio-speech-name').fill('welcome');
  await page.getByTestId('audio-speech-submit').click();
  await expect(page.getByTestId('audio-added')).toContainText('welcome was added');
  await expect(page.getByTestId('audio-table').locator('tr', { hasText: 'welcome' })).toContainText('Spoken: “Thank you for calling. Please hold.”');

  // ▶ plays the clip in the browser
  await page.getByTestId('play-spring-music').click();
  await expect(page.getByTestId('play-spring-music')).toHaveAttribute('data-playing', 'true');
  await screenshots(page, 'audio-library');
  await fits390(page);

  // the queue's hold audio: a picker of library clips with a preview before saving
  await page.goto('/admin/queues/q-support');
  const picker = page.getByTestId('queue-hold-audio');
  await expect(picker.locator('option', { hasText: 'spring-music' })).toHaveCount(1);
  await picker.selectOption('spring-music');
  await page.getByTestId('queue-hold-audio-play').click();
  await expect(page.getByTestId('queue-hold-audio-play')).toHaveAttribute('data-playing', 'true');
  await screenshots(page, 'audio-queue-picker');
  await fits390(page);
  await page.getByTestId('form-save').click();
  await expect(page.getByTestId('form-dirty')).not.toContainText(/unsaved/i);
  const saved = await page.request.get('/api/admin/queues/q-support');
  expect((await saved.json()).data.holdAudio).toBe('spring-music');

  // the number's hold audio: the same picker
  await page.goto(`/admin/numbers/${encodeURIComponent('+15550100')}`);
  await page.getByTestId('number-hold-audio').selectOption('welcome');
  await screenshots(page, 'audio-number-picker');
  await fits390(page);
  await page.getByTestId('form-save').click();
  await expect(page.getByTestId('form-dirty')).not.toContainText(/unsaved/i);
  expect((await (await page.request.get(`/api/admin/numbers/${encodeURIComponent('+15550100')}`)).json()).data.holdAudio).toBe('welcome');

  // in use now: the library refuses to delete it and says why
  await page.goto('/admin/audio');
  const del = page.getByTestId('clip-delete-spring-music');
  await expect(del).toBeDisabled();
  await expect(del).toHaveAttribute('title', 'In use by queue Support (hold audio): pick another clip there first');
  await expect(page.getByTestId('audio-table').locator('tr', { hasText: 'spring-music' })).toContainText('queue Support (hold audio)');
});
