import { describe, expect, it } from 'vitest';
import { Dial } from './dial';
import { DIAL_TRANSITIONS, DialEvent, DialState, dialTransition, isFinal } from './dial-state';

/** The rules written out independently of the table, so a wrong table entry fails here. */
const LEGAL: ReadonlyArray<[DialState, DialEvent, DialState]> = [
  ['preparing', 'invite', 'calling'],
  ['preparing', 'fail', 'failed'],
  ['calling', 'provisional', 'ringing'],
  ['calling', 'challenge', 'calling'],
  ['calling', 'answer', 'answered'],
  ['calling', 'fail', 'failed'],
  ['ringing', 'provisional', 'ringing'],
  ['ringing', 'challenge', 'calling'],
  ['ringing', 'answer', 'answered'],
  ['ringing', 'fail', 'failed'],
  ['answered', 'connect', 'connected'],
  ['answered', 'fail', 'failed'],
];
const legal = new Map(LEGAL.map(([s, e, n]) => [`${s}/${e}`, n]));

describe('dial state machine', () => {
  const cases = DialState.flatMap((s) => DialEvent.map((e) => [s, e] as const));
  it.each(cases)('%s + %s', (state, event) => {
    const r = dialTransition(state, event);
    const expected = legal.get(`${state}/${event}`);
    if (expected) {
      expect(r).toEqual({ ok: true, next: expected });
    } else {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ kind: 'illegal-transition', machine: 'dial', state, event });
    }
  });

  it('ends exactly once: nothing leaves connected or failed', () => {
    expect(DialState.filter(isFinal)).toEqual(['connected', 'failed']);
    for (const s of ['connected', 'failed'] as const) expect(Object.keys(DIAL_TRANSITIONS[s])).toEqual([]);
  });

  it('table has no transition the rules above do not list', () => {
    const count = Object.values(DIAL_TRANSITIONS).reduce((n, row) => n + Object.keys(row).length, 0);
    expect(count).toBe(LEGAL.length);
  });
});

describe('Dial', () => {
  it('clears its ring timer when it ends, and ends once', async () => {
    const leg = { log: { debug: () => {} } } as unknown as ConstructorParameters<typeof Dial>[0];
    const st = {} as ConstructorParameters<typeof Dial>[2];
    const dial = new Dial(leg, null, st, 'tag', 20, false);
    let rang = false;
    dial.ringTimer = setTimeout(() => (rang = true), 5);
    expect([dial.transition('invite'), dial.transition('provisional'), dial.transition('fail')]).toEqual([true, true, true]);
    expect([dial.state, dial.done, dial.ringTimer]).toEqual(['failed', true, null]);
    expect(dial.transition('fail')).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(rang).toBe(false);
  });
});
