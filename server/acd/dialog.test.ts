import { describe, expect, it } from 'vitest';
import { Dialog } from './dialog';
import { LocalAddress } from './local-address';
import type { Flow } from './transport/flow';

const flow: Flow = { id: 'f', transport: 'UDP', reliable: false, remoteAddress: '192.0.2.1', remotePort: 5060, localPort: 5070, closed: false, send: () => true, close: () => {} };
const local = new LocalAddress(() => '192.0.2.100');
const base = { callId: 'c', localTag: 'l', remoteTag: 'r', localAddr: '<sip:acd@x>', remoteAddr: '<sip:p@y>', remoteTarget: 'sip:p@192.0.2.1:5062', flow, localSeq: 5 };

describe('Dialog requests (RFC 3261 §12.2.1.1)', () => {
  it('loose routing: Route set in order, Request-URI is the remote target; Via and Contact name the flow', () => {
    const d = new Dialog({ ...base, routeSet: ['<sip:p1.example;lr>', '<sip:p2.example;lr>'] }, local);
    const bye = d.request('BYE');
    expect(bye.uri).toBe('sip:p@192.0.2.1:5062');
    expect(bye.headers.getAll('Route')).toEqual(['<sip:p1.example;lr>', '<sip:p2.example;lr>']);
    expect(bye.headers.get('Via')).toMatch(/^SIP\/2\.0\/UDP 192\.0\.2\.100:5070;branch=z9hG4bK/);
    expect(bye.headers.get('CSeq')).toBe('6 BYE');
    expect(d.request('INFO').headers.get('Contact')).toBe('<sip:acd@192.0.2.100:5070;transport=udp>');
  });

  it('strict routing: the first route becomes the Request-URI and the target the last Route', () => {
    const d = new Dialog({ ...base, routeSet: ['<sip:strict.example>', '<sip:p2.example;lr>'] }, local);
    const bye = d.request('BYE');
    expect(bye.uri).toBe('sip:strict.example');
    expect(bye.headers.getAll('Route')).toEqual(['<sip:p2.example;lr>', '<sip:p@192.0.2.1:5062>']);
  });

  it('no route set: no Route header', () => {
    expect(new Dialog(base, local).request('BYE').headers.getAll('Route')).toEqual([]);
  });
});
