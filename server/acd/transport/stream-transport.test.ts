import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCert } from '../test-support/tls-cert';
import { makeResponse } from '../sip/builders';
import { SipHeaders, type SipMessage, type SipRequest } from '../sip/message';
import type { ParseResult } from '../sip/parser';
import type { Flow, TransportHandler } from './flow';
import { StreamTransport } from './stream-transport';
import { UdpTransport } from './udp-transport';

/** Two transports talking to each other: outbound connect (what trunks use), reuse, idle close. */
const log = pino({ level: 'silent' });
let material: { cert: string; key: string };
const stops: Array<() => Promise<void>> = [];

beforeAll(() => {
  material = selfSignedCert();
});
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

function recorder() {
  const got: Array<{ msg: SipMessage; flow: Flow }> = [];
  const closed: Flow[] = [];
  const handler: TransportHandler = {
    onMessage: (r: ParseResult, flow) => {
      if (r.ok) got.push({ msg: r.message, flow });
    },
    onFlowClosed: (f) => closed.push(f),
  };
  return { got, closed, handler };
}

const options = (via: string): SipRequest => ({
  kind: 'request',
  method: 'OPTIONS',
  uri: 'sip:peer@127.0.0.1',
  headers: SipHeaders.from([['Via', `${via};branch=z9hG4bKt1;rport`], ['From', '<sip:a@x>;tag=1'], ['To', '<sip:b@y>'], ['Call-ID', 'c1'], ['CSeq', '1 OPTIONS'], ['Max-Forwards', '70']]),
  body: '',
});

const waitFor = async (cond: () => boolean) => {
  for (let i = 0; i < 150 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('StreamTransport and UdpTransport between two instances', () => {
  it('TLS: connects out with certificate verification, reuses the connection, and the answer comes back on it', { timeout: 8000 }, async () => {
    const a = recorder();
    const b = recorder();
    const server = new StreamTransport({ host: '127.0.0.1', port: 0, tls: material }, a.handler, log);
    const client = new StreamTransport({ host: '127.0.0.1', port: 0, tls: material, tlsClient: { ca: material.cert } }, b.handler, log);
    await server.start();
    await client.start();
    stops.push(() => client.stop(), () => server.stop());
    const flow = await client.connect('127.0.0.1', server.port);
    expect(await client.connect('127.0.0.1', server.port)).toBe(flow);
    expect(flow).toMatchObject({ transport: 'TLS', reliable: true, localPort: client.port });
    flow.send(options(`SIP/2.0/TLS 127.0.0.1:${client.port}`));
    await waitFor(() => a.got.length === 1);
    const inbound = a.got[0]!;
    expect(inbound.msg.headers.get('Via')).toContain(`rport=${inbound.flow.remotePort}`);
    inbound.flow.send(makeResponse(inbound.msg as SipRequest, 200));
    await waitFor(() => b.got.length === 1);
    expect(b.got[0]!.flow).toBe(flow);
    flow.close();
    await waitFor(() => a.closed.length === 1 && b.closed.length === 1);
  });

  it('TLS: refuses a peer whose certificate it cannot verify', { timeout: 8000 }, async () => {
    const server = new StreamTransport({ host: '127.0.0.1', port: 0, tls: material }, recorder().handler, log);
    const client = new StreamTransport({ host: '127.0.0.1', port: 0, tls: material }, recorder().handler, log);
    await server.start();
    await client.start();
    stops.push(() => client.stop(), () => server.stop());
    await expect(client.connect('127.0.0.1', server.port)).rejects.toThrow();
  });

  it('TCP: an idle connection is closed and reported once', { timeout: 5000 }, async () => {
    const a = recorder();
    const server = new StreamTransport({ host: '127.0.0.1', port: 0, idleTimeoutMs: 150 }, a.handler, log);
    const client = new StreamTransport({ host: '127.0.0.1', port: 0 }, recorder().handler, log);
    await server.start();
    await client.start();
    stops.push(() => client.stop(), () => server.stop());
    const flow = await client.connect('127.0.0.1', server.port);
    flow.send(options(`SIP/2.0/TCP 127.0.0.1:${client.port}`));
    await waitFor(() => a.got.length === 1);
    await waitFor(() => a.closed.length === 1);
    await waitFor(() => flow.closed);
    expect(flow.send(options('SIP/2.0/TCP x'))).toBe(false);
  });

  it('UDP: a request goes to the flow peer; its answer follows the Via rport back', { timeout: 5000 }, async () => {
    const a = recorder();
    const b = recorder();
    const one = new UdpTransport({ host: '127.0.0.1', port: 0 }, a.handler, log);
    const two = new UdpTransport({ host: '127.0.0.1', port: 0 }, b.handler, log);
    await one.start();
    await two.start();
    stops.push(() => one.stop(), () => two.stop());
    const flow = await two.connect('127.0.0.1', one.port);
    expect(flow).toMatchObject({ transport: 'UDP', reliable: false });
    flow.send(options(`SIP/2.0/UDP 127.0.0.1:9`)); // sent-by port is wrong on purpose: rport wins
    await waitFor(() => a.got.length === 1);
    a.got[0]!.flow.send(makeResponse(a.got[0]!.msg as SipRequest, 200));
    await waitFor(() => b.got.length === 1);
    expect(b.got[0]!.msg).toMatchObject({ kind: 'response', status: 200 });
  });
});
