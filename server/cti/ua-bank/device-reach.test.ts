import { describe, expect, it } from 'vitest';
import { formatReachNotice, parseReachNotice, REACH_CONTENT_TYPE, type ReachNotice } from '../../shared/sip-reach';
import { DeviceReach } from './device-reach';

const A = 'dev-0123456789abcdef-1900000000';
const B = 'dev-fedcba9876543210-1900000000';
const n = (version: number, state: ReachNotice['state'], devices: Array<[string, 'active' | 'terminated']>, epoch = 'epoch-1'): ReachNotice => ({
  epoch,
  version,
  state,
  devices: devices.map(([aor, s]) => ({ aor, state: s })),
});

describe('DeviceReach', () => {
  it('follows partial notices per node, and a device on two nodes is reached from both', () => {
    const r = new DeviceReach();
    expect(r.reaches('x', A)).toBe(false);
    expect(r.apply('x', n(1, 'partial', [[A, 'active']]))).toBe(true);
    expect(r.apply('y', n(1, 'partial', [[A, 'active']], 'other'))).toBe(true);
    expect(r.nodesOf(A)).toEqual(['x', 'y']);
    expect(r.apply('x', n(2, 'partial', [[A, 'active']]))).toBe(false);
    expect(r.apply('x', n(3, 'partial', [[A, 'terminated']]))).toBe(true);
    expect(r.reaches('x', A)).toBe(false);
    expect(r.reaches('y', A)).toBe(true);
  });

  it('an older notice arriving late (another bank UA’s connection) does not undo a newer one', () => {
    const r = new DeviceReach();
    r.apply('x', n(5, 'partial', [[A, 'terminated']]));
    expect(r.apply('x', n(4, 'partial', [[A, 'active']]))).toBe(false);
    expect(r.reaches('x', A)).toBe(false);
    // a full state older than a partial keeps the partial's word for that AOR only
    r.apply('x', n(7, 'partial', [[B, 'active']]));
    expect(r.apply('x', n(4, 'full', [[A, 'active']]))).toBe(false);
    expect(r.reaches('x', A)).toBe(false);
    expect(r.reaches('x', B)).toBe(true);
  });

  it('a full state replaces what it does not list; a new epoch (the node restarted) replaces everything', () => {
    const r = new DeviceReach();
    r.apply('x', n(1, 'partial', [[A, 'active']]));
    r.apply('x', n(2, 'partial', [[B, 'active']]));
    expect(r.apply('x', n(3, 'full', [[B, 'active']]))).toBe(true);
    expect(r.nodesOf(A)).toEqual([]);
    expect(r.reaches('x', B)).toBe(true);
    // restarted: versions start again at 1, and nothing of the old registrar survives
    expect(r.apply('x', n(1, 'full', [], 'epoch-2'))).toBe(true);
    expect(r.reaches('x', B)).toBe(false);
    expect(r.apply('x', n(2, 'partial', [[A, 'active']], 'epoch-2'))).toBe(true);
    expect(r.reaches('x', A)).toBe(true);
  });

  it('forgets a node given up', () => {
    const r = new DeviceReach();
    r.apply('x', n(1, 'partial', [[A, 'active']]));
    expect(r.forget('x')).toBe(true);
    expect(r.reaches('x', A)).toBe(false);
    expect(r.forget('x')).toBe(false);
  });
});

describe('the reach notice body (sip-reach.ts)', () => {
  it('round-trips, and refuses what the schema does not allow with words, never a throw', () => {
    const ok = n(3, 'partial', [[A, 'active']]);
    expect(parseReachNotice(REACH_CONTENT_TYPE, formatReachNotice(ok))).toEqual({ ok: true, value: ok });
    expect(parseReachNotice(`${REACH_CONTENT_TYPE}; charset=utf-8`, formatReachNotice(ok)).ok).toBe(true);
    expect(parseReachNotice('application/json', formatReachNotice(ok))).toMatchObject({ ok: false, message: expect.stringContaining('Content-Type') });
    expect(parseReachNotice(REACH_CONTENT_TYPE, '{')).toEqual({ ok: false, message: 'body is not JSON' });
    const bad = (body: unknown) => parseReachNotice(REACH_CONTENT_TYPE, JSON.stringify(body));
    expect(bad({ ...ok, devices: [{ aor: 'alice', state: 'active' }] })).toMatchObject({ ok: false, message: expect.stringContaining('devices.0.aor') });
    expect(bad({ ...ok, devices: [{ aor: 'route', state: 'active' }] }).ok).toBe(false);
    expect(bad({ ...ok, devices: [{ aor: A, state: 'gone' }] }).ok).toBe(false);
    expect(bad({ ...ok, version: -1 }).ok).toBe(false);
    expect(bad({ ...ok, extra: 1 }).ok).toBe(false);
    expect(bad(null).ok).toBe(false);
    expect(() => formatReachNotice({ ...ok, version: 1.5 })).toThrow();
  });
});
