import { expect, test, type Page } from '@playwright/test';
import { E2E } from '../playwright.config';
import { callerDials, operatorReady, signInPage } from './support';
import { browserSpeaking, expectNoTone, expectTone, heard, TONE } from './tones';

// Hold and transfer checked by ear (e2e/tones.ts: each party's own fake-microphone tone).
test('by ear: a held caller hears music, not the operator; after a transfer the caller hears the second operator and not the first', async () => {
  test.setTimeout(150_000);
  const [bCaller, b1, b2] = await Promise.all([browserSpeaking(TONE.caller), browserSpeaking(TONE.op1), browserSpeaking(TONE.op2)]);
  try {
    const pages = await Promise.all([bCaller, b1, b2].map(async (b) => (await b.newContext({ baseURL: E2E.baseURL, permissions: ['microphone'] })).newPage()));
    const [caller, op1, op2] = pages as [Page, Page, Page];
    await signInPage(op1, 'olivia@patchbay.local');
    await operatorReady(op1);
    await callerDials(caller, 'Tina Tone');
    await expect(op1.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
    await op1.getByTestId('call-answer').click();
    await expect(op1.getByTestId('call-hold')).toBeEnabled();
    await op1.waitForTimeout(1000);

    const talking = await heard(caller);
    const opHears = await heard(op1);
    test.info().annotations.push({ type: 'levels', description: JSON.stringify({ talking, opHears }) });
    expectTone(talking[TONE.op1]);
    expectNoTone(talking[TONE.op2], talking[TONE.op1]);
    expectTone(opHears[TONE.caller]);

    await op1.getByTestId('call-hold').click();
    await expect(op1.getByTestId('call-held')).toBeVisible();
    // let the caller's jitter buffer and the analyser's window drain what was said before the hold
    await op1.waitForTimeout(1500);
    const held = await heard(caller);
    test.info().annotations.push({ type: 'levels', description: JSON.stringify({ held }) });
    // the operator's tone is gone: it no longer stands out of the music around it
    expectNoTone(held[TONE.op1], talking[TONE.op1]);

    await signInPage(op2, 'oscar@patchbay.local');
    await operatorReady(op2);
    await op1.getByTestId('call-transfer').click();
    await op1.getByTestId('transfer-operator').click();
    await expect(op2.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
    await op2.getByTestId('call-answer').click();
    await expect(op2.getByTestId('call-hold')).toBeEnabled();
    await op2.waitForTimeout(1000);
    const after = await heard(caller);
    const op2Hears = await heard(op2);
    test.info().annotations.push({ type: 'levels', description: JSON.stringify({ after, op2Hears }) });
    expectTone(after[TONE.op2]);
    expectNoTone(after[TONE.op1], talking[TONE.op1]);
    expectTone(op2Hears[TONE.caller]);
    expectNoTone(op2Hears[TONE.op1], talking[TONE.op1]);

    await caller.getByTestId('call-hangup').click();
    await expect(op2.getByTestId('call-ended')).toBeVisible();
    for (const p of [op1, op2]) {
      await p.getByTestId('agent-not-ready').click();
      await p.getByTestId('reason-break').click();
      await p.getByTestId('reason-confirm').click();
      await expect(p.getByTestId('agent-state')).toHaveAttribute('data-state', 'not_ready');
    }
  } finally {
    await Promise.all([bCaller, b1, b2].map((b) => b.close()));
  }
});
