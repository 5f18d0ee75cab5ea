import { expect, test } from '@playwright/test';
import { screenshots, signInPage } from './support';

/**
 * The supervisor's own mobile as the monitoring phone, on the supervision page against the real
 * platform (no trunk is seeded, so the verification call cannot reach a carrier): the form the
 * console's operators use, a local number refused with a field error, a well-formed one saved
 * masked whose verification says why it failed, and "Use my mobile" off until it is verified.
 * The mobile monitoring itself (press 1, listen, whisper, barge) is proved with baresip behind a
 * trunk in server/cti/cti-device-controls.integration.test.ts.
 */
test('the supervision page offers the supervisor’s own mobile: verification first, in plain words', async ({ page }) => {
  await signInPage(page, 'admin@patchbay.local');
  await page.goto('/admin');
  await expect(page.getByTestId('admin-link')).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('monitor-phone')).toHaveAttribute('data-state', 'off');
  const panel = page.getByTestId('monitor-panel');
  await expect(panel.getByTestId('mobile-device')).toHaveCount(0);

  await panel.getByTestId('monitor-mobile-phone').click();
  const mobile = panel.getByTestId('mobile-device');
  await expect(mobile.getByTestId('mobile-status')).toContainText('No mobile number saved');
  await expect(mobile.getByTestId('device-mobile')).toBeDisabled();
  await expect(mobile.getByTestId('device-mobile')).toHaveAttribute('title', 'Verify the number with a call first');

  await mobile.getByTestId('mobile-e164').fill('07700 900456');
  await mobile.getByTestId('mobile-verify').click();
  await expect(mobile.getByTestId('mobile-e164-error')).toContainText('international form');

  await mobile.getByTestId('mobile-e164').fill('+44 7700 900456');
  await mobile.getByTestId('mobile-verify').click();
  await expect(mobile.getByTestId('mobile-status')).toHaveAttribute('data-call', 'failed', { timeout: 10_000 });
  await expect(mobile.getByTestId('mobile-status')).toContainText('+44•••••456: not verified yet');
  await expect(mobile.getByTestId('mobile-status')).toContainText('no trunk can reach this number');
  await expect(page.locator('body')).not.toContainText('7700900456');
  await expect(mobile.getByTestId('device-mobile')).toBeDisabled();
  // the page's own phone is still the one in use
  await expect(page.getByTestId('monitor-phone')).toHaveAttribute('data-state', 'off');
  await screenshots(page, 'supervision-monitor-mobile');
});
