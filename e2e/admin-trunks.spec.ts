import { randomInt } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { freePort, listening, SCENARIOS, sipp } from '../test/trunks/sipp';
import { screenshots, signInPage } from './support';

// A trunk saved in the portal registers to a carrier on the running platform, no restart: the
// carrier is a real SIPp registrar over UDP that challenges with 401 and checks the digest answer
// (test/trunks/scenarios/carrier-registrar.xml: user pb-acct, password carrier-password-1,
// 60 s granted). The page's state turns green from the ACD's own report.
const run = `${Date.now().toString(36)}${randomInt(1000)}`;
const PASSWORD = 'carrier-password-1';

async function save(page: Page, method: 'POST' | 'PATCH'): Promise<void> {
  const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === method && /^\/api\/admin\/trunks/.test(new URL(r.url()).pathname)), page.getByTestId('form-save').click()]);
  expect(res.status(), await res.text()).toBeLessThan(300);
  // the password never comes back
  expect(await res.text()).not.toContain(PASSWORD);
}

test('a trunk saved in the UI registers to a SIPp carrier and its state turns green on the page', async ({ page }) => {
  test.setTimeout(90_000);
  const port = await freePort();
  const carrier = sipp(['-sf', `${SCENARIOS}/carrier-registrar.xml`, '-t', 'u1', '-i', '127.0.0.1', '-p', String(port)], 60);
  try {
    await listening(port, 'udp');
    await signInPage(page, 'admin@patchbay.local');
    await page.goto('/admin/trunks');
    await page.getByTestId('admin-nav-trunks').waitFor();
    await expect(page.getByTestId('admin-nav-trunks')).toHaveAttribute('aria-current', 'page');
    await page.getByTestId('trunk-add').click();
    await page.waitForURL(/\/admin\/trunks\/new$/);

    const name = `sipp-${run}`;
    await page.getByTestId('trunk-name').fill(name);
    await page.getByTestId('trunk-host').fill('carrier..example');
    await page.getByTestId('trunk-port').fill(String(port));
    await page.getByTestId('trunk-transport').selectOption('udp');
    await page.getByTestId('trunk-username').fill('pb-acct');
    await page.getByTestId('trunk-realm').fill('carrier.test');
    await page.getByTestId('trunk-register').check();
    await page.getByTestId('trunk-sources').fill('127.0.0.1\n203.0.113.0/33');
    await page.getByTestId('trunk-caller-id').fill('+15550199');

    // bad input: each a field message next to its field, nothing saved
    await page.getByTestId('form-save').click();
    await expect(page.getByTestId('field-error-host')).toHaveText('This is neither a host name nor an IP address: check it for typos.');
    await expect(page.getByTestId('field-error-inboundSources')).toHaveText('“203.0.113.0/33” is not an IP address or CIDR block (e.g. 203.0.113.0/24).');
    await screenshots(page, 'trunk-01-new-bad-input');
    await page.getByTestId('trunk-host').fill('127.0.0.1');
    await page.getByTestId('trunk-sources').fill('127.0.0.1\n203.0.113.0/24');
    await page.getByTestId('form-save').click();
    await expect(page.getByTestId('field-error-password')).toHaveText('Registration needs the password the carrier gave you.');
    await expect(page.getByTestId('trunk-password')).toHaveAttribute('placeholder', 'not set');
    await page.getByTestId('trunk-password').fill(PASSWORD);
    await save(page, 'POST');
    await page.waitForURL(/\/admin\/trunks\/tr-/);
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);

    // the ACD picks the new trunk up and registers: the state turns green within seconds
    const state = page.getByTestId('trunk-editor-state');
    await expect(state).toHaveAttribute('data-tone', 'ok', { timeout: 10_000 });
    await expect(state).toHaveText(/^Registered, renews in \d+ s$/);
    // write-only: the field is empty and says a password is stored
    await expect(page.getByTestId('trunk-password')).toHaveValue('');
    await expect(page.getByTestId('trunk-password')).toHaveAttribute('placeholder', 'set — type to replace');
    expect(await page.content()).not.toContain(PASSWORD);
    await screenshots(page, 'trunk-02-editor-registered');
    const r = await carrier.done;
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);

    // the list shows it green too, and the number editor's trunk picker offers it
    await page.getByTestId('admin-nav-trunks').click();
    const row = page.getByTestId('trunks-table').getByRole('row').filter({ hasText: name });
    await expect(row.getByTestId('trunk-state')).toHaveAttribute('data-tone', 'ok');
    await screenshots(page, 'trunk-03-list');
    await page.goto('/admin/numbers/new');
    await expect(page.getByTestId('number-trunk').locator('option', { hasText: name })).toHaveAttribute('value', id);

    // registration off: the page says so in plain words, and the trunk is deleted cleanly
    await page.goto(`/admin/trunks/${id}`);
    await page.getByTestId('trunk-register').uncheck();
    await save(page, 'PATCH');
    await expect(page.getByTestId('trunk-editor-state')).toHaveText('Registration off');
    const del = await page.request.delete(`/api/admin/trunks/${id}?version=2`);
    expect(del.status(), await del.text()).toBe(200);
  } finally {
    carrier.kill();
  }
});
