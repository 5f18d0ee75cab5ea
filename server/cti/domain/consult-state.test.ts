import { describe, expect, it } from 'vitest';
import { CONSULT_TRANSITIONS, ConsultEvent, ConsultState, consultTransition } from './consult-state';

const LEGAL: ReadonlyArray<[ConsultState, ConsultEvent, ConsultState]> = [
  ['dialing', 'answered', 'consulting'],
  ['dialing', 'failed', 'over'],
  ['dialing', 'cancel', 'over'],
  ['consulting', 'swap', 'swapped'],
  ['consulting', 'complete', 'over'],
  ['consulting', 'cancel', 'over'],
  ['consulting', 'conference', 'conference'],
  ['consulting', 'target_left', 'over'],
  ['swapped', 'swap', 'consulting'],
  ['swapped', 'complete', 'over'],
  ['swapped', 'cancel', 'over'],
  ['swapped', 'conference', 'conference'],
  ['swapped', 'target_left', 'over'],
  ['conference', 'complete', 'over'],
  ['conference', 'cancel', 'over'],
  ['conference', 'target_left', 'over'],
];
const legal = new Map(LEGAL.map(([s, e, n]) => [`${s}/${e}`, n]));

describe('consultation state machine', () => {
  const cases = ConsultState.flatMap((s) => ConsultEvent.map((e) => [s, e] as const));
  it.each(cases)('%s + %s', (state, event) => {
    const r = consultTransition(state, event);
    const expected = legal.get(`${state}/${event}`);
    if (expected) expect(r).toEqual({ ok: true, next: expected });
    else expect(r).toMatchObject({ ok: false, error: { machine: 'consult', state, event } });
  });
  it('over is terminal and the table lists nothing extra', () => {
    expect(Object.keys(CONSULT_TRANSITIONS.over)).toHaveLength(0);
    expect(Object.values(CONSULT_TRANSITIONS).reduce((n, row) => n + Object.keys(row).length, 0)).toBe(LEGAL.length);
  });
});
