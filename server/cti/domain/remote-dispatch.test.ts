import { describe, expect, it } from 'vitest';
import type { Strategy } from '../../contracts/admin/queues';
import type { WaitingCall } from './dispatch';
import { remoteDispatch, type RemoteOperator } from './remote-dispatch';
import type { RoutingQueue } from './routing';

const NOW = 5_000_000;
const members = [
  { operatorId: 'a', level: 1 },
  { operatorId: 'b', level: 1 },
  { operatorId: 'c', level: 2 },
];
function queue(strategy: Strategy, over: Partial<RoutingQueue> = {}): RoutingQueue {
  return { id: 'q', strategy, tieBreaker: 'longest-idle', tierWaitSec: 0, requiredSkills: [], members, ...over };
}
function waiting(id: string, arrivedAt: number, q: RoutingQueue = queue('longest-idle'), over: Partial<WaitingCall> = {}): WaitingCall {
  return { id, arrivedAt, priority: 0, queuePriority: 5, ageingSec: 60, first: false, queue: q, ...over };
}
const op = (operatorId: string, node: string, idleSince: number): RemoteOperator => ({ operatorId, node, idleSince });
const NONE = new Set<string>();
const pairs = (offers: ReturnType<typeof remoteDispatch>) => offers.map((o) => [o.call.id, o.operatorId, o.node]);

describe('remoteDispatch: which waiting call goes to which operator on another node', () => {
  it('nothing to do without waiting calls or remote operators', () => {
    expect(remoteDispatch([], [op('a', 'n2', 1)], NOW, NONE)).toEqual([]);
    expect(remoteDispatch([waiting('x', 1)], [], NOW, NONE)).toEqual([]);
  });

  it('the oldest caller first, to the longest idle member, each operator once, each call once', () => {
    const calls = [waiting('late', NOW - 1_000), waiting('early', NOW - 9_000), waiting('mid', NOW - 5_000)];
    const offers = remoteDispatch(calls, [op('a', 'n2', 300), op('b', 'n3', 100)], NOW, NONE);
    expect(pairs(offers)).toEqual([
      ['early', 'b', 'n3'],
      ['mid', 'a', 'n2'],
    ]);
  });

  it('only members of the call’s queue; a lower level first; a closed tier waits', () => {
    expect(remoteDispatch([waiting('x', NOW)], [op('z', 'n2', 1)], NOW, NONE)).toEqual([]);
    expect(pairs(remoteDispatch([waiting('x', NOW)], [op('c', 'n2', 1), op('a', 'n2', 999)], NOW, NONE))).toEqual([['x', 'a', 'n2']]);
    const tiered = queue('longest-idle', { tierWaitSec: 30 });
    expect(remoteDispatch([waiting('x', NOW - 10_000, tiered)], [op('c', 'n2', 1)], NOW, NONE)).toEqual([]);
    expect(pairs(remoteDispatch([waiting('x', NOW - 31_000, tiered)], [op('c', 'n2', 1)], NOW, NONE))).toEqual([['x', 'c', 'n2']]);
  });

  it('skills-based: never to someone without the skill', () => {
    const q = queue('skills-based', { requiredSkills: [{ skill: 'fr', minLevel: 2 }], members: [{ operatorId: 'a', level: 1, skills: new Map([['fr', 1]]) }, { operatorId: 'b', level: 1, skills: new Map([['fr', 3]]) }] });
    expect(pairs(remoteDispatch([waiting('x', NOW, q)], [op('a', 'n2', 1), op('b', 'n2', 500)], NOW, NONE))).toEqual([['x', 'b', 'n2']]);
    expect(remoteDispatch([waiting('x', NOW, q)], [op('a', 'n2', 1)], NOW, NONE)).toEqual([]);
  });

  it('ring-all reaches one operator (the longest idle): a call lives on one node', () => {
    const offers = remoteDispatch([waiting('x', NOW, queue('ring-all'))], [op('a', 'n2', 300), op('b', 'n3', 100)], NOW, NONE);
    expect(pairs(offers)).toEqual([['x', 'b', 'n3']]);
    expect(offers[0]!.call.queue.strategy).toBe('ring-all');
  });

  it('operators asked for a moment ago are skipped; a missed operator’s cool-down holds across nodes', () => {
    expect(pairs(remoteDispatch([waiting('x', NOW)], [op('a', 'n2', 1), op('b', 'n2', 2)], NOW, new Set(['a'])))).toEqual([['x', 'b', 'n2']]);
    const missed = waiting('x', NOW, queue('longest-idle'), { missedUntil: new Map([['a', NOW + 1]]) });
    expect(pairs(remoteDispatch([missed], [op('a', 'n2', 1)], NOW, NONE))).toEqual([]);
  });

  it('an operator Ready on two nodes (two tabs) is offered once, through the node Ready the longest', () => {
    const offers = remoteDispatch([waiting('x', NOW - 2), waiting('y', NOW - 1)], [op('a', 'n2', 500), op('a', 'n3', 200)], NOW, NONE);
    expect(pairs(offers)).toEqual([['x', 'a', 'n3']]);
  });

  it('queue priority first, then the caller’s own priority with ageing, as a local pass', () => {
    const high = queue('longest-idle', { id: 'h' });
    const calls = [waiting('low-queue', NOW - 50_000, queue('longest-idle'), { queuePriority: 1 }), waiting('high-queue', NOW - 1_000, high, { queuePriority: 9 })];
    expect(pairs(remoteDispatch(calls, [op('a', 'n2', 1)], NOW, NONE))).toEqual([['high-queue', 'a', 'n2']]);
  });
});
