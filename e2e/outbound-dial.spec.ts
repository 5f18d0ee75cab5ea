import { expect, test } from '@playwright/test';
import { NEW_TRUNK } from '../server/contracts/admin/trunks';
import { freePort, listening, SCENARIOS, sipp } from '../test/trunks/sipp';
import { operatorReady, screenshots, signInPage } from './support';

// The admin's list of numbers operators may call, on the Trunks page, and the console's
// click-to-dial refusing what the list does not allow (nothing is dialled). The call through a
// carrier itself is proved with SIPp in test/trunks/cti-outbound.integration.test.ts.
test('an admin allows a prefix on the Trunks page; the console refuses a number outside it, in words', async ({ browser }) => {
  const adminCtx = await browser.newContext();
  const opCtx = await browser.newContext();
  const admin = await adminCtx.newPage();
  const op = await opCtx.newPage();
  await signInPage(admin, 'admin@patchbay.local');
  await signInPage(op, 'oscar@patchbay.local');

  await operatorReady(op);
  await op.getByTestId('dial-number').fill('+49 30 1234567');
  await op.getByTestId('dial-call').click();
  await expect(op.getByTestId('dial-error')).toHaveText('Outbound calls are not set up; ask an administrator.');

  await admin.goto('/admin/trunks');
  await expect(admin.getByTestId('dial-prefixes-empty')).toBeVisible();
  await admin.getByTestId('dial-prefix-prefix').fill('0044');
  await admin.getByTestId('dial-prefix-label').fill('UK');
  await admin.getByTestId('dial-prefix-add').click();
  await expect(admin.getByTestId('dial-prefixes')).toContainText('international form');
  await admin.getByTestId('dial-prefix-prefix').fill('+44');
  await admin.getByTestId('dial-prefix-add').click();
  await expect(admin.getByTestId('dial-prefix-+44')).toContainText('UK');
  await screenshots(admin, 'trunks-dial-prefixes');

  // the CTI follows the change: a German number is still refused, with the list's reason
  await expect
    .poll(async () => {
      await op.getByTestId('dial-call').click();
      return op.getByTestId('dial-error').textContent();
    })
    .toBe('Calls to this number are not allowed here.');
  await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'ready');
  await screenshots(op, 'console-dial-pad');

  admin.once('dialog', (d) => void d.accept());
  await admin.getByTestId('dial-prefix-remove-+44').click();
  await expect(admin.getByTestId('dial-prefixes-empty')).toBeVisible();
  for (const c of [adminCtx, opCtx]) await c.close();
});

// The whole click-to-dial with real parts: a trunk saved through the API to a SIPp carrier over
// UDP (carrier-uas-407.xml checks the digest, the Request-URI and the center's caller-ID in From
// and P-Asserted-Identity), the operator's browser console dialling, its phone ringing once the
// number answers and answering by itself, and the operator's hang-up reaching SIPp as a BYE.
test('an operator calls an allowed number from the console: the carrier sees the center’s caller ID, the browser answers its own ring, the hang-up reaches the carrier', async ({ browser }) => {
  const port = await freePort();
  const carrier = sipp(['-sf', `${SCENARIOS}/carrier-uas-407.xml`, '-t', 'u1', '-i', '127.0.0.1', '-p', String(port)], 60);
  const adminCtx = await browser.newContext();
  const opCtx = await browser.newContext();
  const admin = await adminCtx.newPage();
  const op = await opCtx.newPage();
  await signInPage(admin, 'admin@patchbay.local');
  await signInPage(op, 'olivia@patchbay.local');
  let trunkId: string | null = null;
  let prefixId: string | null = null;
  try {
    await listening(port, 'udp');
    const trunk = await admin.request.post('/api/admin/trunks', {
      data: { ...NEW_TRUNK, name: 'e2e-outbound', host: '127.0.0.1', port, transport: 'udp', username: 'pb-acct', realm: 'carrier.test', callerIdE164: '+15550199', password: 'carrier-password-1' },
    });
    expect(trunk.status(), await trunk.text()).toBe(201);
    trunkId = (await trunk.json()).data.id as string;
    const prefix = await admin.request.post('/api/admin/dial-prefixes', { data: { prefix: '+447', label: 'UK mobiles' } });
    expect(prefix.status()).toBe(201);
    prefixId = ((await prefix.json()).data as Array<{ id: string; prefix: string }>).find((p) => p.prefix === '+447')!.id;
    // the ACD loads the trunk from the change notification
    await expect.poll(async () => (await (await admin.request.get('/api/admin/trunk-status')).text()).includes(trunkId!), { timeout: 10_000 }).toBe(true);

    await operatorReady(op);
    await op.getByTestId('dial-number').fill('+44 7700 900123');
    await op.getByTestId('dial-call').click();
    await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', /reserved|talking/);
    // the number answered, then this browser rang and answered by itself
    await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', 'talking', { timeout: 20_000 });
    await expect(op.getByTestId('dial-status')).toHaveText('On the call to +44 7700 900123.');
    await expect(op.getByTestId('call-caller')).toContainText('Outbound call');
    await expect(op.getByTestId('dial-call')).toBeDisabled();
    await expect(op.getByTestId('dial-call')).toHaveAttribute('title', 'Finish the call you are on first');
    await screenshots(op, 'console-outbound-talking');
    await op.getByTestId('call-hangup').click();
    const r = await carrier.done;
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
    await expect(op.getByTestId('agent-state')).toHaveAttribute('data-state', /wrap_up|ready/);
  } finally {
    carrier.kill();
    if (prefixId) await admin.request.delete(`/api/admin/dial-prefixes/${prefixId}`);
    if (trunkId) await admin.request.delete(`/api/admin/trunks/${trunkId}?version=1`);
    for (const c of [adminCtx, opCtx]) await c.close();
  }
});
