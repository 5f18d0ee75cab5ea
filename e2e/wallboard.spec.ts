import { expect, test, type Locator } from '@playwright/test';
import { apiAs, callerDials, queueSettings, screenshots, signInPage } from './support';

// The live wallboard during a real call (real Chromium caller and operator, real ACD and CTI):
// waiting 1 and a red tile while nobody is Ready (both alerts, the wait one shortened to 5 s for
// the test), then the operator takes the call: waiting 0, Talking 1, answered +1, a service level;
// the tile agrees with the report of today. Operators cannot open the page or the report.
const Q = 'q-support';
const num = async (l: Locator) => Number((await l.innerText()).trim());

test('the wallboard follows a real call: waiting 1 → 0, red while nobody is Ready, Talking 1, answered +1, service level; the report agrees', async ({ browser }) => {
  test.setTimeout(120_000);
  const admin = await apiAs('admin@patchbay.local');
  const before = (await (await admin.get(`/api/admin/queues/${Q}`)).json()).data;
  const patch = async (changes: Record<string, unknown>) => {
    const current = (await (await admin.get(`/api/admin/queues/${Q}`)).json()).data;
    const res = await admin.patch(`/api/admin/queues/${Q}`, { data: { ...queueSettings(current), ...changes } });
    expect(res.status(), await res.text()).toBe(200);
  };
  const supCtx = await browser.newContext({ permissions: ['notifications'] });
  const opCtx = await browser.newContext();
  const callerCtx = await browser.newContext();
  const sup = await supCtx.newPage();
  const op = await opCtx.newPage();
  const caller = await callerCtx.newPage();
  await signInPage(sup, 'admin@patchbay.local');
  await signInPage(op, 'olivia@patchbay.local');

  try {
    await patch({ alertMaxWaitSec: 5, alertNoReady: true });
    await sup.goto('/admin');
    await sup.getByTestId('admin-nav-wallboard').click();
    await sup.waitForURL('**/admin/wallboard');
    await expect(sup.getByTestId('wallboard-link')).toHaveAttribute('data-state', 'live');
    await expect(sup.getByTestId('wallboard-notify')).toHaveText('Notifications on');
    const tile = sup.getByTestId(`tile-${Q}`);
    await expect(tile).toBeVisible();
    // nobody Ready in the queue before the caller dials (operators of earlier specs have signed out)
    await expect(sup.getByTestId(`tile-ready-${Q}`)).toHaveText('0', { timeout: 45_000 });
    await expect(sup.getByTestId(`tile-waiting-${Q}`)).toHaveText('0');
    const answered0 = await num(sup.getByTestId(`tile-answered-${Q}`));
    const offered0 = await num(sup.getByTestId(`tile-offered-${Q}`));

    // a caller waits: waiting 1, the tile turns red (nobody Ready; then the 5 s wait alert)
    await callerDials(caller, 'Wendy Wallboard');
    await expect(sup.getByTestId(`tile-waiting-${Q}`)).toHaveText('1');
    await expect(sup.getByTestId(`tile-offered-${Q}`)).toHaveText(String(offered0 + 1));
    await expect(tile).toHaveAttribute('data-alert', 'red');
    await expect(sup.getByTestId(`tile-alerts-${Q}`)).toContainText('Callers waiting and nobody is Ready');
    await expect(sup.getByTestId(`tile-alerts-${Q}`)).toContainText('A caller has waited over 5 s', { timeout: 10_000 });
    await expect(sup.getByTestId(`tile-longest-${Q}`)).not.toHaveText('—');
    await screenshots(sup, 'wallboard-red');

    // the operator comes in and takes the call (offered the moment they are Ready)
    await op.goto('/console');
    await expect(op.getByTestId('cti-status')).toHaveAttribute('data-state', 'connected');
    await op.getByTestId('device-browser').click();
    await expect(op.getByTestId('reg-status')).toHaveAttribute('data-state', 'registered');
    await op.getByTestId('agent-ready').click();
    await expect(op.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
    await op.getByTestId('call-answer').click();
    await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'talking');
    await expect(sup.getByTestId(`tile-waiting-${Q}`)).toHaveText('0');
    await expect(sup.getByTestId(`tile-talking-${Q}`)).toHaveText('1');
    await expect(sup.getByTestId(`tile-answered-${Q}`)).toHaveText(String(answered0 + 1));
    await expect(sup.getByTestId(`tile-sl-${Q}`)).toHaveText(/^\d+(\.\d)? %/);
    await expect(sup.getByTestId(`tile-asa-${Q}`)).toHaveText(/^\d+:\d\d/);
    await expect(tile).toHaveAttribute('data-alert', 'ok');
    // the roster: state, ticking time in state, the current call, the device
    const row = sup.getByTestId('wallboard-agent-u-op1');
    await expect(sup.getByTestId('wallboard-agent-state-u-op1')).toHaveAttribute('data-state', 'talking');
    await expect(row).toContainText('Wendy Wallboard');
    await expect(row).toContainText('Browser');
    const since = sup.getByTestId('wallboard-agent-since-u-op1');
    const t1 = await since.innerText();
    await expect(since).not.toHaveText(t1, { timeout: 3000 });
    // call quality: the ACD measures both sides' audio and reports every 5 s; words first, figures behind the toggle
    const quality = sup.getByTestId('wallboard-agent-quality-u-op1');
    await expect(quality).toHaveAttribute('data-rating', /^(good|fair|poor)$/, { timeout: 15_000 });
    await expect(quality.locator('summary')).toHaveText(/^(Good|Fair|Poor)$/);
    await quality.locator('summary').click();
    await expect(quality).toContainText(/Caller(Good|Fair|Poor): \d+(\.\d)?% lost, \d+(\.\d)? ms jitter/);
    await expect(quality).toContainText(/Operator(Good|Fair|Poor): \d+(\.\d)?% lost/);
    await screenshots(sup, 'wallboard-talking');

    // full screen for a wall TV
    await sup.getByTestId('wallboard-fullscreen').click();
    await expect(sup.getByTestId('wallboard-board')).toHaveAttribute('data-fullscreen', 'yes');
    if (process.env.E2E_SCREENSHOTS) await sup.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/wallboard-fullscreen.png` });
    await sup.getByTestId('wallboard-leave-fullscreen').click();
    await expect(sup.getByTestId('wallboard-board')).toHaveAttribute('data-fullscreen', 'no');

    // the caller hangs up: Talking 0; the handle time appears once the call ended
    await caller.getByTestId('call-hangup').click();
    await expect(sup.getByTestId(`tile-talking-${Q}`)).toHaveText('0');
    await expect(sup.getByTestId(`tile-aht-${Q}`)).toHaveText(/^\d+:\d\d/);
    await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });

    // the report of today says the same as the tile (the journal is written behind: poll)
    // short abandons are the abandoned figure's hint ("+ 2 within 5 s"), absent when there are none
    const shortHint = sup.getByTestId(`tile-abandoned-${Q}-hint`);
    const shortAbandoned = (await shortHint.count()) === 0 ? 0 : Number(/\+ (\d+) within/.exec(await shortHint.innerText())?.[1]);
    const tileFigures = { offered: await num(sup.getByTestId(`tile-offered-${Q}`)), answered: await num(sup.getByTestId(`tile-answered-${Q}`)), abandoned: await num(sup.getByTestId(`tile-abandoned-${Q}`)), shortAbandoned };
    await expect
      .poll(async () => {
        const r = (await (await admin.get('/api/admin/reports/queue-figures')).json()).data;
        const q = r.queues.find((x: { queueId: string }) => x.queueId === Q);
        return { offered: q.tally.offered, answered: q.tally.answered, abandoned: q.tally.abandoned, shortAbandoned: q.tally.shortAbandoned };
      })
      .toEqual(tileFigures);
  } finally {
    await patch({ alertMaxWaitSec: before.alertMaxWaitSec ?? 60, alertNoReady: before.alertNoReady ?? true });
    await Promise.all([supCtx.close(), opCtx.close(), callerCtx.close()]);
  }
});

test('operators cannot open the wallboard or read its report', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signInPage(page, 'olivia@patchbay.local');
  const res = await page.goto('/admin/wallboard');
  expect(res?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'This page is not for your role' })).toBeVisible();
  const api = await page.request.get('/api/admin/reports/queue-figures');
  expect(api.status()).toBe(403);
  await ctx.close();
});

test('an admin sets a queue’s wallboard alerts in the queue form; a bad value gets a field message', async ({ page }) => {
  const admin = await apiAs('admin@patchbay.local');
  const before = (await (await admin.get(`/api/admin/queues/${Q}`)).json()).data;
  await signInPage(page, 'admin@patchbay.local');
  try {
    await page.goto(`/admin/queues/${Q}`);
    const wait = page.getByTestId('queue-alert-wait');
    await expect(wait).toHaveValue(String(before.alertMaxWaitSec ?? ''));
    await wait.fill('2');
    await wait.blur();
    await expect(page.getByText('seconds: at least 5')).toBeVisible();
    await wait.fill('90');
    await page.getByTestId('queue-alert-no-ready').uncheck();
    await screenshots(page, 'queue-form-wallboard-alerts');
    const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === `/api/admin/queues/${Q}`), page.getByTestId('form-save').click()]);
    expect(res.status()).toBe(200);
    const saved = (await (await admin.get(`/api/admin/queues/${Q}`)).json()).data;
    expect(saved).toMatchObject({ alertMaxWaitSec: 90, alertNoReady: false });
    // the form takes the saved row back (its new version) before the next edit, or that reset undoes it
    await expect(page.getByTestId('form-dirty')).toHaveText('');
    // empty: no wait alert
    await wait.fill('');
    await page.getByTestId('form-save').click();
    await expect.poll(async () => (await (await admin.get(`/api/admin/queues/${Q}`)).json()).data.alertMaxWaitSec).toBeNull();
  } finally {
    const current = (await (await admin.get(`/api/admin/queues/${Q}`)).json()).data;
    const res = await admin.patch(`/api/admin/queues/${Q}`, { data: { ...queueSettings(current), alertMaxWaitSec: before.alertMaxWaitSec, alertNoReady: before.alertNoReady } });
    expect(res.status(), await res.text()).toBe(200);
  }
});
