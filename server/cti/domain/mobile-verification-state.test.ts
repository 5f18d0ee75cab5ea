import { describe, expect, it } from 'vitest';
import { MOBILE_CALL_STATES, MOBILE_CALL_TRANSITIONS, MobileCallEvent, mobileCallTransition, type MobileCallState } from './mobile-verification-state';

/** The rules written out independently of the table, so a wrong table entry fails here. */
const LEGAL: ReadonlyArray<[MobileCallState, MobileCallEvent, MobileCallState]> = [
  ['idle', 'dial', 'calling'],
  ['calling', 'answered', 'answered'],
  ['calling', 'dial_failed', 'failed'],
  ['answered', 'code_matched', 'idle'],
  ['answered', 'code_mismatched', 'failed'],
  ['answered', 'leg_ended', 'failed'],
  ['answered', 'timed_out', 'failed'],
  ['failed', 'dial', 'calling'],
];
const legal = new Map(LEGAL.map(([s, e, n]) => [`${s}/${e}`, n]));

describe('mobile verification state machine', () => {
  it('has a row for every state the console shows', () => {
    const shown: MobileCallState[] = ['idle', 'calling', 'answered', 'failed'];
    expect([...MOBILE_CALL_STATES].sort()).toEqual(shown.sort());
    expect(Object.keys(MOBILE_CALL_TRANSITIONS).sort()).toEqual([...MOBILE_CALL_STATES].sort());
  });

  // Every (state, event) pair, generated from the lists so a new state or event is covered.
  const cases = MOBILE_CALL_STATES.flatMap((s) => MobileCallEvent.map((e) => [s, e] as const));
  it.each(cases)('%s + %s', (state, event) => {
    const r = mobileCallTransition(state, event);
    const expected = legal.get(`${state}/${event}`);
    if (expected) expect(r).toEqual({ ok: true, next: expected });
    else expect(r).toMatchObject({ ok: false, error: { kind: 'illegal-transition', machine: 'mobile-verification', state, event } });
  });

  it('one verification call at a time, and the table lists nothing extra', () => {
    expect(mobileCallTransition('calling', 'dial').ok).toBe(false);
    expect(mobileCallTransition('answered', 'dial').ok).toBe(false);
    const count = Object.values(MOBILE_CALL_TRANSITIONS).reduce((n, row) => n + Object.keys(row).length, 0);
    expect(count).toBe(LEGAL.length);
  });
});
