import { describe, expect, it } from 'vitest';
import type { AgentState } from '../../contracts/agent';
import type { Strategy } from '../../contracts/admin/queues';
import { StrategyParams, Strategy as StrategyName } from '../../contracts/admin/queues';
import { compareWaiting, effectivePriority, orderWaiting } from './call-order';
import { afterMiss } from './no-answer';
import { anyoneToServe, newMemory, nextChangeAt, pickAll, pickOperator, seededRandom, type RoutingCandidate, type RoutingQueue } from './routing';

type Row = [id: string, state: AgentState, hasDevice: boolean, idleSince: number, extra?: Partial<RoutingCandidate>];
function agents(...list: Row[]): Map<string, RoutingCandidate> {
  return new Map(list.map(([operatorId, state, hasDevice, idleSince, extra]) => [operatorId, { operatorId, state, hasDevice, idleSince, callsToday: 0, talkMsToday: 0, ...extra }]));
}
const members = [
  { operatorId: 'a', level: 1 },
  { operatorId: 'b', level: 1 },
  { operatorId: 'c', level: 2 },
];
function queue(strategy: Strategy, over: Partial<RoutingQueue> = {}): RoutingQueue {
  return { id: 'q', strategy, tieBreaker: 'longest-idle', tierWaitSec: 0, requiredSkills: [], members, ...over };
}
const NOW = 1_000_000;
const call = { arrivedAt: NOW };
const pick = (q: RoutingQueue, a: Map<string, RoutingCandidate>, mem = newMemory(), skip?: Set<string>) => pickOperator(q, call, a, mem, NOW, skip);

describe('longest idle', () => {
  it('picks the ready level-1 member idle the longest; level 2 only when no level 1 is ready', () => {
    expect(pick(queue('longest-idle'), agents(['a', 'ready', true, 300], ['b', 'ready', true, 100], ['c', 'ready', true, 50]))).toBe('b');
    expect(pick(queue('longest-idle'), agents(['a', 'talking', true, 300], ['c', 'ready', true, 50]))).toBe('c');
  });
  it('skips members who are not ready, have no device, or are skipped', () => {
    const a = agents(['a', 'ready', false, 1], ['b', 'talking', true, 2], ['c', 'ready', true, 3]);
    expect(pick(queue('longest-idle'), a)).toBe('c');
    expect(pick(queue('longest-idle'), a, newMemory(), new Set(['c']))).toBeNull();
  });
  it.each(['offline', 'not_ready', 'reserved', 'talking', 'wrap_up'] as const)('never picks a %s operator', (state) => {
    expect(pick(queue('longest-idle'), agents(['a', state, true, 1]))).toBeNull();
  });
  it('ignores ready operators who are not members, and an empty queue', () => {
    expect(pick(queue('longest-idle', { members: [{ operatorId: 'a', level: 1 }] }), agents(['x', 'ready', true, 1]))).toBeNull();
    expect(pick(queue('longest-idle', { members: [] }), agents(['a', 'ready', true, 1]))).toBeNull();
  });
  it('breaks ties by id, whatever the order of the members', () => {
    expect(pick(queue('longest-idle'), agents(['b', 'ready', true, 5], ['a', 'ready', true, 5]))).toBe('a');
  });
});

describe('device reach (several ACD nodes)', () => {
  it('never picks an operator the call’s node cannot ring, with any strategy; the rest are picked as usual', () => {
    const a = agents(['a', 'ready', true, 1], ['b', 'ready', true, 2], ['c', 'ready', true, 3]);
    const onY = { arrivedAt: NOW, reaches: (id: string) => id !== 'a' };
    expect(pickOperator(queue('longest-idle'), onY, a, newMemory(), NOW)).toBe('b');
    expect(pickAll(queue('ring-all'), onY, a, NOW)).toEqual(['b', 'c']);
    expect(pickOperator(queue('longest-idle'), { arrivedAt: NOW, reaches: () => false }, a, newMemory(), NOW)).toBeNull();
    // the same operators, a call on the node that reaches them: picked
    expect(pickOperator(queue('longest-idle'), { arrivedAt: NOW, reaches: () => true }, a, newMemory(), NOW)).toBe('a');
  });
});

describe('tiers', () => {
  const q = queue('longest-idle', { tierWaitSec: 20 });
  const a = agents(['a', 'talking', true, 1], ['c', 'ready', true, 1]);
  it('offers level 2 only after the call waited tierWaitSec', () => {
    expect(pickOperator(q, { arrivedAt: NOW - 19_999 }, a, newMemory(), NOW)).toBeNull();
    expect(pickOperator(q, { arrivedAt: NOW - 20_000 }, a, newMemory(), NOW)).toBe('c');
  });
  it('tells the router when the next tier opens', () => {
    expect(nextChangeAt(q, { arrivedAt: NOW - 5_000 }, NOW)).toBe(NOW + 15_000);
    expect(nextChangeAt(q, { arrivedAt: NOW - 25_000 }, NOW)).toBeNull();
  });
});

describe('round robin', () => {
  it('remembers its position per queue and wraps around', () => {
    const a = agents(['a', 'ready', true, 9], ['b', 'ready', true, 1]);
    const q = queue('round-robin', { members: [{ operatorId: 'b', level: 1 }, { operatorId: 'a', level: 1 }] });
    const mem = newMemory();
    expect([pick(q, a, mem), pick(q, a, mem), pick(q, a, mem)]).toEqual(['a', 'b', 'a']);
    // Another queue has its own position.
    expect(pick({ ...q, id: 'q2' }, a, mem)).toBe('a');
  });
  it('skips an absent member and keeps going after the last offered', () => {
    const a = agents(['a', 'ready', true, 1], ['b', 'not_ready', true, 1], ['c', 'ready', true, 1]);
    const q = queue('round-robin', { members: members.map((m) => ({ ...m, level: 1 })) });
    const mem = newMemory();
    mem.lastOffered.set('q', 'a');
    expect(pick(q, a, mem)).toBe('c');
    expect(pick(q, a, mem)).toBe('a');
  });
});

describe('fewest calls today, least talk time', () => {
  const a = agents(['a', 'ready', true, 1, { callsToday: 5, talkMsToday: 10 }], ['b', 'ready', true, 2, { callsToday: 2, talkMsToday: 900 }]);
  it('fewest calls picks the one who answered fewer calls', () => expect(pick(queue('fewest-calls'), a)).toBe('b'));
  it('least talk time picks the one who talked less', () => expect(pick(queue('least-talk-time'), a)).toBe('a'));
  it('ties go to the longest idle', () => {
    const t = agents(['a', 'ready', true, 9, { callsToday: 1 }], ['b', 'ready', true, 2, { callsToday: 1 }]);
    expect(pick(queue('fewest-calls'), t)).toBe('b');
  });
});

describe('random', () => {
  it('is uniform among the tied and repeats with the same seed', () => {
    const a = agents(['a', 'ready', true, 1], ['b', 'ready', true, 1]);
    const q = queue('random');
    const counts = { a: 0, b: 0 };
    const mem = newMemory(seededRandom(42));
    for (let i = 0; i < 2000; i++) counts[pick(q, a, mem) as 'a' | 'b']++;
    expect(counts.a).toBeGreaterThan(900);
    expect(counts.b).toBeGreaterThan(900);
    const seq = (seed: number) => Array.from({ length: 20 }, ((m) => () => pick(q, a, m))(newMemory(seededRandom(seed))));
    expect(seq(7)).toEqual(seq(7));
  });
  it('still serves level 1 before level 2', () => {
    const mem = newMemory(seededRandom(1));
    for (let i = 0; i < 50; i++) expect(pick(queue('random'), agents(['a', 'ready', true, 1], ['c', 'ready', true, 1]), mem)).toBe('a');
  });
});

describe('skills based', () => {
  const sk = (operatorId: string, o: Record<string, number>) => ({ operatorId, level: 1, skills: new Map(Object.entries(o)) });
  const req = [{ skill: 'fr', minLevel: 3 }, { skill: 'billing', minLevel: 1 }];
  it('needs every required skill at its minimum level, then prefers the higher level', () => {
    const q = queue('skills-based', { requiredSkills: req, members: [sk('a', { fr: 2, billing: 9 }), sk('b', { fr: 3, billing: 1 }), sk('c', { fr: 8, billing: 1 })] });
    const a = agents(['a', 'ready', true, 1], ['b', 'ready', true, 5], ['c', 'ready', true, 9]);
    expect(pick(q, a)).toBe('c');
    expect(pick(q, a, newMemory(), new Set(['c']))).toBe('b');
    expect(pick(q, a, newMemory(), new Set(['b', 'c']))).toBeNull();
  });
  it('breaks equal skill with the queue tie-breaker', () => {
    const q = queue('skills-based', { requiredSkills: req, members: [sk('a', { fr: 5, billing: 1 }), sk('b', { fr: 5, billing: 1 })] });
    const a = agents(['a', 'ready', true, 1, { callsToday: 9 }], ['b', 'ready', true, 5, { callsToday: 1 }]);
    expect(pick(q, a)).toBe('a');
    expect(pick({ ...q, tieBreaker: 'fewest-calls' }, a)).toBe('b');
  });
  it('a skill nobody has leaves the call waiting (its overflow rule applies), never picks someone without it', () => {
    const q = queue('skills-based', { requiredSkills: [{ skill: 'klingon', minLevel: 1 }], members: [sk('a', { fr: 9 })] });
    expect(pick(q, agents(['a', 'ready', true, 1]))).toBeNull();
  });
});

describe('anyone to serve (queues that overflow when nobody can answer)', () => {
  const signedIn = (...ids: string[]) => (id: string) => ids.includes(id);
  it('a member signed in, in any state, is someone; a non-member or nobody is not', () => {
    expect(anyoneToServe(queue('longest-idle'), signedIn('c'))).toBe(true); // a tier-2 member counts: the tier opens with time
    expect(anyoneToServe(queue('longest-idle'), signedIn('z'))).toBe(false);
    expect(anyoneToServe(queue('longest-idle'), signedIn())).toBe(false);
    expect(anyoneToServe(queue('longest-idle', { members: [] }), signedIn('a'))).toBe(false);
  });
  it('skills-based: only a member holding every required skill counts', () => {
    const q = queue('skills-based', {
      requiredSkills: [{ skill: 'fr', minLevel: 3 }],
      members: [
        { operatorId: 'a', level: 1, skills: new Map([['fr', 2]]) },
        { operatorId: 'b', level: 1, skills: new Map([['fr', 3]]) },
      ],
    });
    expect(anyoneToServe(q, signedIn('a'))).toBe(false);
    expect(anyoneToServe(q, signedIn('a', 'b'))).toBe(true);
    expect(anyoneToServe({ ...q, strategy: 'longest-idle' }, signedIn('a'))).toBe(true); // skills only bind a skills-based queue
  });
});

describe('ring all', () => {
  it('returns every eligible member of the open tiers', () => {
    const a = agents(['a', 'ready', true, 1], ['b', 'ready', true, 1], ['c', 'ready', true, 1]);
    expect(pickAll(queue('ring-all', { tierWaitSec: 10 }), call, a, NOW)).toEqual(['a', 'b']);
    expect(pickAll(queue('ring-all', { tierWaitSec: 10 }), { arrivedAt: NOW - 10_000 }, a, NOW, new Set(['a']))).toEqual(['b', 'c']);
  });
});

describe('missed offers', () => {
  it('a missed operator is not offered the same call until the cool-down ends', () => {
    const a = agents(['a', 'ready', true, 1], ['b', 'ready', true, 5]);
    const missed = { arrivedAt: NOW, missedUntil: new Map([['a', NOW + 30_000]]) };
    expect(pickOperator(queue('longest-idle'), missed, a, newMemory(), NOW)).toBe('b');
    expect(pickOperator(queue('longest-idle'), missed, a, newMemory(), NOW + 30_000)).toBe('a');
    expect(nextChangeAt(queue('longest-idle'), missed, NOW)).toBe(NOW + 30_000);
  });
  it('sets Not ready only after maxNoAnswer consecutive misses', () => {
    expect(afterMiss(0, 1, 30, NOW)).toEqual({ misses: 0, notReady: true, skipUntil: NOW + 30_000 });
    expect(afterMiss(0, 3, 30, NOW)).toEqual({ misses: 1, notReady: false, skipUntil: NOW + 30_000 });
    expect(afterMiss(2, 3, 0, NOW)).toEqual({ misses: 0, notReady: true, skipUntil: NOW });
  });
});

describe('call order', () => {
  const c = (id: string, arrivedAt: number, priority = 0, queuePriority = 5) => ({ id, arrivedAt, priority, queuePriority, ageingSec: 60 });
  it('FIFO within a priority; a higher priority jumps ahead; a higher-priority queue first', () => {
    expect(orderWaiting([c('2', 2), c('1', 1)], 10).map((x) => x.id)).toEqual(['1', '2']);
    expect(orderWaiting([c('old', 0), c('vip', 5_000, 2)], 10_000).map((x) => x.id)).toEqual(['vip', 'old']);
    expect(orderWaiting([c('low', 0, 9, 1), c('high', 5, 0, 9)], 10).map((x) => x.id)).toEqual(['high', 'low']);
  });
  it('ageing: an old call gains one step per ageingSec and is served before a newer higher-priority one', () => {
    const old = c('old', 0);
    const vip = c('vip', 100_000, 2);
    expect(effectivePriority(old, 119_999)).toBe(1);
    expect(compareWaiting(old, vip, 110_000)).toBeGreaterThan(0);
    // at 120 s old has 2 = vip's 2 and arrived first
    expect(compareWaiting(old, vip, 120_000)).toBeLessThan(0);
  });
});

describe('strategy names and parameters (the admin form and API share these)', () => {
  it('a strategy that does not exist is a validation error', () => {
    expect(StrategyName.safeParse('fastest').success).toBe(false);
    expect(StrategyName.options).toEqual(['longest-idle', 'round-robin', 'fewest-calls', 'least-talk-time', 'skills-based', 'ring-all', 'random']);
  });
  it('parameters are known names with bounded values', () => {
    expect(StrategyParams.safeParse({ tierWaitSec: 20, maxNoAnswer: 3, missCooldownSec: 60, ageingSec: 30, tieBreaker: 'random' }).success).toBe(true);
    expect(StrategyParams.safeParse({ weight: 2 }).success).toBe(false);
    expect(StrategyParams.safeParse({ maxNoAnswer: 0 }).success).toBe(false);
    expect(StrategyParams.safeParse({ tieBreaker: 'ring-all' }).success).toBe(false);
  });
});
