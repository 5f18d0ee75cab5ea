import type { AgentState } from '../../contracts/agent';
import type { Strategy, TieBreaker } from '../../contracts/admin/queues';

/** What routing needs to know about an operator; nothing else. */
export interface RoutingCandidate {
  operatorId: string;
  state: AgentState;
  hasDevice: boolean;
  /** ms since epoch: when they last became ready or ended a call */
  idleSince: number;
  /** calls answered today (fewest-calls) */
  callsToday: number;
  /** ms of talk today (least-talk-time) */
  talkMsToday: number;
}

export interface QueueMembership {
  operatorId: string;
  /** the member's tier: 1 first, 2 once the call waited tierWaitSec, 3 after twice that… */
  level: number;
  /** the member's skills, skill → level 1–10 (skills-based); read with the queue, not per call */
  skills?: ReadonlyMap<string, number>;
}

const NO_SKILLS: ReadonlyMap<string, number> = new Map();

export interface RequiredSkill {
  skill: string;
  minLevel: number;
}

/** A queue as routing sees it: the strategy with its parameters resolved to numbers. */
export interface RoutingQueue {
  id: string;
  strategy: Strategy;
  tieBreaker: TieBreaker;
  tierWaitSec: number;
  requiredSkills: readonly RequiredSkill[];
  members: readonly QueueMembership[];
}

/** The call being routed: how long it waited, and who missed it recently (operatorId → until, ms). */
export interface CallToRoute {
  arrivedAt: number;
  missedUntil?: ReadonlyMap<string, number>;
  /** false for an operator whose device this call's ACD node cannot ring (several nodes); absent: all can be rung */
  reaches?: (operatorId: string) => boolean;
}

/** What routing remembers between decisions: round-robin positions and the random source. */
export interface RoutingMemory {
  /** queue id → the operator last offered a call of that queue */
  readonly lastOffered: Map<string, string>;
  /** uniform in [0, 1) */
  random(): number;
}

/** A seedable random source (mulberry32): tests and the bench repeat themselves. */
export function seededRandom(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

export function newMemory(random: () => number = Math.random): RoutingMemory {
  return { lastOffered: new Map(), random };
}

/** Whether a member's tier is open for a call that waited `waitedMs`. */
export function tierOpen(level: number, tierWaitSec: number, waitedMs: number): boolean {
  return level <= 1 || waitedMs >= (level - 1) * tierWaitSec * 1000;
}

/** The operator's summed level in the queue's required skills, or -1 when one is missing or too low. */
export function skillScore(required: readonly RequiredSkill[], skills: ReadonlyMap<string, number>): number {
  let score = 0;
  for (let i = 0; i < required.length; i++) {
    const r = required[i]!;
    const l = skills.get(r.skill);
    if (l === undefined || l < r.minLevel) return -1;
    score += l;
  }
  return score;
}

/**
 * Whether this member may be offered this call now: ready, with a device, not skipped, the tier
 * open, not in a missed call's cool-down, and (skills-based) holding every required skill.
 */
export function eligible(q: RoutingQueue, m: QueueMembership, a: RoutingCandidate | undefined, call: CallToRoute, now: number, skip?: ReadonlySet<string>): a is RoutingCandidate {
  if (!a || a.state !== 'ready' || !a.hasDevice) return false;
  if (skip?.has(m.operatorId)) return false;
  if (!tierOpen(m.level, q.tierWaitSec, now - call.arrivedAt)) return false;
  const until = call.missedUntil?.get(m.operatorId);
  if (until !== undefined && until > now) return false;
  if (call.reaches && !call.reaches(m.operatorId)) return false;
  return q.strategy !== 'skills-based' || skillScore(q.requiredSkills, m.skills ?? NO_SKILLS) >= 0;
}

/**
 * Whether anyone could take this queue's calls at all now (docs/cti.md, "When nobody can answer"):
 * a member who is signed in, in any state — Not ready and busy members come back — and, in a
 * skills-based queue, holds every required skill. Tiers and cool-downs are left out: they open
 * with time alone.
 */
export function anyoneToServe(q: RoutingQueue, signedIn: (operatorId: string) => boolean): boolean {
  for (const m of q.members) {
    if (!signedIn(m.operatorId)) continue;
    if (q.strategy !== 'skills-based' || skillScore(q.requiredSkills, m.skills ?? NO_SKILLS) >= 0) return true;
  }
  return false;
}

/**
 * The operator to offer the call to (not for ring-all: see `pickAll`). One pass over the
 * queue's members, no allocation: the best is kept by comparing (1) membership level, lower
 * first (tiers); (2) skills-based: summed skill level, higher first; (3) the strategy — or, for
 * skills-based, its tie-breaker: longest idle; fewest calls today; least talk today; round robin
 * (the next member by id after the one last offered, wrapping); random (uniform among the tied,
 * by reservoir sampling). Remaining ties go to the longest idle, then the smallest id.
 */
export function pickOperator(
  q: RoutingQueue,
  call: CallToRoute,
  agents: ReadonlyMap<string, RoutingCandidate>,
  memory: RoutingMemory,
  now: number,
  skip?: ReadonlySet<string>,
): string | null {
  const order: TieBreaker = q.strategy === 'skills-based' ? q.tieBreaker : q.strategy === 'ring-all' ? 'longest-idle' : q.strategy;
  const skilled = q.strategy === 'skills-based';
  const last = order === 'round-robin' ? memory.lastOffered.get(q.id) : undefined;
  let best: RoutingCandidate | null = null;
  let bestLevel = 0;
  let bestScore = 0;
  let ties = 0;
  for (let i = 0; i < q.members.length; i++) {
    const m = q.members[i]!;
    const a = agents.get(m.operatorId);
    if (!eligible(q, m, a, call, now, skip)) continue;
    const score = skilled ? skillScore(q.requiredSkills, m.skills ?? NO_SKILLS) : 0;
    let c = 0;
    if (best) {
      c = m.level - bestLevel || bestScore - score;
      if (c === 0) c = byOrder(order, a, best, last);
    }
    if (!best || c < 0) {
      best = a;
      bestLevel = m.level;
      bestScore = score;
      ties = 1;
    } else if (c === 0 && order === 'random' && memory.random() * ++ties < 1) {
      best = a;
    }
  }
  if (best && q.strategy !== 'ring-all') memory.lastOffered.set(q.id, best.operatorId);
  return best?.operatorId ?? null;
}

/** Ring-all: every eligible member (any open tier) at once; the first to answer wins. */
export function pickAll(q: RoutingQueue, call: CallToRoute, agents: ReadonlyMap<string, RoutingCandidate>, now: number, skip?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const m of q.members) if (eligible(q, m, agents.get(m.operatorId), call, now, skip)) out.push(m.operatorId);
  return out;
}

/** < 0: a before b. Random compares equal so the caller samples among the tied. */
function byOrder(order: TieBreaker, a: RoutingCandidate, b: RoutingCandidate, last: string | undefined): number {
  switch (order) {
    case 'random':
      return 0;
    case 'fewest-calls':
      if (a.callsToday !== b.callsToday) return a.callsToday - b.callsToday;
      break;
    case 'least-talk-time':
      if (a.talkMsToday !== b.talkMsToday) return a.talkMsToday - b.talkMsToday;
      break;
    case 'round-robin': {
      // Members after the last one offered come first (by id), then the wrap-around.
      const ra = last !== undefined && a.operatorId <= last ? 1 : 0;
      const rb = last !== undefined && b.operatorId <= last ? 1 : 0;
      if (ra !== rb) return ra - rb;
      return a.operatorId < b.operatorId ? -1 : 1;
    }
    case 'longest-idle':
      break;
  }
  if (a.idleSince !== b.idleSince) return a.idleSince - b.idleSince;
  return a.operatorId < b.operatorId ? -1 : a.operatorId > b.operatorId ? 1 : 0;
}

/**
 * When eligibility of this waiting call may change by time alone (the next tier opens, a missed
 * operator's cool-down ends): the router re-routes then. Null when nothing is pending.
 */
export function nextChangeAt(q: RoutingQueue, call: CallToRoute, now: number): number | null {
  let next = Infinity;
  if (q.tierWaitSec > 0) {
    let maxLevel = 1;
    for (const m of q.members) if (m.level > maxLevel) maxLevel = m.level;
    for (let l = 2; l <= maxLevel; l++) {
      const at = call.arrivedAt + (l - 1) * q.tierWaitSec * 1000;
      if (at > now) {
        next = Math.min(next, at);
        break;
      }
    }
  }
  if (call.missedUntil) for (const until of call.missedUntil.values()) if (until > now) next = Math.min(next, until);
  return next === Infinity ? null : next;
}
