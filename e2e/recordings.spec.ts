import { expect, test, type APIRequestContext, type Browser, type BrowserContext } from '@playwright/test';
import { apiAs, callerDials, expectAudioFlowing, lastCallTimeline, operatorReady, queueSettings, screenshots, signInPage } from './support';

// A recorded call, end to end: the Support queue records every answered call, a browser caller
// talks to a browser operator through the ACD, and after the call the admin plays its recording on
// the call's page — the audio element loads the WAV by a range request (206), duration > 0, no
// error, and a seek moves playback.

async function setRecordingPolicy(admin: APIRequestContext, policy: 'never' | 'always' | 'on_demand'): Promise<string> {
  const list = await (await admin.get('/api/admin/queues?q=Support')).json();
  const q = list.data.rows.find((r: { name: string }) => r.name === 'Support');
  const id: string = q.id;
  const fields = queueSettings(q);
  // a queue that never records tells nobody (the schema refuses the notice then)
  const res = await admin.patch(`/api/admin/queues/${id}`, { data: { ...fields, recordingPolicy: policy, ...(policy === 'never' ? { recordingNotice: false } : {}) } });
  expect(res.status(), await res.text()).toBe(200);
  return id;
}

interface Scene {
  admin: APIRequestContext;
  queueId: string;
  opCtx: BrowserContext;
  callerCtx: BrowserContext;
  adminCtx: BrowserContext;
}

/** The Support queue on `policy`, an admin API and three browsers (operator, caller, admin) for `run`; the policy goes back to never after. */
async function withPolicy(browser: Browser, policy: 'always' | 'on_demand', run: (s: Scene) => Promise<void>): Promise<void> {
  const admin = await apiAs('admin@patchbay.local');
  const queueId = await setRecordingPolicy(admin, policy);
  const [opCtx, callerCtx, adminCtx] = await Promise.all([browser.newContext(), browser.newContext(), browser.newContext()]);
  try {
    await run({ admin, queueId, opCtx, callerCtx, adminCtx });
  } finally {
    await setRecordingPolicy(admin, 'never');
    await admin.dispose();
    for (const c of [opCtx, callerCtx, adminCtx]) await c.close();
  }
}

test('a call in a recording queue is recorded, and its page plays it by range requests, with seeking', async ({ browser }) => {
  test.setTimeout(120_000);
  await withPolicy(browser, 'always', async ({ admin, opCtx, callerCtx, adminCtx }) => {
    const op = await opCtx.newPage();
    const caller = await callerCtx.newPage();
    await signInPage(op, 'olivia@patchbay.local');
    await operatorReady(op);
    await callerDials(caller, 'Rita Recorded');
    await expect(op.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
    await op.getByTestId('call-answer').click();
    await expectAudioFlowing(op, 'operator hears the caller');
    await expectAudioFlowing(caller, 'caller hears the operator');
    await op.waitForTimeout(8_000); // long enough that the file is more than the player buffers at once
    await caller.getByTestId('call-hangup').click();
    await expect(op.getByTestId('call-ended')).toBeVisible();

    await expect.poll(async () => (await lastCallTimeline(admin)).events.map((e) => e.type), { timeout: 10_000 }).toContain('ended');
    const { call } = await lastCallTimeline(admin);
    await expect
      .poll(async () => ((await (await admin.get(`/api/admin/recordings?callId=${call.id}`)).json()).data ?? []).length, { timeout: 20_000 })
      .toBe(1);
    const [rec] = (await (await admin.get(`/api/admin/recordings?callId=${call.id}`)).json()).data;
    expect(rec.available).toBe(true);
    expect(rec.durationMs).toBeGreaterThan(8_000);

    // the admin's page: the player loads only when played, and every fetch of the audio is seen
    const page = await adminCtx.newPage();
    const ranges: string[] = [];
    const answers: Array<{ status: number; contentRange: string | null }> = [];
    page.on('request', (r) => {
      if (r.url().includes(`/api/admin/recordings/${rec.id}/audio`)) ranges.push(r.headers()['range'] ?? '(none)');
    });
    page.on('response', (r) => {
      if (r.url().includes(`/api/admin/recordings/${rec.id}/audio`)) answers.push({ status: r.status(), contentRange: r.headers()['content-range'] ?? null });
    });
    await signInPage(page, 'admin@patchbay.local');
    await page.goto(`/admin/calls/${encodeURIComponent(call.id)}`);
    const audio = page.getByTestId('recording-audio');
    await expect(audio).toBeVisible();
    await expect(page.getByTestId('recording')).toContainText('operator Olivia Operator');
    expect(ranges).toEqual([]); // opening the page is not a listen

    await audio.evaluate((a: HTMLAudioElement) => a.play());
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime), { timeout: 10_000 }).toBeGreaterThan(0.3);
    const state = await audio.evaluate((a: HTMLAudioElement) => ({ duration: a.duration, error: a.error?.code ?? null }));
    expect(state.error).toBeNull();
    expect(state.duration).toBeGreaterThan(8);
    expect(Math.abs(state.duration * 1000 - rec.durationMs)).toBeLessThan(100);
    // the media element asks by range and the server answers 206 with the file's size
    expect(ranges[0]).toMatch(/^bytes=0-/);
    await expect.poll(() => answers.length).toBeGreaterThan(0);
    expect(answers[0]).toEqual({ status: 206, contentRange: `bytes 0-${rec.sizeBytes - 1}/${rec.sizeBytes}` });

    // seek near the end: playback goes on from there. (Chromium serves a seek this close from
    // the 206 stream it holds open — it opens a new range only megabytes ahead — so the ranges a
    // seek asks for in a longer file are tested on the API: server/http/recordings-api.test.ts.)
    await audio.evaluate((a: HTMLAudioElement) => {
      a.currentTime = a.duration * 0.9;
    });
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime), { timeout: 10_000 }).toBeGreaterThan(state.duration * 0.9);
    const afterSeek = await audio.evaluate((a: HTMLAudioElement) => a.currentTime);
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime), { timeout: 5_000 }).toBeGreaterThan(afterSeek);
    test.info().annotations.push({ type: 'audio requests', description: ranges.join(', ') });
    expect(await audio.evaluate((a: HTMLAudioElement) => a.error?.code ?? null)).toBeNull();
    await expect(page.getByTestId('recording-play-error')).toHaveCount(0);
    await audio.evaluate((a: HTMLAudioElement) => a.pause());

    // the listen is in the audit, with who listened
    const audit = await (await admin.get('/api/admin/audit?entity=recording&action=recording.listen')).json();
    expect(audit.data.rows.some((r: { entityId: string; actorName: string }) => r.entityId === rec.id && r.actorName === 'Ada Admin')).toBe(true);
    await screenshots(page, 'recording-player');
  });
});

test('on demand, telling the caller: the admin ticks "Tell the caller"; the operator presses Record (told) and Stop, and the stretch is stored', async ({ browser }) => {
  test.setTimeout(120_000);
  await withPolicy(browser, 'on_demand', async ({ admin, queueId, opCtx, callerCtx, adminCtx }) => {
    // the queue editor shows the policy and the retention
    const editor = await adminCtx.newPage();
    await signInPage(editor, 'admin@patchbay.local');
    await editor.goto(`/admin/queues/${queueId}`);
    await expect(editor.getByTestId('queue-recording-policy')).toHaveValue('on_demand');
    await expect(editor.getByTestId('queue-recording-retention')).toHaveValue('90');
    // "Tell the caller", saved through the form (the same schema as the API's)
    const tell = editor.getByTestId('queue-recording-notice');
    await expect(tell).toBeEnabled();
    await expect(tell).not.toBeChecked();
    await tell.check();
    await expect(editor.getByText('When the operator presses Record, the caller hears')).toBeVisible();
    await editor.getByTestId('form-save').click();
    await expect.poll(async () => (await (await admin.get(`/api/admin/queues/${queueId}`)).json()).data.recordingNotice, { timeout: 10_000 }).toBe(true);
    // the form resets to the saved row when it comes back (re-rendering its fields): edit after that
    await expect(editor.getByTestId('form-dirty')).toHaveText('');
    await expect(tell).toBeChecked();
    await editor.getByTestId('queue-recording-policy').scrollIntoViewIfNeeded();
    await screenshots(editor, 'queue-recording');
    // a queue that never records has nothing to tell: the box is cleared and says why it is off
    await editor.getByTestId('queue-recording-policy').selectOption('never');
    await expect(tell).toBeDisabled();
    await expect(tell).not.toBeChecked();
    await expect(editor.getByText('a queue that never records has nothing to tell')).toBeVisible();
    await screenshots(editor, 'queue-recording-never');
    await editor.getByTestId('queue-recording-policy').selectOption('on_demand');

    const op = await opCtx.newPage();
    const caller = await callerCtx.newPage();
    await signInPage(op, 'olivia@patchbay.local');
    await operatorReady(op);
    await callerDials(caller, 'Rob Record');
    await expect(op.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
    const record = op.getByTestId('call-record');
    await op.getByTestId('call-answer').click();
    await expectAudioFlowing(op, 'operator hears the caller');
    await expect(record).toBeEnabled();
    await record.click();
    await expect(op.getByTestId('call-recording-on')).toBeVisible();
    await expect(record).toHaveText('Stop recording');
    await expect(op.getByTestId('call-caller-told')).toHaveText('The caller was told the call is being recorded.');
    await screenshots(op, 'console-recording');
    await op.waitForTimeout(3_000);
    await record.click();
    await expect(record).toHaveText('Record');
    await expect(op.getByTestId('call-recording-on')).toHaveCount(0);
    await caller.getByTestId('call-hangup').click();
    await expect(op.getByTestId('call-ended')).toBeVisible();

    await expect.poll(async () => (await lastCallTimeline(admin)).events.map((e) => e.type), { timeout: 10_000 }).toContain('ended');
    const { call } = await lastCallTimeline(admin);
    const list = async () => ((await (await admin.get(`/api/admin/recordings?callId=${call.id}`)).json()).data ?? []) as Array<{ durationMs: number }>;
    await expect.poll(async () => (await list()).length, { timeout: 10_000 }).toBe(1);
    const [rec] = await list();
    expect(rec!.durationMs).toBeGreaterThan(2_500);
    expect(rec!.durationMs).toBeLessThan(8_000);
  });
});
