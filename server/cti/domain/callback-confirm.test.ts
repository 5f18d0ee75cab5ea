import { describe, expect, it } from 'vitest';
import { CONFIRM_EVENTS, CONFIRM_STATES, CONFIRM_TRANSITIONS, confirmTransition, keyEvent, keyedNumber, startConfirm, step, type ConfirmEvent, type ConfirmFlow, type ConfirmState } from './callback-confirm';
import { countTransitions } from '../../shared/state-machine';

/** The rules written out apart from the table, so a wrong entry fails here. */
const LEGAL: ReadonlyArray<[ConfirmState, ConfirmEvent, ConfirmState]> = [
  ['idle', 'offer-own', 'confirming'],
  ['idle', 'ask-number', 'entering'],
  ['confirming', 'one', 'one-pressed'],
  ['confirming', 'digit', 'entering'],
  ['confirming', 'pause', 'kept-waiting'],
  ['one-pressed', 'pause', 'confirmed'],
  ['one-pressed', 'hash', 'confirmed'],
  ['one-pressed', 'one', 'entering'],
  ['one-pressed', 'digit', 'entering'],
  ['entering', 'one', 'entering'],
  ['entering', 'digit', 'entering'],
  ['entering', 'hash', 'checking'],
  ['entering', 'pause', 'kept-waiting'],
  ['checking', 'valid', 'confirmed'],
  ['checking', 'invalid', 're-entering'],
  ['re-entering', 'one', 're-entering'],
  ['re-entering', 'digit', 're-entering'],
  ['re-entering', 'hash', 're-checking'],
  ['re-entering', 'pause', 'kept-waiting'],
  ['re-checking', 'valid', 'confirmed'],
  ['re-checking', 'invalid', 'kept-waiting'],
];
const legal = new Map(LEGAL.map(([s, e, n]) => [`${s}/${e}`, n]));

/** Keys pressed one after another from a start. */
function keys(start: ReturnType<typeof startConfirm>, seq: string) {
  let s = start;
  const said: string[][] = [];
  for (const k of seq) {
    const ev = keyEvent(k);
    if (!ev) continue;
    s = step(s.flow, ev, k);
    if (s.say) said.push(s.say);
  }
  return { s, said };
}

describe('callback confirmation state machine', () => {
  const cases = CONFIRM_STATES.flatMap((s) => CONFIRM_EVENTS.map((e) => [s, e] as const));
  it.each(cases)('%s + %s', (state, event) => {
    const r = confirmTransition(state, event);
    const expected = legal.get(`${state}/${event}`);
    if (expected) expect(r).toEqual({ ok: true, next: expected });
    else expect(r).toMatchObject({ ok: false, error: { kind: 'illegal-transition', machine: 'callback-confirm', state, event } });
  });

  it('the table lists nothing extra, and has a row for every state', () => {
    expect(countTransitions(CONFIRM_TRANSITIONS)).toBe(LEGAL.length);
    expect(Object.keys(CONFIRM_TRANSITIONS).sort()).toEqual([...CONFIRM_STATES].sort());
  });
});

describe('callback confirmation steps', () => {
  it('reads the caller’s own number back digit by digit and asks', () => {
    const s = startConfirm('+447700900123');
    expect(s.flow.state).toBe('confirming');
    expect(s.say).toEqual(['say-callback-number', 'say-n4', 'say-n4', 'say-n7', 'say-n7', 'say-n0', 'say-n0', 'say-n9', 'say-n0', 'say-n0', 'say-n1', 'say-n2', 'say-n3', 'say-callback-confirm']);
  });

  it('1 then a pause, or 1 then #, confirms the own number', () => {
    const one = step(startConfirm('+447700900123').flow, 'one', '1');
    expect(one.flow.state).toBe('one-pressed');
    expect(step(one.flow, 'pause').done).toEqual({ kind: 'confirmed', number: '+447700900123' });
    expect(step(one.flow, 'hash').done).toEqual({ kind: 'confirmed', number: '+447700900123' });
  });

  it('another number keyed, starting with 1 or not, ends with #, is checked as E.164', () => {
    const us = keys(startConfirm('+447700900123'), '15551234567#').s;
    expect(us.flow.state).toBe('checking');
    expect(us.check).toEqual({ number: '+15551234567' });
    expect(step(us.flow, 'valid').done).toEqual({ kind: 'confirmed', number: '+15551234567' });
    const uk = keys(startConfirm('+447700900123'), '00447700900456#').s;
    expect(uk.check).toEqual({ number: '+447700900456' });
  });

  it('a caller whose own number cannot be called back is asked for one', () => {
    const s = startConfirm(null);
    expect(s).toMatchObject({ flow: { state: 'entering' }, say: ['say-callback-enter'] });
    expect(step(s.flow, 'one', '1').flow.state).toBe('entering'); // no own number to confirm: 1 is a digit
  });

  it('a bad number is refused with a message and one retry, then the caller keeps waiting', () => {
    const bad = keys(startConfirm(null), '12#').s;
    expect(bad.check).toEqual({ number: null }); // "+12" is not E.164
    const retry = step(bad.flow, 'invalid');
    expect(retry).toMatchObject({ flow: { state: 're-entering', typed: '' }, say: ['say-callback-bad', 'say-callback-enter'] });
    const again = keys({ flow: retry.flow, say: null }, '99999999999999999999#').s; // too long
    expect(again.check).toEqual({ number: null });
    expect(step(again.flow, 'invalid', undefined, 'not an international number')).toMatchObject({
      flow: { state: 'kept-waiting' },
      say: ['say-callback-bad', 'say-callback-kept'],
      done: { kind: 'kept-waiting', reason: 'not an international number' },
    });
  });

  it('no answer keeps the caller waiting; keys that mean nothing change nothing', () => {
    const s = startConfirm('+447700900123');
    expect(step(s.flow, 'pause')).toMatchObject({ done: { kind: 'kept-waiting', reason: 'no answer on the keypad' }, say: ['say-callback-kept'] });
    expect(keyEvent('*')).toBeNull();
    expect(keyEvent('A')).toBeNull();
    const flow: ConfirmFlow = { state: 'confirmed', own: null, typed: '' };
    expect(step(flow, 'one', '1')).toEqual({ flow, say: null });
  });
});

describe('keyedNumber', () => {
  it('takes the country code and number, drops a 00 prefix, refuses what is not E.164', () => {
    expect(keyedNumber('447700900456')).toBe('+447700900456');
    expect(keyedNumber('00447700900456')).toBe('+447700900456');
    expect(keyedNumber('12')).toBeNull();
    expect(keyedNumber('0447700900456')).toBeNull(); // a national 0 is not a country code
    expect(keyedNumber('4477009004561234')).toBeNull(); // 16 digits
    expect(keyedNumber('')).toBeNull();
    expect(keyedNumber('44*77')).toBeNull();
  });
});
