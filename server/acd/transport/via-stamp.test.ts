import { describe, expect, it } from 'vitest';
import { makeResponse } from '../sip/builders';
import { SipHeaders, type SipRequest } from '../sip/message';
import { responseTarget, stampVia } from './via-stamp';

const req = (via: string): SipRequest => ({
  kind: 'request',
  method: 'OPTIONS',
  uri: 'sip:x@y',
  headers: SipHeaders.from([['Via', via], ['From', '<sip:a@x>;tag=1'], ['To', '<sip:b@y>'], ['Call-ID', 'c'], ['CSeq', '1 OPTIONS']]),
  body: '',
});

describe('Via stamping and UDP response routing (RFC 3261 §18.2, RFC 3581)', () => {
  it('behind NAT with rport: received and rport stamped, the response goes to the source', () => {
    const r = req('SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bK1;rport');
    stampVia(r.headers, '203.0.113.7', 40123);
    expect(r.headers.get('Via')).toBe('SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bK1;rport=40123;received=203.0.113.7');
    expect(responseTarget(makeResponse(r, 200))).toEqual({ host: '203.0.113.7', port: 40123 });
  });

  it('without rport: received stamped, the response goes to the sent-by port (5060 when absent)', () => {
    const r = req('SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bK1');
    stampVia(r.headers, '203.0.113.7', 40123);
    expect(responseTarget(makeResponse(r, 200))).toEqual({ host: '203.0.113.7', port: 5070 });
    const plain = req('SIP/2.0/UDP 198.51.100.2;branch=z9hG4bK2');
    stampVia(plain.headers, '198.51.100.2', 5999);
    expect(plain.headers.get('Via')).not.toContain('received');
    expect(responseTarget(makeResponse(plain, 200))).toEqual({ host: '198.51.100.2', port: 5060 });
  });
});
