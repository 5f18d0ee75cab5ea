import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { apiAs, callerDials, lastCallTimeline, operatorReady, screenshots, signInPage } from './support';

/**
 * The call history as a supervisor uses it: the page is open while a real call is answered and
 * the caller hangs up — its row appears without Refresh (no reload: a marker on the window
 * survives), pushed when the CTI has stored it (every read after the hang-up follows a push); a second caller gives up while it rings. Filters narrow the rows (how it ended,
 * the day, the queue), the URL keeps them, and the CSV download of the current filters parses
 * to exactly the rows the API lists for them, in the browser's time zone with its offset.
 */
test('history: a call that ends appears without Refresh; filters narrow it; the CSV download parses to the same rows', async ({ browser }) => {
  test.setTimeout(120_000);
  const supervisorApi = await apiAs('admin@patchbay.local');
  const supCtx = await browser.newContext({ timezoneId: 'Europe/Paris', acceptDownloads: true });
  const opCtx = await browser.newContext();
  const callerCtx = await browser.newContext();
  try {
    const sup = await supCtx.newPage();
    const op = await opCtx.newPage();
    const caller = await callerCtx.newPage();
    await signInPage(sup, 'admin@patchbay.local');
    await signInPage(op, 'oscar@patchbay.local');
    // what the page hears on its socket and what it reads, in the test's own clock: the row must
    // come from a read the push caused, not from a timer
    const storedPushes: number[] = [];
    const historyReads: number[] = [];
    sup.on('websocket', (ws) => ws.on('framereceived', (f) => String(f.payload).includes('history:stored') && storedPushes.push(Date.now())));
    sup.on('request', (r) => /\/api\/admin\/calls\?/.test(r.url()) && historyReads.push(Date.now()));
    await sup.goto('/admin/calls');
    await expect(sup.getByTestId('history-live')).toHaveAttribute('data-state', 'live');
    await sup.evaluate(() => ((window as unknown as { historyMarker: number }).historyMarker = 42));

    // A real call, answered, then the caller hangs up.
    await operatorReady(op);
    await callerDials(caller, 'Hana History');
    await expect(op.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
    await op.getByTestId('call-answer').click();
    await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'talking');
    await sup.waitForTimeout(1200); // a talk time of a second or more
    // the page notes (in its own clock, the machine's) when a row first says the call was answered
    const answeredId = (await lastCallTimeline(supervisorApi)).call.id;
    await sup.evaluate((id) => {
      const w = window as unknown as { endShownAt?: number };
      const seen = () => document.querySelector(`[data-testid="history-outcome-${id}"]`)?.textContent?.includes('Answered');
      new MutationObserver((_m, obs) => {
        if (seen()) {
          w.endShownAt = Date.now();
          obs.disconnect();
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    }, answeredId);
    const hungUpAt = Date.now();
    await caller.getByTestId('call-hangup').click();
    await expect.poll(async () => (await lastCallTimeline(supervisorApi)).call.outcome, { timeout: 10_000 }).toBe('completed');
    const answered = (await lastCallTimeline(supervisorApi)).call.id;
    expect(answered).toBe(answeredId);

    // …appears on the open page by itself, on the same page load, pushed once stored: the row
    // changes only after a `history:stored` push, and the page reads no more than once per push
    // (one more for a read already under way at the hang-up) — no timer reads it
    await expect(sup.getByTestId(`history-outcome-${answered}`)).toContainText('Answered', { timeout: 10_000 });
    const shownAfter = (await sup.evaluate(() => (window as unknown as { endShownAt?: number }).endShownAt ?? NaN)) - hungUpAt;
    console.log(`history row ended on the page ${shownAfter} ms after the caller's hang-up click`);
    const readsAfter = historyReads.filter((t) => t >= hungUpAt);
    const pushesAfter = storedPushes.filter((t) => t >= hungUpAt);
    expect(pushesAfter.length).toBeGreaterThan(0);
    expect(readsAfter.length).toBeGreaterThan(0);
    expect(readsAfter.length).toBeLessThanOrEqual(pushesAfter.length + 1);
    expect(hungUpAt + shownAfter).toBeGreaterThanOrEqual(pushesAfter[0]!);
    await expect(sup.getByTestId(`row-${answered}`)).toBeVisible();
    await expect(sup.getByTestId(`history-outcome-${answered}`)).toContainText('The caller hung up');
    expect(await sup.evaluate(() => (window as unknown as { historyMarker?: number }).historyMarker)).toBe(42);

    // A second caller gives up while the operator's phone rings (after the wrap-up).
    await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
    await callerDials(caller, 'Gus Gaveup');
    await expect(op.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
    await caller.getByTestId('call-hangup').click();
    await expect.poll(async () => (await lastCallTimeline(supervisorApi)).call.outcome, { timeout: 10_000 }).toBe('abandoned');
    const abandoned = (await lastCallTimeline(supervisorApi)).call.id;
    await expect(sup.getByTestId(`row-${abandoned}`)).toBeVisible({ timeout: 10_000 });
    expect(await sup.evaluate(() => (window as unknown as { historyMarker?: number }).historyMarker)).toBe(42);
    await screenshots(sup, 'history-01-live');

    // Filters narrow the rows, and the URL holds them.
    await sup.getByTestId('history-outcome').selectOption('abandoned');
    await expect(sup).toHaveURL(/outcome=abandoned/);
    await expect(sup.getByTestId(`row-${abandoned}`)).toBeVisible();
    await expect(sup.getByTestId(`row-${answered}`)).toHaveCount(0);
    await sup.getByTestId('history-outcome').selectOption('completed');
    await expect(sup.getByTestId(`row-${answered}`)).toBeVisible();
    await expect(sup.getByTestId(`row-${abandoned}`)).toHaveCount(0);
    const today = await sup.evaluate(() => new Date().toLocaleDateString('sv')); // YYYY-MM-DD in the page's zone
    await sup.getByTestId('history-from').fill(today);
    await sup.getByTestId('history-queue').selectOption({ label: 'Support' });
    await expect(sup).toHaveURL(new RegExp(`from=${today}`));
    await expect(sup.getByTestId(`row-${answered}`)).toBeVisible();
    await screenshots(sup, 'history-02-filtered');
    // sorting is the server's, and the URL keeps it
    await sup.getByTestId('sort-talk').click();
    await expect(sup).toHaveURL(/sort=talk/);
    await expect(sup.getByTestId(`row-${answered}`)).toBeVisible();
    await sup.getByTestId('sort-arrived').click();
    await expect(sup).toHaveURL(/sort=arrived/);
    // a day range that ends before today: nothing, and the page says what to do
    await sup.getByTestId('history-from').fill('2020-01-01');
    await sup.getByTestId('history-to').fill('2020-01-02');
    await expect(sup.getByTestId('history-table')).toContainText('No call matches these filters');
    await sup.getByTestId('history-to').fill('');
    await sup.getByTestId('history-from').fill(today);
    await expect(sup.getByTestId(`row-${answered}`)).toBeVisible();

    // A bad value in the URL is shown next to its field, and the download says why it is off.
    await sup.goto('/admin/calls?minTalk=abc');
    await expect(sup.getByTestId('history-error-minTalk')).toBeVisible();
    await expect(sup.getByTestId('history-csv')).toBeDisabled();
    await sup.goBack();
    await expect(sup.getByTestId(`row-${answered}`)).toBeVisible();

    // The CSV download carries the current filters and parses to the API's rows for them.
    const [download] = await Promise.all([sup.waitForEvent('download'), sup.getByTestId('history-csv').click()]);
    const path = await download.path();
    const records = parse(readFileSync(path), { columns: true }) as Record<string, string>[];
    const from = new URL(sup.url()).searchParams.get('from');
    expect(from).toBe(today);
    const midnight = await sup.evaluate((d) => new Date(`${d}T00:00:00`).toISOString(), today); // the page's local midnight
    const api = await (await supervisorApi.get(`/api/admin/calls?outcome=completed&queue=q-support&pageSize=100&from=${encodeURIComponent(midnight)}`)).json();
    expect(records.map((r) => r['call id'])).toEqual(api.data.rows.map((r: { id: string }) => r.id));
    const mine = records.find((r) => r['call id'] === answered)!;
    expect(mine).toMatchObject({ 'time zone': 'Europe/Paris', outcome: 'completed', queue: 'Support', operator: 'Oscar Operator', 'ended by': 'caller' });
    expect(mine.arrived).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0[12]:00$/);
    expect(Number(mine['talked (s)'])).toBeGreaterThan(0.5);

    // The call's own page, in plain words.
    await sup.getByTestId(`history-open-${answered}`).click();
    await expect(sup.getByTestId('call-detail-outcome')).toHaveText('Answered');
    await expect(sup.getByTestId('call-detail-ended-by')).toHaveText('The caller hung up');
    await expect(sup.getByTestId('timeline')).toContainText('Offered to Oscar Operator');
    await expect(sup.getByTestId('timeline')).toContainText('The caller hung up');
    await expect(sup.getByTestId('timeline')).not.toContainText('{');
    await screenshots(sup, 'history-03-call-page');
  } finally {
    await supCtx.close();
    await opCtx.close();
    await callerCtx.close();
    await supervisorApi.dispose();
  }
});
