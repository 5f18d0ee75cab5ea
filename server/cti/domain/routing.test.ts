import { describe, expect, it } from 'vitest';
import type { AgentState } from '../../contracts/agent';
import { pickOperator, type RoutingCandidate } from './routing';

function agents(...list: Array<[string, AgentState, boolean, number]>): Map<string, RoutingCandidate> {
  return new Map(list.map(([operatorId, state, hasDevice, idleSince]) => [operatorId, { operatorId, state, hasDevice, idleSince }]));
}

describe('pickOperator (longest idle)', () => {
  const members = [
    { operatorId: 'a', level: 1 },
    { operatorId: 'b', level: 1 },
    { operatorId: 'c', level: 2 },
  ];

  it('picks the ready member idle the longest', () => {
    expect(pickOperator(members, agents(['a', 'ready', true, 300], ['b', 'ready', true, 100], ['c', 'ready', true, 200]))).toBe('b');
  });

  it('skips members who are not ready, have no device, or are excluded', () => {
    const a = agents(['a', 'ready', false, 1], ['b', 'talking', true, 2], ['c', 'ready', true, 3]);
    expect(pickOperator(members, a)).toBe('c');
    expect(pickOperator(members, a, new Set(['c']))).toBeNull();
  });

  it.each(['offline', 'not_ready', 'reserved', 'talking', 'wrap_up'] as const)('never picks a %s operator', (state) => {
    expect(pickOperator(members, agents(['a', state, true, 1]))).toBeNull();
  });

  it('ignores ready operators who are not members of the queue', () => {
    expect(pickOperator([{ operatorId: 'a', level: 1 }], agents(['x', 'ready', true, 1]))).toBeNull();
  });

  it('breaks ties by level, then by id', () => {
    expect(pickOperator(members, agents(['a', 'ready', true, 5], ['c', 'ready', true, 5]))).toBe('a');
    const lvl = [
      { operatorId: 'a', level: 2 },
      { operatorId: 'b', level: 1 },
    ];
    expect(pickOperator(lvl, agents(['a', 'ready', true, 5], ['b', 'ready', true, 5]))).toBe('b');
    expect(pickOperator(members, agents(['b', 'ready', true, 5], ['a', 'ready', true, 5]))).toBe('a');
  });

  it('returns null for an empty queue', () => {
    expect(pickOperator([], agents(['a', 'ready', true, 1]))).toBeNull();
  });
});
