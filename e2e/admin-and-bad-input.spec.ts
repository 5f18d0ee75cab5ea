import { expect, test } from '@playwright/test';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { E2E } from '../playwright.config';
import { apiAs, callerDials, operatorReady, signInPage } from './support';

const SIP_WS = E2E.sipWsUrl;

test('an admin sees operators and calls live; an operator cannot reach /admin or its events', async ({ browser }) => {
  const adminCtx = await browser.newContext();
  const opCtx = await browser.newContext();
  const callerCtx = await browser.newContext();
  const adminPage = await adminCtx.newPage();
  const op = await opCtx.newPage();
  await signInPage(adminPage, 'admin@patchbay.local');
  await adminPage.goto('/admin');
  await expect(adminPage.getByTestId('agents-table')).toBeVisible();

  await signInPage(op, 'olivia@patchbay.local');
  await operatorReady(op);
  await expect(adminPage.getByTestId('agents-table')).toContainText('Olivia Operator');
  await expect(adminPage.getByTestId('agents-table')).toContainText(/ready/i);

  // A call appears in the live list while it waits / rings.
  const caller = await callerCtx.newPage();
  await callerDials(caller, 'Live Listed');
  await expect(adminPage.getByTestId('calls-table')).toContainText('Live Listed');
  await caller.getByTestId('call-hangup').click();
  await expect(adminPage.getByTestId('calls-table')).toContainText(/ended|abandoned/i);

  // The operator is kept out of the admin page and the admin API: the page gate answers /admin
  // itself with 403 and a small page pointing to the operator's own page (no redirect, no board).
  const resp = await op.goto('/admin');
  expect(resp?.status()).toBe(403);
  expect(new URL(op.url()).pathname).toBe('/admin');
  await expect(op.getByRole('heading', { name: 'This page is not for your role' })).toBeVisible();
  await expect(op.getByTestId('forbidden-home')).toHaveAttribute('href', '/console');
  await expect(op.getByTestId('agents-table')).toHaveCount(0);
  const api = await op.request.get('/api/admin/calls');
  expect(api.status()).toBe(403);

  // ...and out of the admin socket events.
  const cookies = await opCtx.cookies();
  const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const sock = io(E2E.baseURL, { extraHeaders: { cookie }, transports: ['websocket'] });
  const ack = await sock.timeout(5000).emitWithAck('admin:subscribe', {});
  expect(ack).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  sock.close();

  await adminCtx.close();
  await opCtx.close();
  await callerCtx.close();
});

test('bad input gets a clear error and the servers keep running', async ({ page }) => {
  // A malformed sign-in: field messages in the form, 400 with fields from the API.
  await page.goto('/login');
  await page.getByTestId('login-email').fill('not-an-email');
  await page.getByTestId('login-password').fill('');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-email-error')).toBeVisible();
  const bad = await page.request.post('/api/auth/login', { data: { email: 42 } });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.fields).toHaveProperty('email');

  // A malformed socket payload: an error ack, the connection stays usable.
  const admin = await apiAs('olivia@patchbay.local');
  const state = await admin.storageState();
  const cookie = state.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const sock = io(E2E.baseURL, { extraHeaders: { cookie }, transports: ['websocket'] });
  const ack = await sock.timeout(5000).emitWithAck('agent:not-ready', { reason: 12, extra: true });
  expect(ack).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  const ack2 = await sock.timeout(5000).emitWithAck('agent:device', 'garbage');
  expect(ack2).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  sock.close();
  await admin.dispose();

  // A malformed SIP message: the ACD answers 400 and keeps serving.
  const reply = await sipOverWs(
    'INVITE sip:+15550100@patchbay.local SIP/2.0\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bK-e2e\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:+15550100@patchbay.local>\r\nCall-ID: e2e-bad-1\r\nCSeq: notanumber INVITE\r\nContent-Length: 0\r\n\r\n',
  );
  expect(reply).toMatch(/^SIP\/2\.0 400 /);
  const options = await sipOverWs(
    'OPTIONS sip:patchbay.local SIP/2.0\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bK-e2e2\r\nMax-Forwards: 70\r\nFrom: <sip:a@b>;tag=2\r\nTo: <sip:patchbay.local>\r\nCall-ID: e2e-opt-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
  );
  expect(options).toMatch(/^SIP\/2\.0 200 /);
  expect((await page.request.get('/api/health')).status()).toBe(200);
});

function sipOverWs(message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(SIP_WS, 'sip');
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error('no SIP answer in 5 s'));
    }, 5000);
    ws.on('open', () => ws.send(message));
    ws.on('message', (data) => {
      clearTimeout(timer);
      ws.close();
      resolve(data.toString());
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
