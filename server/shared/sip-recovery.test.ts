import { describe, expect, it } from 'vitest';
import { formatRecovered, parseRecovered } from './sip-recovery';

const LEG = 'leg-0123456789abcdef';

describe('X-PB-Recovered', () => {
  it('round-trips every state the ACD reports', () => {
    for (const r of [
      { state: 'parked', kind: 'caller', since: 1764629000123, peer: null },
      { state: 'bridged', kind: 'caller', since: 1, peer: LEG },
      { state: 'bridged', kind: 'device', since: 0, peer: LEG },
      { state: 'held', kind: 'device', since: 5, peer: LEG },
      { state: 'held', kind: 'caller', since: 5, peer: null },
      { state: 'waiting', kind: 'device', since: 5, peer: null },
      { state: 'mixed', kind: 'caller', since: 5, peer: null },
    ] as const) {
      expect(parseRecovered(formatRecovered(r))).toEqual({ ok: true, value: r });
    }
    expect(formatRecovered({ state: 'bridged', kind: 'caller', since: 7, peer: LEG })).toBe(`bridged;kind=caller;since=7;peer=${LEG}`);
    expect(parseRecovered(` parked ; KIND=caller ; since=12 `)).toEqual({ ok: true, value: { state: 'parked', kind: 'caller', since: 12, peer: null } });
  });

  it('refuses malformed values in words, never throws', () => {
    const bad = [
      '',
      'ringing;kind=caller;since=1',
      'parked;kind=device;since=1',
      'bridged;kind=caller;since=1',
      'parked;kind=caller',
      'parked;kind=caller;since=-1',
      'parked;kind=caller;since=1e3',
      'parked;kind=caller;since=',
      'parked;kind=caller;since=1;peer=nobody',
      'parked;kind=caller;since=1;since=2',
      'parked;kind=caller;since=1;extra=x',
      'parked;kind=caller;since=1;novalue',
      `parked;kind=alien;since=1`,
      'x'.repeat(5000),
    ];
    for (const v of bad) {
      const r = parseRecovered(v);
      expect(r.ok, v).toBe(false);
      if (!r.ok) expect(r.message.length).toBeGreaterThan(3);
    }
    expect(() => formatRecovered({ state: 'bridged', kind: 'caller', since: 1, peer: null })).toThrow();
  });
});
