import { describe, expect, it } from 'vitest';
import { canonicalName, formatNameAddr, parseCSeq, parseNameAddr, parseUri, parseVia, tagOf, userOf } from './headers';
import { SipHeaders, splitCommas } from './message';

describe('header helpers', () => {
  it('expands compact names and canonicalises case', () => {
    expect(['v', 'f', 't', 'i', 'm', 'l', 'c', 'k'].map(canonicalName)).toEqual(['Via', 'From', 'To', 'Call-ID', 'Contact', 'Content-Length', 'Content-Type', 'Supported']);
    expect(canonicalName('call-id')).toBe('Call-ID');
    expect(canonicalName('www-authenticate')).toBe('WWW-Authenticate');
    expect(canonicalName('X-PB-Leg')).toBe('X-PB-Leg');
    expect(canonicalName('content-TYPE')).toBe('Content-Type');
  });

  it('parses name-addr forms with params and tags', () => {
    const a = parseNameAddr('"Bob \\"B\\"" <sip:bob@biloxi.com;transport=ws>;tag=a6c85cf;x');
    expect(a).toEqual({ display: 'Bob "B"', uri: 'sip:bob@biloxi.com;transport=ws', params: new Map([['tag', 'a6c85cf'], ['x', null]]) });
    const b = parseNameAddr('Anonymous <sip:c8oqz84zk7z@privacy.org>;tag=hyh8');
    expect(b?.display).toBe('Anonymous');
    // addr-spec: parameters belong to the header
    const c = parseNameAddr('sip:+12125551212@server.phone2net.com;tag=887s');
    expect(c?.uri).toBe('sip:+12125551212@server.phone2net.com');
    expect(c?.params.get('tag')).toBe('887s');
    expect(parseNameAddr('<sip:broken')).toBeNull();
    expect(parseNameAddr('Bell, Alexander <sip:a@b>')).toBeNull();
    expect(parseNameAddr('"Watson" < sip:t@b >')).toBeNull();
    expect(parseNameAddr('"unterminated <sip:a@b>')).toBeNull();
    expect(parseNameAddr('sip:a@b?Route=%3Csip:x%3E')).toBeNull();
    expect(parseNameAddr('caller<sip:c@b>;tag=1')?.display).toBe('caller');
    expect(parseNameAddr('sip:a@b;;tag=1')).toBeNull();
    expect(parseNameAddr('<sip:a@b>;;tag=1')).toBeNull();
    expect(parseNameAddr('')).toBeNull();
    expect(formatNameAddr(a!)).toBe('"Bob \\"B\\"" <sip:bob@biloxi.com;transport=ws>;tag=a6c85cf;x');
    expect(tagOf('<sip:a@b>;tag=xyz')).toBe('xyz');
    expect(tagOf('<sip:a@b>')).toBeNull();
    expect(userOf('"A" <sip:dev-1@d>;tag=1')).toBe('dev-1');
  });

  it('parses URIs', () => {
    expect(parseUri('sip:dev-ab@patchbay.local:5062;transport=ws')).toMatchObject({ scheme: 'sip', user: 'dev-ab', host: 'patchbay.local', port: 5062 });
    expect(parseUri('tel:+1-555-0100')).toMatchObject({ scheme: 'tel', user: '+15550100' });
    expect(parseUri('sip:[::1]:5060')?.host).toBe('[::1]');
    expect(parseUri('http://x')).toBeNull();
    expect(parseUri('sip:a@b:99999')).toBeNull();
    expect(parseUri('sip:a@b c')).toBeNull();
    // escapes, user-unreserved characters, and the tolerated unescaped '#'
    expect(parseUri('sip:user;par=u%40example.net@example.com')?.user).toBe('user;par=u@example.net');
    expect(parseUri('sip:*67#123@carrier.example')?.user).toBe('*67#123');
    expect(parseUri('sip:a%4@b')).toBeNull();
    expect(parseUri('sip:a@b?Route=%3Csip:x%3E')?.headers).toBe('Route=%3Csip:x%3E');
    expect(parseUri('sip:a@[2001:db8::1]:5061;transport=tls')).toMatchObject({ host: '[2001:db8::1]', port: 5061 });
    expect(parseUri('sip:a@b;;x')).toBeNull();
  });

  it('parses Via and CSeq', () => {
    const v = parseVia('SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKasudf;rport');
    expect(v).toMatchObject({ transport: 'WSS', host: 'df7jal23ls0d.invalid', port: null });
    expect(v?.params.get('rport')).toBeNull();
    expect(v?.params.get('branch')).toBe('z9hG4bKasudf');
    expect(parseVia('SIP/2.0/UDP 1.2.3.4:5060')?.port).toBe(5060);
    expect(parseVia('garbage')).toBeNull();
    expect(parseVia('SIP  /  2.0 / TCP  host.example ;  branch =  z9hG4bKx')?.params.get('branch')).toBe('z9hG4bKx');
    expect(parseVia('SIP/2.0/UDP 192.0.2.15;;,;,,')).toBeNull();
    expect(parseVia('SIP/7.0/UDP h')).toBeNull();
    expect(parseVia('SIP/2.0/UDP h:0')).toBeNull();
    expect(parseCSeq('42 invite')).toEqual({ seq: 42, method: 'INVITE' });
    expect(parseCSeq('99999999999 INVITE')).toBeNull();
  });

  it('splits multi-valued headers outside quotes and brackets only', () => {
    expect(splitCommas('"a, b" <sip:x@y>, <sip:z@w;p=1,2>')).toEqual(['"a, b" <sip:x@y>', '<sip:z@w;p=1,2>']);
    const h = new SipHeaders().append('Contact', '<sip:a@b>, <sip:c@d>').append('Authorization', 'Digest a="1", b="2"');
    expect(h.getAll('contact')).toEqual(['<sip:a@b>', '<sip:c@d>']);
    expect(h.getAll('Authorization')).toHaveLength(1);
    expect(new SipHeaders().append('Contact', '*').getAll('Contact')).toEqual(['*']);
  });
});
