import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Strategy, type Strategy as StrategyName } from '../../contracts/admin/queues';
import type { AgentState } from '../../contracts/agent';
import { effectivePriority } from './call-order';
import { dispatch, type WaitingCall } from './dispatch';
import { afterMiss } from './no-answer';
import { newMemory, seededRandom, type RoutingCandidate, type RoutingQueue } from './routing';

/**
 * Property tests of one routing pass over random worlds: random queues (every strategy, tiers,
 * skills, priorities) and operators, then random sequences of arrivals, answers, misses,
 * hang-ups, callers leaving, Ready / Not ready and time passing. After every step the pass runs
 * (as the router does after every event and when a tier or cool-down opens) and the invariants
 * are checked against an oracle written here, independently of the domain's own eligibility.
 */

interface Op {
  id: string;
  state: AgentState;
  idleSince: number;
  misses: number;
}
interface Call extends WaitingCall {
  qi: number;
  status: 'waiting' | 'offered' | 'talking' | 'ended';
  offeredTo: string[];
  talkingWith: string | null;
  missedUntil: Map<string, number>;
}
interface Q {
  routing: RoutingQueue;
  priority: number;
  ageingSec: number;
  maxNoAnswer: number;
  missCooldownSec: number;
}
interface World {
  now: number;
  ops: Op[];
  queues: Q[];
  calls: Call[];
  seq: number;
}

type Cmd =
  | { k: 'arrive'; q: number; priority: number }
  | { k: 'answer' | 'miss' | 'hangup' | 'ready' | 'notReady'; op: number }
  | { k: 'leave'; call: number }
  | { k: 'tick'; ms: number };

const SKILLS = ['fr', 'de', 'billing'];
const N_OPS = 6;

const queueArb = fc.record({
  strategy: fc.constantFrom<StrategyName>(...Strategy.options),
  tierWaitSec: fc.constantFrom(0, 0, 10, 30),
  priority: fc.integer({ min: 1, max: 10 }),
  ageingSec: fc.constantFrom(5, 30, 60),
  maxNoAnswer: fc.integer({ min: 1, max: 3 }),
  missCooldownSec: fc.constantFrom(0, 10, 60),
  required: fc.subarray(SKILLS, { maxLength: 2 }).chain((s) => fc.tuple(...s.map((skill) => fc.record({ skill: fc.constant(skill), minLevel: fc.integer({ min: 1, max: 5 }) })))),
  members: fc.uniqueArray(
    fc.record({ op: fc.integer({ min: 0, max: N_OPS - 1 }), level: fc.integer({ min: 1, max: 3 }), skills: fc.dictionary(fc.constantFrom(...SKILLS), fc.integer({ min: 1, max: 8 })) }),
    { selector: (m) => m.op, minLength: 1, maxLength: N_OPS },
  ),
});

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('arrive' as const), q: fc.nat(), priority: fc.constantFrom(0, 0, 0, 1, 3) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constantFrom('answer' as const, 'miss' as const, 'hangup' as const), op: fc.nat({ max: N_OPS - 1 }) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constantFrom('ready' as const, 'notReady' as const), op: fc.nat({ max: N_OPS - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('leave' as const), call: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.constantFrom(500, 5_000, 15_000, 61_000) }) },
);

type QueueSpec = typeof queueArb extends fc.Arbitrary<infer T> ? T : never;

function build(qs: QueueSpec[]): World {
  const ops: Op[] = Array.from({ length: N_OPS }, (_, i) => ({ id: `op${i}`, state: 'not_ready' as AgentState, idleSince: 0, misses: 0 }));
  const queues = qs.map((q, i) => ({
    priority: q.priority,
    ageingSec: q.ageingSec,
    maxNoAnswer: q.maxNoAnswer,
    missCooldownSec: q.missCooldownSec,
    routing: {
      id: `q${i}`,
      strategy: q.strategy,
      tieBreaker: 'round-robin' as const,
      tierWaitSec: q.tierWaitSec,
      requiredSkills: q.required,
      members: q.members.map((m) => ({ operatorId: `op${m.op}`, level: m.level, skills: new Map(Object.entries(m.skills)) })),
    },
  }));
  return { now: 1_000_000, ops, queues, calls: [], seq: 0 };
}

/** The oracle: may this ready operator take this waiting call now? Written from the spec, not from routing.ts. */
function oracleEligible(w: World, c: Call, op: Op): boolean {
  const q = w.queues[c.qi]!.routing;
  const m = q.members.find((x) => x.operatorId === op.id);
  if (!m || op.state !== 'ready') return false;
  if (m.level > 1 && w.now - c.arrivedAt < (m.level - 1) * q.tierWaitSec * 1000) return false;
  if ((c.missedUntil.get(op.id) ?? 0) > w.now) return false;
  if (q.strategy === 'skills-based') return q.requiredSkills.every((r) => (m.skills?.get(r.skill) ?? 0) >= r.minLevel);
  return true;
}

const callOf = (w: World, op: Op) => w.calls.find((c) => c.status !== 'ended' && (c.offeredTo.includes(op.id) || c.talkingWith === op.id));

function apply(w: World, cmd: Cmd): void {
  const op = 'op' in cmd ? w.ops[cmd.op]! : null;
  const free = (o: Op, state: AgentState) => {
    o.state = state;
    if (state === 'ready') o.idleSince = w.now;
  };
  switch (cmd.k) {
    case 'arrive': {
      const qi = cmd.q % w.queues.length;
      const q = w.queues[qi]!;
      w.calls.push({ id: `c${++w.seq}`, qi, arrivedAt: w.now, priority: cmd.priority, queuePriority: q.priority, ageingSec: q.ageingSec, queue: q.routing, status: 'waiting', offeredTo: [], talkingWith: null, missedUntil: new Map() });
      return;
    }
    case 'answer': {
      const c = callOf(w, op!);
      if (!c || c.status !== 'offered') return;
      for (const other of c.offeredTo) if (other !== op!.id) free(w.ops.find((o) => o.id === other)!, 'ready');
      c.offeredTo = [];
      c.status = 'talking';
      c.talkingWith = op!.id;
      op!.state = 'talking';
      op!.misses = 0;
      return;
    }
    case 'miss': {
      const c = callOf(w, op!);
      if (!c || c.status !== 'offered') return;
      const q = w.queues[c.qi]!;
      const v = afterMiss(op!.misses, q.maxNoAnswer, q.missCooldownSec, w.now);
      op!.misses = v.misses;
      c.missedUntil.set(op!.id, v.skipUntil);
      c.offeredTo = c.offeredTo.filter((x) => x !== op!.id);
      if (c.offeredTo.length === 0) c.status = 'waiting';
      free(op!, v.notReady ? 'not_ready' : 'ready');
      return;
    }
    case 'hangup': {
      const c = callOf(w, op!);
      if (!c || c.status !== 'talking') return;
      c.status = 'ended';
      free(op!, 'ready');
      return;
    }
    case 'leave': {
      const live = w.calls.filter((c) => c.status === 'waiting' || c.status === 'offered');
      const c = live[cmd.call % Math.max(1, live.length)];
      if (!c) return;
      for (const o of c.offeredTo) free(w.ops.find((x) => x.id === o)!, 'ready');
      c.offeredTo = [];
      c.status = 'ended';
      return;
    }
    case 'ready':
      if (op!.state === 'not_ready') free(op!, 'ready');
      return;
    case 'notReady':
      if (op!.state === 'ready') op!.state = 'not_ready';
      return;
    case 'tick':
      w.now += cmd.ms;
      return;
  }
}

let cases = 0;
let steps = 0;
let offersMade = 0;

function routeAndCheck(w: World, memory: ReturnType<typeof newMemory>): void {
  const agents = new Map<string, RoutingCandidate>(w.ops.map((o) => [o.id, { operatorId: o.id, state: o.state, hasDevice: true, idleSince: o.idleSince, callsToday: 0, talkMsToday: 0 }]));
  const waiting = w.calls.filter((c) => c.status === 'waiting');
  const offers = dispatch(waiting, agents, memory, w.now);
  for (const { call, operatorIds } of offers) {
    // Offered only to operators who were eligible (ready, member, tier open, not in cool-down, skilled).
    for (const id of operatorIds) expect(oracleEligible(w, call, w.ops.find((o) => o.id === id)!), `${id} eligible for ${call.id}`).toBe(true);
    call.status = 'offered';
    call.offeredTo = operatorIds;
    for (const id of operatorIds) w.ops.find((o) => o.id === id)!.state = 'reserved';
    offersMade++;
  }
  const live = w.calls.filter((c) => c.status !== 'ended');
  // An operator is never offered (or on) two calls.
  for (const o of w.ops) expect(live.filter((c) => c.offeredTo.includes(o.id) || c.talkingWith === o.id).length).toBeLessThanOrEqual(1);
  // A call is offered to one operator, except ring-all.
  for (const c of live) if (c.queue.strategy !== 'ring-all') expect(c.offeredTo.length).toBeLessThanOrEqual(1);
  // Reserved ⇔ offered a call; talking ⇔ on one.
  for (const o of w.ops) {
    const c = callOf(w, o);
    if (o.state === 'reserved') expect(c?.status).toBe('offered');
    if (o.state === 'talking') expect(c?.talkingWith).toBe(o.id);
  }
  // A waiting call is offered as soon as an eligible operator is Ready: none is left after the pass.
  const stillWaiting = w.calls.filter((c) => c.status === 'waiting');
  for (const c of stillWaiting) for (const o of w.ops) expect(oracleEligible(w, c, o), `${c.id} waits while ${o.id} is ready and eligible`).toBe(false);
  // FIFO within a priority (and higher effective priority first): an operator who got a call of a
  // queue could not have taken an earlier (or higher-priority) waiting call of the same queue.
  for (const { call, operatorIds } of offers) {
    const pc = effectivePriority(call, w.now);
    for (const y of stillWaiting) {
      if (y.qi !== call.qi) continue;
      const py = effectivePriority(y, w.now);
      if (py < pc || (py === pc && y.arrivedAt >= call.arrivedAt)) continue;
      for (const id of operatorIds) {
        const o = { ...w.ops.find((x) => x.id === id)!, state: 'ready' as const };
        expect(oracleEligible(w, y, o), `${id} took ${call.id} before earlier ${y.id}`).toBe(false);
      }
    }
  }
}

describe('routing invariants (fast-check)', () => {
  afterAll(() => {
    // The figure the closing note reports.
    console.info(`routing property test: ${cases} random cases, ${steps} steps, ${offersMade} offers checked`);
  });

  it('never two calls per operator, one operator per call (but ring-all), no eligible Ready operator left idle, FIFO within a priority', () => {
    fc.assert(
      fc.property(fc.array(queueArb, { minLength: 1, maxLength: 3 }), fc.array(cmdArb, { minLength: 1, maxLength: 80 }), fc.integer(), (qs, cmds, seed) => {
        cases++;
        const w = build(qs);
        const memory = newMemory(seededRandom(seed));
        for (const cmd of cmds) {
          steps++;
          apply(w, cmd);
          routeAndCheck(w, memory);
        }
      }),
      { numRuns: 2000 },
    );
    expect(cases).toBeGreaterThanOrEqual(2000);
  });

  it('no call waits forever while an eligible operator is Ready: with operators Ready, every call is eventually offered', () => {
    fc.assert(
      fc.property(fc.array(queueArb, { minLength: 1, maxLength: 3 }), fc.array(fc.record({ q: fc.nat(), priority: fc.constantFrom(0, 2, 5) }), { minLength: 1, maxLength: 30 }), (qs, arrivals) => {
        cases++;
        const w = build(qs);
        const memory = newMemory(seededRandom(1));
        for (const o of w.ops) o.state = 'ready';
        for (const a of arrivals) apply(w, { k: 'arrive', ...a });
        // Operators answer and hang up in turn; time passes (tiers open, ageing applies).
        for (let round = 0; round < arrivals.length * 2 + 5; round++) {
          steps++;
          routeAndCheck(w, memory);
          for (const o of w.ops) if (o.state === 'reserved') apply(w, { k: 'answer', op: Number(o.id.slice(2)) });
          for (const o of w.ops) if (o.state === 'talking') apply(w, { k: 'hangup', op: Number(o.id.slice(2)) });
          apply(w, { k: 'tick', ms: 15_000 });
        }
        routeAndCheck(w, memory);
        for (const c of w.calls) {
          const servable = w.ops.some((o) => oracleEligible(w, c, { ...o, state: 'ready' }));
          if (servable) expect(c.status, `${c.id} served`).not.toBe('waiting');
        }
      }),
      { numRuns: 500 },
    );
  });
});
