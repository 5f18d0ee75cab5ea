import { DigestAuthenticator } from '../../acd/sip/digest';
import { describe, expect, it } from 'vitest';
import { dialHeaders, parseCause, parseLegHeader, parseNoticeHeader, parseQualityInfo, parseRecordingHeader, parseRoutePointInvite, recordHeaders } from './control-headers';

const headers = (h: Record<string, string>) => (n: string) => h[n];
const LEG = 'leg-0123456789abcdef';

describe('control headers', () => {
  it('parses a good route point INVITE', () => {
    expect(parseRoutePointInvite(headers({ 'X-PB-Leg': LEG, 'X-PB-Dialed': '+15550100', 'X-PB-Audio': 'default' }))).toEqual({
      ok: true,
      value: { legId: LEG, dialed: '+15550100', audio: 'default', nonce: null },
    });
    expect(parseRoutePointInvite(headers({ 'X-PB-Leg': LEG, 'X-PB-Dialed': '+15550100' }))).toMatchObject({ ok: true, value: { audio: null } });
    // the ACD's nonce for the first dial, as DigestAuthenticator makes them
    const nonce = new DigestAuthenticator('patchbay.local', 60_000).nonce();
    expect(parseRoutePointInvite(headers({ 'X-PB-Leg': LEG, 'X-PB-Dialed': '+15550100', 'X-PB-Nonce': nonce }))).toMatchObject({ ok: true, value: { nonce } });
    expect(parseRoutePointInvite(headers({ 'X-PB-Leg': LEG, 'X-PB-Dialed': '+15550100', 'X-PB-Nonce': 'x"; evil' }))).toEqual({ ok: false, fields: { 'X-PB-Nonce': 'a nonce is <ms>.<salt>.<mac>' } });
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
    expect(dialHeaders({ bridgeTo: LEG, ringTimeoutSec: 20 })).toEqual([`X-PB-Bridge: ${LEG}`, 'X-PB-Ring-Timeout: 20']);
    expect(dialHeaders({ bridgeTo: LEG, ringTimeoutSec: 20, parallel: true })).toEqual([`X-PB-Bridge: ${LEG}`, 'X-PB-Ring-Timeout: 20', 'X-PB-Parallel: on']);
    expect(() => dialHeaders({ bridgeTo: 'leg-x\r\nEvil: 1', ringTimeoutSec: 20 })).toThrow();
  });

  it('names the inbound caller a callback dial is for (a number alone, no bridge)', () => {
    expect(dialHeaders({ bridgeTo: null, ringTimeoutSec: 45, callbackFor: LEG })).toEqual(['X-PB-Ring-Timeout: 45', `X-PB-Callback-For: ${LEG}`]);
    expect(() => dialHeaders({ bridgeTo: null, ringTimeoutSec: 45, callbackFor: 'leg-x\r\nEvil: 1' })).toThrow();
  });

  it('asks for press-1 with a clip name, never with a recording of the dial, and refuses a bad name', () => {
    expect(dialHeaders({ bridgeTo: LEG, ringTimeoutSec: 20, confirm: 'press1-q-1' })).toEqual([`X-PB-Bridge: ${LEG}`, 'X-PB-Ring-Timeout: 20', 'X-PB-Confirm: press1-q-1']);
    expect(dialHeaders({ bridgeTo: LEG, ringTimeoutSec: 20, record: true, notice: 'say-rec-may', confirm: 'say-press1' })).toEqual([`X-PB-Bridge: ${LEG}`, 'X-PB-Ring-Timeout: 20', 'X-PB-Confirm: say-press1']);
    expect(() => dialHeaders({ bridgeTo: LEG, ringTimeoutSec: 20, confirm: 'Bad Clip\r\nEvil: 1' })).toThrow();
    // a supervisor's mobile: asked with no bridge, before it is joined to the call; never on a join
    expect(dialHeaders({ bridgeTo: null, ringTimeoutSec: 30, confirm: 'say-monitor-press1' })).toEqual(['X-PB-Ring-Timeout: 30', 'X-PB-Confirm: say-monitor-press1']);
    expect(dialHeaders({ bridgeTo: null, ringTimeoutSec: 30, join: { legId: LEG, mode: 'listen' }, confirm: 'say-monitor-press1' })).toEqual([`X-PB-Join: ${LEG}`, 'X-PB-Mode: listen', 'X-PB-Ring-Timeout: 30']);
  });

  it('asks for a recording only of a bridge, and reads the file name the ACD answers', () => {
    expect(dialHeaders({ bridgeTo: LEG, ringTimeoutSec: 20, record: true })).toEqual([`X-PB-Bridge: ${LEG}`, 'X-PB-Ring-Timeout: 20', 'X-PB-Record: on']);
    expect(dialHeaders({ bridgeTo: null, ringTimeoutSec: 20, record: true })).toEqual(['X-PB-Ring-Timeout: 20']);
    const name = `${LEG}-leg-0123456789abcdef.wav`;
    expect(parseRecordingHeader(headers({ 'X-PB-Recording': name }))).toBe(name);
    expect(parseRecordingHeader(headers({ 'X-PB-Recording': '../../etc/passwd' }))).toBeNull();
    expect(parseRecordingHeader(headers({}))).toBeNull();
  });

  it('asks for the recording notice only with a recording, and reads the clip the ACD says it played', () => {
    expect(dialHeaders({ bridgeTo: LEG, ringTimeoutSec: 20, record: true, notice: 'say-rec-may' })).toEqual([`X-PB-Bridge: ${LEG}`, 'X-PB-Ring-Timeout: 20', 'X-PB-Record: on', 'X-PB-Notice: say-rec-may']);
    expect(dialHeaders({ bridgeTo: LEG, ringTimeoutSec: 20, notice: 'say-rec-may' })).toEqual([`X-PB-Bridge: ${LEG}`, 'X-PB-Ring-Timeout: 20']);
    expect(() => dialHeaders({ bridgeTo: LEG, ringTimeoutSec: 20, record: true, notice: 'bad\r\nEvil: 1' })).toThrow();
    expect(recordHeaders(true, 'say-rec-now')).toEqual(['X-PB-Record: on', 'X-PB-Notice: say-rec-now']);
    expect(recordHeaders(false, 'say-rec-now')).toEqual(['X-PB-Record: off']);
    expect(parseNoticeHeader(headers({ 'X-PB-Notice': 'say-rec-now' }))).toBe('say-rec-now');
    expect(parseNoticeHeader(headers({ 'X-PB-Notice': '../x' }))).toBeNull();
    expect(parseNoticeHeader(headers({}))).toBeNull();
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

describe('dialHeaders with a join', () => {
  it('writes X-PB-Join and X-PB-Mode (and X-PB-Whisper-To for a whisper) instead of X-PB-Bridge', () => {
    expect(dialHeaders({ bridgeTo: null, ringTimeoutSec: 20, join: { legId: LEG, mode: 'listen' } })).toEqual([`X-PB-Join: ${LEG}`, 'X-PB-Mode: listen', 'X-PB-Ring-Timeout: 20']);
    expect(dialHeaders({ bridgeTo: null, ringTimeoutSec: 20, join: { legId: LEG, mode: 'whisper', whisperTo: LEG } })).toEqual([`X-PB-Join: ${LEG}`, 'X-PB-Mode: whisper', `X-PB-Whisper-To: ${LEG}`, 'X-PB-Ring-Timeout: 20']);
    expect(() => dialHeaders({ bridgeTo: null, ringTimeoutSec: 20, join: { legId: 'L1', mode: 'talk' } })).toThrow();
  });
});

describe('parseQualityInfo', () => {
  it('reads the ACD\'s call-quality INFO and drops anything else, never throwing', () => {
    const ct = 'application/vnd.patchbay.quality+json';
    expect(parseQualityInfo(ct, '{"lossPct":1.5,"jitterMs":3.2,"packets":250}')).toEqual({ lossPct: 1.5, jitterMs: 3.2, packets: 250 });
    expect(parseQualityInfo('application/dtmf-relay', '{"lossPct":1,"jitterMs":1,"packets":1}')).toBeNull();
    expect(parseQualityInfo(ct, 'not json')).toBeNull();
    expect(parseQualityInfo(ct, '{"lossPct":-1,"jitterMs":1,"packets":1}')).toBeNull();
    expect(parseQualityInfo(undefined, '')).toBeNull();
  });
});
