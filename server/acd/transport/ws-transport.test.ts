import pino from 'pino';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { SipRequest } from '../sip/message';
import type { ParseResult } from '../sip/parser';
import type { Flow } from './flow';
import { WsTransport } from './ws-transport';

/** The transport alone: subprotocol, keep-alive, Via stamping, close reports. */
describe('WsTransport', () => {
  let transport: WsTransport | null = null;
  afterEach(async () => {
    await transport?.stop();
    await transport?.stop(); // safe twice
  });

  async function start() {
    const seen: Array<{ result: ParseResult; flow: Flow }> = [];
    const closed: Flow[] = [];
    transport = new WsTransport({ host: '127.0.0.1', port: 0 }, { onMessage: (result, flow) => seen.push({ result, flow }), onFlowClosed: (f) => closed.push(f) }, pino({ level: 'silent' }));
    await transport.start();
    return { seen, closed, url: `ws://127.0.0.1:${transport.port}` };
  }

  const open = (url: string, protocol?: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = protocol ? new WebSocket(url, protocol) : new WebSocket(url);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });

  const waitFor = async (cond: () => boolean) => {
    for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(cond()).toBe(true);
  };

  it('closes connections without the sip subprotocol', { timeout: 5000 }, async () => {
    const { url } = await start();
    const ws = await open(url);
    const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    expect(code).toBe(1002);
  });

  it('answers CRLF keep-alives, stamps received/rport on Via, and reports the close', { timeout: 5000 }, async () => {
    const { url, seen, closed } = await start();
    const ws = await open(url, 'sip');
    const pong = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
    ws.send('\r\n\r\n');
    expect(await pong).toBe('\r\n');
    ws.send('OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/WS abc.invalid;branch=z9hG4bKx;rport\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: t1\r\nCSeq: 1 OPTIONS\r\n\r\n');
    await waitFor(() => seen.length === 1);
    const { result, flow } = seen[0]!;
    expect(result.ok).toBe(true);
    const via = (result as { ok: true; message: SipRequest }).message.headers.get('Via')!;
    expect(via).toMatch(/;received=127\.0\.0\.1/);
    expect(via).toMatch(new RegExp(`;rport=${flow.remotePort}`));
    ws.close();
    await waitFor(() => closed.length === 1);
    expect(closed[0]).toBe(flow);
    expect(flow.closed).toBe(true);
    expect(flow.send({ kind: 'response', status: 200, reason: 'OK', headers: (result as { ok: true; message: SipRequest }).message.headers, body: '' })).toBe(false);
  });
});
