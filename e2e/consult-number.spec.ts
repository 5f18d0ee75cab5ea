import { expect, test } from '@playwright/test';
import { NEW_TRUNK } from '../server/contracts/admin/trunks';
import { freePort, listening, SCENARIOS, sipp } from '../test/trunks/sipp';
import { callerDials, operatorReady, screenshots, signInPage } from './support';

// "Talk first" to an outside number from the console's transfer picker: a trunk saved through the
// API to a SIPp carrier over UDP (carrier-uas-407.xml checks the digest, the number and the
// center's caller-ID, answers, takes the BYE) and the admin's allowed prefix. A number outside
// the prefixes is refused in words and the caller stays with the operator; an allowed one rings
// while the caller waits on hold, then Complete hands the caller to it and the operator wraps up.
test('an operator talks to an outside number first, then completes the transfer; a number outside the allowed prefixes is refused in words', async ({ browser }) => {
  test.setTimeout(120_000);
  const port = await freePort();
  const carrier = sipp(['-sf', `${SCENARIOS}/carrier-uas-407.xml`, '-t', 'u1', '-i', '127.0.0.1', '-p', String(port)], 90);
  const contexts = await Promise.all([browser.newContext(), browser.newContext(), browser.newContext()]);
  const [admin, op, caller] = await Promise.all(contexts.map((c) => c.newPage()));
  await signInPage(admin!, 'admin@patchbay.local');
  await signInPage(op!, 'olivia@patchbay.local');
  let trunkId: string | null = null;
  let prefixId: string | null = null;
  try {
    await listening(port, 'udp');
    const trunk = await admin!.request.post('/api/admin/trunks', {
      data: { ...NEW_TRUNK, name: 'e2e-consult', host: '127.0.0.1', port, transport: 'udp', username: 'pb-acct', realm: 'carrier.test', callerIdE164: '+15550199', password: 'carrier-password-1' },
    });
    expect(trunk.status(), await trunk.text()).toBe(201);
    trunkId = (await trunk.json()).data.id as string;
    const prefix = await admin!.request.post('/api/admin/dial-prefixes', { data: { prefix: '+447', label: 'UK mobiles' } });
    expect(prefix.status()).toBe(201);
    prefixId = ((await prefix.json()).data as Array<{ id: string; prefix: string }>).find((p) => p.prefix === '+447')!.id;
    await expect.poll(async () => (await (await admin!.request.get('/api/admin/trunk-status')).text()).includes(trunkId!), { timeout: 10_000 }).toBe(true);

    await operatorReady(op!);
    await callerDials(caller!, 'Nadia Number');
    await expect(op!.getByTestId('call-phase')).toHaveAttribute('data-phase', 'ringing');
    await op!.getByTestId('call-answer').click();
    await expect(op!.getByTestId('call-hold')).toBeEnabled();

    await op!.locator('body').press('t');
    await expect(op!.getByTestId('transfer-number-consult')).toBeDisabled();
    await expect(op!.getByTestId('transfer-number-consult')).toHaveAttribute('title', 'Enter the number in international form, e.g. +447700900123');
    // a number outside the allowed prefixes: refused in words, the caller is not put on hold
    await op!.getByTestId('transfer-number').fill('+49 30 1234567');
    await op!.getByTestId('transfer-number-consult').click();
    await expect(op!.getByTestId('call-control-error')).toHaveText('Calls to this number are not allowed here.');
    await expect(op!.getByTestId('call-hold')).toHaveAttribute('aria-pressed', 'false');
    await screenshots(op!, 'consult-number-refused');

    await op!.getByTestId('transfer-number').fill('+44 7700 900123');
    await op!.getByTestId('transfer-number-consult').click();
    await expect(op!.getByTestId('consult-state')).toContainText('+447700900123');
    // SIPp answers after its challenge: the operator talks to the number, the caller waits on hold
    await expect(op!.getByTestId('consult-panel')).toHaveAttribute('data-state', 'consulting', { timeout: 20_000 });
    await expect(op!.getByTestId('consult-state')).toHaveText('You are talking to +447700900123. The caller is on hold.');
    await screenshots(op!, 'consult-number-talking');
    await op!.getByTestId('consult-complete').click();
    await expect(op!.getByTestId('call-ended')).toHaveText('Transferred to +447700900123');
    await expect(op!.getByTestId('agent-state')).toHaveAttribute('data-state', /wrap_up|ready/);

    // the caller, now with the number, hangs up: the carrier gets the BYE and its scenario passes
    await caller!.getByTestId('call-hangup').click();
    const r = await carrier.done;
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
  } finally {
    carrier.kill();
    if (prefixId) await admin!.request.delete(`/api/admin/dial-prefixes/${prefixId}`);
    if (trunkId) await admin!.request.delete(`/api/admin/trunks/${trunkId}?version=1`);
    for (const c of contexts) await c.close();
  }
});
