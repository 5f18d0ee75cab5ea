import { describe, expect, it } from 'vitest';
import { countTransitions } from '../../shared/state-machine';
import { PRESS_ONE_EVENTS, PRESS_ONE_STATES, PRESS_ONE_TRANSITIONS, digitEvent, pressOneApplies, pressOneTransition, refusalWhy, type PressOneEvent, type PressOneState } from './press-one-state';

/** The rules written out independently of the table, so a wrong table entry fails here. */
const LEGAL: ReadonlyArray<[PressOneState, PressOneEvent, PressOneState]> = [
  ['asking', 'pressed_one', 'accepted'],
  ['asking', 'pressed_other', 'refused'],
  ['asking', 'timed_out', 'refused'],
  ['asking', 'hung_up', 'refused'],
  ['asking', 'withdrawn', 'withdrawn'],
];
const legal = new Map(LEGAL.map(([s, e, n]) => [`${s}/${e}`, n]));

describe('press-1 accept machine', () => {
  const cases = PRESS_ONE_STATES.flatMap((s) => PRESS_ONE_EVENTS.map((e) => [s, e] as const));
  it.each(cases)('%s + %s', (state, event) => {
    const r = pressOneTransition(state, event);
    const expected = legal.get(`${state}/${event}`);
    if (expected) expect(r).toEqual({ ok: true, next: expected });
    else expect(r).toMatchObject({ ok: false, error: { kind: 'illegal-transition', machine: 'press-one', state, event } });
  });

  it('lists nothing extra, and every state has a row', () => {
    expect(countTransitions(PRESS_ONE_TRANSITIONS)).toBe(LEGAL.length);
    expect(Object.keys(PRESS_ONE_TRANSITIONS).sort()).toEqual([...PRESS_ONE_STATES].sort());
  });

  it('only the digit 1 accepts', () => {
    expect(digitEvent('1')).toBe('pressed_one');
    for (const d of ['0', '2', '9', '*', '#', 'A', '11']) expect(digitEvent(d)).toBe('pressed_other');
  });

  it('asks mobiles and SIP phones by the queue, never a browser', () => {
    const both = { mobile: true, sipPhone: true, timeoutSec: 10 };
    const none = { mobile: false, sipPhone: false, timeoutSec: 10 };
    expect(pressOneApplies('mobile', both)).toBe(true);
    expect(pressOneApplies('sip_phone', both)).toBe(true);
    expect(pressOneApplies('browser', both)).toBe(false);
    expect(pressOneApplies(null, both)).toBe(false);
    expect(pressOneApplies('mobile', none)).toBe(false);
    expect(pressOneApplies('sip_phone', none)).toBe(false);
    expect(pressOneApplies('sip_phone', { ...none, mobile: true })).toBe(false);
  });

  it('says why a refusal is a miss', () => {
    expect(refusalWhy('pressed_other', '5', 10)).toBe('pressed 5 instead of 1');
    expect(refusalWhy('timed_out', null, 8)).toBe('no key pressed within 8 s');
    expect(refusalWhy('hung_up', null, 8)).toMatch(/hung up/);
  });
});
