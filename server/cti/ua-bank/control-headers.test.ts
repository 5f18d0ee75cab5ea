import { describe, expect, it } from 'vitest';
import { dialHeaders, parseCause, parseLegHeader, parseRoutePointInvite } from './control-headers';

const headers = (h: Record<string, string>) => (n: string) => h[n];
const LEG = 'leg-0123456789abcdef';

describe('control headers', () => {
  it('parses a good route point INVITE', () => {
    expect(parseRoutePointInvite(headers({ 'X-PB-Leg': LEG, 'X-PB-Dialed': '+15550100', 'X-PB-Audio': 'default' }))).toEqual({
      ok: true,
      value: { legId: LEG, dialed: '+15550100', audio: 'default' },
    });
    expect(parseRoutePointInvite(headers({ 'X-PB-Leg': LEG, 'X-PB-Dialed': '+15550100' }))).toMatchObject({ ok: true, value: { audio: null } });
  });

  it.each([
    [{ 'X-PB-Dialed': '+15550100' }, 'X-PB-Leg'],
    [{ 'X-PB-Leg': 'L1', 'X-PB-Dialed': '+15550100' }, 'X-PB-Leg'],
    [{ 'X-PB-Leg': LEG, 'X-PB-Dialed': '5550100' }, 'X-PB-Dialed'],
    [{ 'X-PB-Leg': LEG }, 'X-PB-Dialed'],
    [{ 'X-PB-Leg': LEG, 'X-PB-Dialed': '+15550100', 'X-PB-Audio': '../etc/passwd' }, 'X-PB-Audio'],
  ])('refuses %o naming %s', (h, field) => {
    const r = parseRoutePointInvite(headers(h));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.fields)).toContain(field);
  });

  it('reads X-PB-Leg and X-PB-Cause', () => {
    expect(parseLegHeader(headers({ 'X-PB-Leg': ` ${LEG}` }))).toBe(LEG);
    expect(parseLegHeader(headers({}))).toBeNull();
    expect(parseCause(headers({ 'X-PB-Cause': 'remote-bye' }))).toBe('remote-bye');
    expect(parseCause(headers({ 'X-PB-Cause': 'whatever' }))).toBe('error');
    expect(parseCause(null)).toBe('error');
  });

  it('builds dial headers and refuses a bad bridge leg', () => {
    expect(dialHeaders(LEG, 20)).toEqual([`X-PB-Bridge: ${LEG}`, 'X-PB-Ring-Timeout: 20']);
    expect(() => dialHeaders('leg-x\r\nEvil: 1', 20)).toThrow();
  });
});

describe('parseDtmfRelay', () => {
  it('reads the digit of an application/dtmf-relay body and nothing else', async () => {
    const { parseDtmfRelay } = await import('./control-headers');
    expect(parseDtmfRelay('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n')).toBe('5');
    expect(parseDtmfRelay('Application/DTMF-Relay', 'Duration=160\r\nSignal=#\r\n')).toBe('#');
    expect(parseDtmfRelay('application/dtmf-relay', 'Signal=d\r\n')).toBe('D');
    expect(parseDtmfRelay('application/dtmf-relay', 'Signal=55\r\n')).toBeNull();
    expect(parseDtmfRelay('text/plain', 'Signal=5')).toBeNull();
    expect(parseDtmfRelay(undefined, 'Signal=5')).toBeNull();
  });
});
