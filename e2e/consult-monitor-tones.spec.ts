import { expect, test, type Browser, type Page } from '@playwright/test';
import { E2E } from '../playwright.config';
import { callerDials, operatorReady, signInPage } from './support';
import { browserSpeaking, expectNoTone, expectTone, hasTone, heard, TONE, type Heard } from './tones';

// Attended transfer cancelled, a three-way conference, and a supervisor's listen, whisper and
// barge — each checked by ear in real Chromium (e2e/tones.ts: every party's fake microphone
// plays its own tone; what a page hears is measured on its received track).

async function pagesOf(browsers: Browser[]): Promise<Page[]> {
  return Promise.all(browsers.map(async (b) => (await b.newContext({ baseURL: E2E.baseURL, permissions: ['microphone'] })).newPage()));
}

/** Waits until `page` hears what `ok` wants (audio paths settle within a second or two after a change). */
async function untilHeard(page: Page, ok: (h: Record<number, Heard>) => boolean, what: string): Promise<Record<number, Heard>> {
  let last: Record<number, Heard> = {};
  await expect
    .poll(
      async () => {
        last = await heard(page, 1000);
        return ok(last);
      },
      { message: what, timeout: 15_000, intervals: [200] },
    )
    .toBe(true);
  return last;
}

async function answerCall(op: Page, consulted = false): Promise<void> {
  await expect(op.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
  await op.getByTestId('call-answer').click();
  // a consulted operator has no hold of their own: the call is the first operator's until Complete
  if (!consulted) await expect(op.getByTestId('call-hold')).toBeEnabled();
}

test('by ear: a consultation cancelled gives the caller back; a three-way conference lets each hear the other two', async () => {
  test.setTimeout(180_000);
  const browsers = await Promise.all([browserSpeaking(TONE.caller), browserSpeaking(TONE.op1), browserSpeaking(TONE.op2)]);
  try {
    const [caller, op1, op2] = (await pagesOf(browsers)) as [Page, Page, Page];
    await signInPage(op1, 'olivia@patchbay.local');
    await operatorReady(op1);
    await callerDials(caller, 'Cora Conference');
    await answerCall(op1);
    const talking = await untilHeard(caller, (h) => hasTone(h[TONE.op1]), 'the caller hears the operator');
    const op1Talking = await untilHeard(op1, (h) => hasTone(h[TONE.caller]), 'the operator hears the caller');
    await signInPage(op2, 'oscar@patchbay.local');
    await operatorReady(op2);

    // consult: the operators talk, the caller hears neither of them
    await op1.locator('body').press('t');
    await op1.getByTestId('consult-operator').click();
    await answerCall(op2, true);
    await expect(op1.getByTestId('consult-panel')).toHaveAttribute('data-state', 'consulting');
    const op1Consult = await untilHeard(op1, (h) => hasTone(h[TONE.op2]), 'the first operator hears the second');
    const op2Consult = await untilHeard(op2, (h) => hasTone(h[TONE.op1]), 'the second operator hears the first');
    expectNoTone(op2Consult[TONE.caller], op1Talking[TONE.caller]);
    const held = await heard(caller);
    test.info().annotations.push({ type: 'levels', description: JSON.stringify({ talking, op1Consult, op2Consult, held }) });
    expectNoTone(held[TONE.op1], talking[TONE.op1]);
    expectNoTone(held[TONE.op2], op1Consult[TONE.op2]);

    // cancel: the second operator is let go, the caller is back with the first
    await op1.getByTestId('consult-cancel').click();
    await expect(op1.getByTestId('consult-panel')).toHaveCount(0);
    await expect(op2.getByTestId('call-ended')).toBeVisible();
    const back = await untilHeard(caller, (h) => hasTone(h[TONE.op1]), 'the caller hears the first operator again');
    expectNoTone(back[TONE.op2], op1Consult[TONE.op2]);
    await untilHeard(op1, (h) => hasTone(h[TONE.caller]), 'the first operator hears the caller again');

    // consult again, then a conference: each of the three hears the other two
    await operatorReady(op2);
    await op1.locator('body').press('t');
    await op1.getByTestId('consult-operator').click();
    await answerCall(op2, true);
    await expect(op1.getByTestId('consult-panel')).toHaveAttribute('data-state', 'consulting');
    await op1.getByTestId('consult-conference').click();
    await expect(op1.getByTestId('consult-panel')).toHaveAttribute('data-state', 'conference');
    const both = (a: number, b: number) => (h: Record<number, Heard>) => hasTone(h[a]) && hasTone(h[b]);
    const confCaller = await untilHeard(caller, both(TONE.op1, TONE.op2), 'the caller hears both operators');
    const confOp1 = await untilHeard(op1, both(TONE.caller, TONE.op2), 'the first operator hears the caller and the second');
    const confOp2 = await untilHeard(op2, both(TONE.caller, TONE.op1), 'the second operator hears the caller and the first');
    test.info().annotations.push({ type: 'levels', description: JSON.stringify({ back, confCaller, confOp1, confOp2 }) });
    expectTone(confCaller[TONE.op1]);
    expectTone(confCaller[TONE.op2]);

    await caller.getByTestId('call-hangup').click();
    await expect(op1.getByTestId('call-ended')).toBeVisible();
  } finally {
    await Promise.all(browsers.map((b) => b.close()));
  }
});

test('by ear: a supervisor listens (nobody hears them), whispers (only the operator does) and barges (both do)', async () => {
  test.setTimeout(180_000);
  const browsers = await Promise.all([browserSpeaking(TONE.caller), browserSpeaking(TONE.op1), browserSpeaking(TONE.sup)]);
  try {
    const [caller, op, sup] = (await pagesOf(browsers)) as [Page, Page, Page];
    await signInPage(op, 'olivia@patchbay.local');
    await signInPage(sup, 'admin@patchbay.local');
    await operatorReady(op);
    await callerDials(caller, 'Sam Supervised');
    await answerCall(op);
    await untilHeard(caller, (h) => hasTone(h[TONE.op1]), 'the caller hears the operator');

    await sup.goto('/admin');
    await expect(sup.getByTestId('admin-link')).toHaveAttribute('data-state', 'live');
    await sup.getByTestId('monitor-phone-on').click();
    await expect(sup.getByTestId('monitor-phone')).toHaveAttribute('data-state', 'on');
    const row = sup.locator('[data-testid^="call-row-"][data-status="connected"]');
    await expect(row).toHaveCount(1);
    const callId = (await row.getAttribute('data-testid'))!.replace('call-row-', '');
    const live = sup.getByTestId('monitor-live');
    const supHearsBoth = (h: Record<number, Heard>) => hasTone(h[TONE.caller]) && hasTone(h[TONE.op1]);

    await sup.getByTestId(`panel-monitor-listen-${callId}`).click();
    await expect(live).toHaveAttribute('data-state', 'connected');
    await untilHeard(sup, supHearsBoth, 'listening, the supervisor hears caller and operator');
    const listen = { caller: await heard(caller), op: await heard(op) };

    await sup.getByTestId('monitor-mode-whisper').click();
    await expect(live).toHaveAttribute('data-mode', 'whisper');
    const whisperOp = await untilHeard(op, (h) => hasTone(h[TONE.sup]), 'whispering, the operator hears the supervisor');
    const whisperCaller = await heard(caller);
    await untilHeard(sup, supHearsBoth, 'whispering, the supervisor still hears both');

    await sup.getByTestId('monitor-mode-barge').click();
    await expect(live).toHaveAttribute('data-mode', 'barge');
    const bargeCaller = await untilHeard(caller, (h) => hasTone(h[TONE.sup]) && hasTone(h[TONE.op1]), 'barging, the caller hears the supervisor and the operator');
    const bargeOp = await untilHeard(op, (h) => hasTone(h[TONE.sup]) && hasTone(h[TONE.caller]), 'barging, the operator hears the supervisor and the caller');
    await untilHeard(sup, supHearsBoth, 'barging, the supervisor hears both');
    test.info().annotations.push({ type: 'levels', description: JSON.stringify({ listen, whisperOp, whisperCaller, bargeCaller, bargeOp }) });

    // the supervisor's tone, against the level it has when it is heard
    expectNoTone(listen.caller[TONE.sup], bargeCaller[TONE.sup]);
    expectNoTone(listen.op[TONE.sup], bargeOp[TONE.sup]);
    expectNoTone(whisperCaller[TONE.sup], bargeCaller[TONE.sup]);
    expectTone(whisperOp[TONE.sup]);

    await sup.getByTestId('monitor-leave').click();
    await expect(live).toHaveCount(0);
    await caller.getByTestId('call-hangup').click();
    await expect(op.getByTestId('call-ended')).toBeVisible();
  } finally {
    await Promise.all(browsers.map((b) => b.close()));
  }
});
