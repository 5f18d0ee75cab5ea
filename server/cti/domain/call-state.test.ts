import { describe, expect, it } from 'vitest';
import { CallStatus } from '../../contracts/call';
import { CALL_STATES, CALL_TRANSITIONS, CallEvent, callTransition } from './call-state';

const LEGAL: ReadonlyArray<[CallStatus, CallEvent, CallStatus]> = [
  ['queued', 'offer', 'offering'],
  ['queued', 'end', 'ended'],
  ['offering', 'answer', 'connected'],
  ['offering', 'dial_failed', 'queued'],
  ['offering', 'end', 'ended'],
  ['connected', 'end', 'ended'],
  // diversions: closed hours and maximum wait
  ['queued', 'announce', 'announcing'],
  ['queued', 'overflow', 'queued'],
  ['queued', 'forward', 'forwarding'],
  ['offering', 'announce', 'announcing'],
  ['offering', 'overflow', 'queued'],
  ['offering', 'forward', 'forwarding'],
  ['announcing', 'end', 'ended'],
  ['forwarding', 'answer', 'connected'],
  ['forwarding', 'end', 'ended'],
  // in-call controls: hold, resume, blind transfer
  ['connected', 'hold', 'held'],
  ['connected', 'transfer', 'queued'],
  ['held', 'resume', 'connected'],
  ['held', 'end', 'ended'],
  ['held', 'transfer', 'queued'],
  // the operator's device did not come back after a network cut
  ['connected', 'device_lost', 'queued'],
  ['held', 'device_lost', 'queued'],
  ['forwarding', 'dial_failed', 'queued'],
];
const legal = new Map(LEGAL.map(([s, e, n]) => [`${s}/${e}`, n]));

describe('call state machine', () => {
  it('has a row for every call status', () => {
    expect([...CALL_STATES].sort()).toEqual([...CallStatus.options].sort());
  });

  const cases = CallStatus.options.flatMap((s) => CallEvent.map((e) => [s, e] as const));
  it.each(cases)('%s + %s', (state, event) => {
    const r = callTransition(state, event);
    const expected = legal.get(`${state}/${event}`);
    if (expected) expect(r).toEqual({ ok: true, next: expected });
    else expect(r).toMatchObject({ ok: false, error: { machine: 'call', state, event } });
  });

  it('ended is terminal and the table lists nothing extra', () => {
    expect(Object.keys(CALL_TRANSITIONS.ended)).toHaveLength(0);
    const count = Object.values(CALL_TRANSITIONS).reduce((n, row) => n + Object.keys(row).length, 0);
    expect(count).toBe(LEGAL.length);
  });
});
