import { expect, test } from '@playwright/test';
import { signInPage } from './support';

/**
 * "My mobile" in the console against the real platform (no trunk is seeded): a local number
 * gets a field error; a well-formed one is saved masked and its verification call fails with a
 * clear reason, because no trunk can reach it; "Use my mobile" stays off until it is verified.
 */
test('the mobile device: field errors, a masked number, and a verification that says why it failed', async ({ page }) => {
  await signInPage(page, 'oscar@patchbay.local');
  await page.goto('/console');
  await expect(page.getByTestId('cti-status')).toHaveAttribute('data-state', 'connected');
  const panel = page.getByTestId('mobile-device');
  await expect(panel.getByTestId('mobile-status')).toContainText('No mobile number saved');
  await expect(panel.getByTestId('device-mobile')).toBeDisabled();

  await panel.getByTestId('mobile-e164').fill('07700 900123');
  await panel.getByTestId('mobile-verify').click();
  await expect(panel.getByTestId('mobile-e164-error')).toContainText('international form');
  await expect(panel.getByTestId('mobile-e164')).toHaveAttribute('aria-invalid', 'true');

  await panel.getByTestId('mobile-e164').fill('+44 7700 900123');
  await panel.getByTestId('mobile-verify').click();
  await expect(panel.getByTestId('mobile-e164-error')).toHaveCount(0);
  await expect(panel.getByTestId('mobile-status')).toHaveAttribute('data-call', 'failed', { timeout: 10_000 });
  await expect(panel.getByTestId('mobile-status')).toContainText('+44•••••123: not verified yet');
  await expect(panel.getByTestId('mobile-status')).toContainText('no trunk can reach this number');
  await expect(panel.getByTestId('mobile-code')).toHaveCount(0);
  await expect(panel).not.toContainText('7700900');
  await expect(panel.getByTestId('device-mobile')).toBeDisabled();
});
