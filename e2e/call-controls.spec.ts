import { expect, test, type Page } from '@playwright/test';
import { callerDials, expectAudioFlowing, operatorReady, screenshots, signInPage } from './support';

// The operator's in-call controls in Chromium: hold and resume, mute, the keypad, and a blind
// transfer to a second browser operator who answers — each console showing the call's state.
// E2E_SCREENSHOTS=<dir> also saves the call panel in each state, at desktop width and 390 px wide.
const shoot = (page: Page, name: string) => screenshots(page, `controls-${name}`);

/** Leaves the operator Not ready (reason Break), so the next test starts from a known state. */
async function notReady(page: Page): Promise<void> {
  await page.getByTestId('agent-not-ready').click();
  await page.getByTestId('reason-break').click();
  await page.getByTestId('reason-confirm').click();
  await expect(page.getByTestId('agent-state')).toHaveAttribute('data-state', 'not_ready');
}

test('an operator holds, resumes, mutes, uses the keypad and transfers the call to a second operator who answers', async ({ browser }) => {
  test.setTimeout(120_000);
  const contexts = await Promise.all([browser.newContext(), browser.newContext(), browser.newContext(), browser.newContext()]);
  const [op1, op2, caller, sup] = await Promise.all(contexts.map((c) => c.newPage()));
  await signInPage(sup!, 'admin@patchbay.local');
  await sup!.goto('/admin');
  await expect(sup!.getByTestId('admin-link')).toHaveAttribute('data-state', 'live');
  await signInPage(op1!, 'olivia@patchbay.local');
  await operatorReady(op1!);

  await callerDials(caller!, 'Carla Caller');
  await expect(op1!.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
  await op1!.getByTestId('call-answer').click();
  await expect(op1!.getByTestId('agent-state')).toHaveAttribute('data-state', 'talking');
  await expect(op1!.getByTestId('call-hold')).toBeEnabled();
  await expect(op1!.getByTestId('call-hold')).toHaveAttribute('title', /\(H\)/);
  await expectAudioFlowing(op1!, 'operator hears the caller');
  await shoot(op1!, 'talking');

  // H holds (the keyboard shortcut); the caller keeps receiving audio: the hold music
  await op1!.locator('body').press('h');
  await expect(op1!.getByTestId('call-held')).toBeVisible();
  await expect(op1!.getByTestId('call-hold')).toHaveText(/Resume/);
  await expect(op1!.getByTestId('call-keypad')).toBeDisabled();
  await expect(op1!.getByTestId('call-keypad')).toHaveAttribute('title', 'Take the call off hold to use the keypad');
  await expectAudioFlowing(caller!, 'caller hears hold music');
  // the supervisor's live view says so
  await expect(sup!.locator('[data-testid^="call-row-"][data-status="held"]')).toHaveCount(1);
  await expect(sup!.locator('[data-testid^="call-row-"][data-status="held"]')).toContainText('On hold');
  await shoot(op1!, 'held');
  await op1!.getByTestId('call-hold').click();
  await expect(op1!.getByTestId('call-held')).toBeHidden();
  await expect(op1!.getByTestId('call-hold')).toHaveText(/Hold/);

  await op1!.locator('body').press('m');
  await expect(op1!.getByTestId('call-muted')).toBeVisible();
  await expect(op1!.getByTestId('call-mute')).toHaveText(/Unmute/);
  await shoot(op1!, 'muted');
  await op1!.getByTestId('call-mute').click();
  await expect(op1!.getByTestId('call-muted')).toBeHidden();

  await op1!.getByTestId('call-keypad').click();
  await op1!.getByTestId('keypad-1').click();
  await op1!.locator('body').press('#');
  await expect(op1!.getByTestId('keypad-sent')).toHaveText('1#');
  await expect(op1!.getByTestId('call-control-error')).toBeHidden();
  await shoot(op1!, 'keypad');

  // nobody else is Ready yet: the picker says what to do
  await op1!.getByTestId('call-transfer').click();
  await expect(op1!.getByTestId('transfer-no-operators')).toBeVisible();
  await signInPage(op2!, 'oscar@patchbay.local');
  await operatorReady(op2!);
  await op1!.getByRole('button', { name: 'Refresh' }).click();
  await expect(op1!.getByTestId('transfer-operator')).toHaveText('Oscar Operator');
  await shoot(op1!, 'transfer-picker');
  await op1!.getByTestId('transfer-operator').click();

  // the first operator is released into wrap-up; the second one rings and answers
  await expect(op1!.getByTestId('agent-state')).toHaveAttribute('data-state', /wrap_up|ready/);
  await expect(op1!.getByTestId('call-ended')).toHaveText('Transferred to Oscar Operator');
  await expect(op2!.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
  await expect(op2!.getByTestId('call-caller')).toContainText('Carla Caller');
  await op2!.getByTestId('call-answer').click();
  await expect(op2!.getByTestId('agent-state')).toHaveAttribute('data-state', 'talking');
  await expect(op2!.getByTestId('call-phase')).toHaveAttribute('data-phase', 'talking');
  await expect(caller!.getByTestId('call-status')).toHaveAttribute('data-state', 'connected');
  await expectAudioFlowing(op2!, 'second operator hears the caller');
  await expectAudioFlowing(caller!, 'caller hears the second operator');
  await expect(op2!.getByTestId('call-hold')).toBeEnabled();
  await shoot(op1!, 'transferred');

  await caller!.getByTestId('call-hangup').click();
  await expect(op2!.getByTestId('call-ended')).toBeVisible();
  await notReady(op1!);
  await notReady(op2!);
  for (const c of contexts) await c.close();
});

test('consult first: the caller waits on hold while the operators talk, then Complete hands the caller over', async ({ browser }) => {
  test.setTimeout(120_000);
  const contexts = await Promise.all([browser.newContext(), browser.newContext(), browser.newContext()]);
  const [op1, op2, caller] = await Promise.all(contexts.map((c) => c.newPage()));
  await signInPage(op1!, 'olivia@patchbay.local');
  await operatorReady(op1!);
  await callerDials(caller!, 'Connie Consult');
  await expect(op1!.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
  await op1!.getByTestId('call-answer').click();
  await expect(op1!.getByTestId('call-hold')).toBeEnabled();
  await signInPage(op2!, 'oscar@patchbay.local');
  await operatorReady(op2!);

  await op1!.locator('body').press('t');
  await op1!.getByTestId('consult-operator').click();
  await expect(op1!.getByTestId('consult-state')).toContainText('Ringing Oscar Operator');
  await expect(op1!.getByTestId('consult-complete')).toBeDisabled();
  await expect(op2!.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
  // the second operator's console: a consultation from Olivia about her caller, not a caller of theirs
  await expect(op2!.getByTestId('call-phase')).toHaveText('Incoming consultation');
  await expect(op2!.getByTestId('call-consult-from')).toContainText('Olivia Operator wants to talk to you about a call');
  await expect(op2!.getByTestId('call-consult-from')).toContainText('The call is from Connie Consult');
  await shoot(op2!, 'consulted-ringing');
  await op2!.getByTestId('call-answer').click();
  await expect(op1!.getByTestId('consult-panel')).toHaveAttribute('data-state', 'consulting');
  await expect(op2!.getByTestId('call-consult-from')).toContainText('the caller waits on hold while you two talk');
  await expect(op1!.getByTestId('call-hold')).toBeDisabled();
  await expectAudioFlowing(op2!, 'the second operator hears the first');
  await shoot(op1!, 'consulting');
  await op1!.getByTestId('consult-swap').click();
  await expect(op1!.getByTestId('consult-panel')).toHaveAttribute('data-state', 'swapped');
  await op1!.getByTestId('consult-swap').click();
  await expect(op1!.getByTestId('consult-panel')).toHaveAttribute('data-state', 'consulting');
  await op1!.getByTestId('consult-complete').click();
  await expect(op1!.getByTestId('call-ended')).toHaveText('Transferred to Oscar Operator');
  await expect(op1!.getByTestId('agent-state')).toHaveAttribute('data-state', /wrap_up|ready/);
  await expect(op2!.getByTestId('agent-state')).toHaveAttribute('data-state', 'talking');
  await expect(op2!.getByTestId('call-hold')).toBeEnabled();
  await expect(op2!.getByTestId('call-consult-from')).toContainText('Olivia Operator transferred the call to you');
  await shoot(op2!, 'consulted-transferred');
  await expectAudioFlowing(caller!, 'the caller hears the second operator');
  await caller!.getByTestId('call-hangup').click();
  await expect(op2!.getByTestId('call-ended')).toBeVisible();
  await notReady(op1!);
  await notReady(op2!);
  for (const c of contexts) await c.close();
});
