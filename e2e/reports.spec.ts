import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { apiAs, callerDials, operatorReady, screenshots, signInPage } from './support';

// The reports page after a real call (real Chromium caller and operator, real ACD and CTI): the
// report of today counts the call for the queue and for the operator, the page shows it, and the
// CSV downloaded from the page parses and says the same. Operators get 403 on page and API.
const Q = 'q-support';
const OP = 'u-op1';

interface Row {
  queueId?: string;
  operatorId?: string;
  offered?: number;
  handled?: number;
}

test('after a real call, today’s report counts it for the queue and the operator; the CSV downloads and parses', async ({ browser }) => {
  test.setTimeout(120_000);
  const admin = await apiAs('admin@patchbay.local');
  const today = async () => {
    const q = (await (await admin.get('/api/admin/reports/queues')).json()).data.rows.find((x: Row) => x.queueId === Q);
    const o = (await (await admin.get('/api/admin/reports/operators')).json()).data.rows.find((x: Row) => x.operatorId === OP);
    const iv = (await (await admin.get('/api/admin/reports/intervals?interval=15')).json()).data.rows as Array<{ offered: number }>;
    // the wallboard's figures of today (queue-figures, the same fold the live board keeps)
    const board = (await (await admin.get('/api/admin/reports/queue-figures')).json()).data.queues as Array<{ tally: { offered: number } }>;
    return { offered: q.offered as number, handled: (o?.handled ?? 0) as number, intervalsOffered: iv.reduce((s, x) => s + x.offered, 0), boardOffered: board.reduce((s, x) => s + x.tally.offered, 0) };
  };
  const before = await today();
  const supCtx = await browser.newContext({ acceptDownloads: true });
  const opCtx = await browser.newContext();
  const callerCtx = await browser.newContext();
  const sup = await supCtx.newPage();
  const op = await opCtx.newPage();
  const caller = await callerCtx.newPage();
  try {
    await signInPage(sup, 'admin@patchbay.local');
    await signInPage(op, 'olivia@patchbay.local');
    await operatorReady(op);
    await callerDials(caller, 'Rita Reports');
    await expect(op.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing', { timeout: 20_000 });
    await op.getByTestId('call-answer').click();
    await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'talking');
    await op.waitForTimeout(2000); // a talk of a couple of seconds, for the time-in-state chart
    await caller.getByTestId('call-hangup').click();
    await expect(op.getByTestId('agent-state')).not.toHaveAttribute('data-state', 'talking', { timeout: 20_000 });

    // stored rows are written behind: poll until the report has the call (queue, intervals and operator agree)
    await expect.poll(today, { timeout: 20_000 }).toEqual({ offered: before.offered + 1, handled: before.handled + 1, intervalsOffered: before.intervalsOffered + 1, boardOffered: before.intervalsOffered + 1 });

    await sup.goto('/admin');
    await sup.getByTestId('admin-nav-reports').click();
    await sup.waitForURL('**/admin/reports');
    await expect(sup.getByTestId('admin-nav-reports')).toHaveAttribute('aria-current', 'page');
    await expect(sup.getByTestId('report-intervals-chart')).toBeVisible();
    await expect(sup.getByTestId('report-total')).toContainText(`${before.intervalsOffered + 1} call`);
    await expect(sup.getByTestId(`report-queue-${Q}`).getByTestId('offered')).toHaveText(String(before.offered + 1));
    await expect(sup.getByTestId(`report-operator-${OP}`).getByTestId('handled')).toHaveText(String(before.handled + 1));
    await expect(sup.getByTestId(`report-operator-${OP}`)).toContainText('Olivia Operator');
    await expect(sup.getByTestId('report-wait-chart')).toBeVisible();
    // time in each state: the operator's talk is in the chart and in its figures, and its CSV says the same
    await expect(sup.getByTestId('report-states-chart')).toBeVisible();
    await sup.getByTestId('report-states').getByText('The figures').click();
    const talking = sup.getByTestId(`report-states-${OP}`).getByTestId('state-talking');
    await expect(talking).toHaveText(/^Talking ([1-9]\d* s|\d+ min \d\d s)$/);
    await expect(sup.getByTestId('report-states-chart').locator('.recharts-bar-rectangle').first()).toBeVisible();
    const [stDownload] = await Promise.all([sup.waitForEvent('download'), sup.getByTestId('report-states-csv').click()]);
    expect(stDownload.suggestedFilename()).toMatch(/^states-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv$/);
    const st = parse(await readFile(await stDownload.path()), { columns: true }) as Array<Record<string, string>>;
    const myTalk = st.find((r) => r['operator id'] === OP && r.state === 'Talking');
    expect(Number(myTalk?.['time (s)'])).toBeGreaterThan(0);
    await sup.getByTestId('report-interval').selectOption('15');
    await expect(sup.getByTestId('report-status')).toContainText('time');
    await screenshots(sup, 'reports-today');

    // the operators' CSV, downloaded as the browser does from the page's link
    const [download] = await Promise.all([sup.waitForEvent('download'), sup.getByTestId('report-operators-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^operators-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv$/);
    const rows = parse(await readFile(await download.path()), { columns: true }) as Array<Record<string, string>>;
    const mine = rows.find((r) => r['operator id'] === OP);
    expect(mine?.operator).toBe('Olivia Operator');
    expect(Number(mine?.['calls handled'])).toBe(before.handled + 1);
    expect(Number(mine?.['talking (s)'])).toBeGreaterThan(0);

    const [ivDownload] = await Promise.all([sup.waitForEvent('download'), sup.getByTestId('report-intervals-csv').click()]);
    const iv = parse(await readFile(await ivDownload.path()), { columns: true }) as Array<Record<string, string>>;
    expect(iv.reduce((s, r) => s + Number(r.offered), 0)).toBe(before.intervalsOffered + 1);
    expect(iv[1]?.['interval start']).toMatch(/ 00:15$/);

    // a "to" day before the "from" day: said in words, downloads disabled with the reason
    await sup.getByTestId('report-from').fill('2026-01-10');
    await sup.getByTestId('report-to').fill('2026-01-09');
    await expect(sup.getByText('The “to” day is before the “from” day')).toBeVisible();
    await expect(sup.getByTestId('report-queues-csv')).toBeDisabled();
    await sup.getByTestId('report-week').click();
    await expect(sup.getByTestId('report-queues-csv')).toBeEnabled();
    // a day without calls says what to do
    await sup.getByTestId('report-from').fill('2020-01-01');
    await sup.getByTestId('report-to').fill('2020-01-01');
    await expect(sup.getByTestId('report-empty')).toContainText('Choose other days');
    await screenshots(sup, 'reports-empty');
  } finally {
    await Promise.all([supCtx.close(), opCtx.close(), callerCtx.close()]);
  }
});

test('operators cannot open the reports or read their data', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await signInPage(page, 'olivia@patchbay.local');
  const res = await page.goto('/admin/reports');
  expect(res?.status()).toBe(403);
  for (const chart of ['intervals', 'operators', 'states', 'queues']) {
    expect((await page.request.get(`/api/admin/reports/${chart}`)).status()).toBe(403);
    expect((await page.request.get(`/api/admin/reports/${chart}?format=csv`)).status()).toBe(403);
  }
  await ctx.close();
});
