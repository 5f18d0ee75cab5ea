/**
 * Routing decision time (npm run bench:routing): 2,000 signed-in operators, 50 queues of ~120
 * members each (every operator in 3 queues, levels 1–2, 3 skills), 500 waiting calls, a quarter
 * of the operators Ready. Per strategy it prints
 *  - one decision: picking the operator for one waiting call (pickOperator / pickAll), and
 *  - one pass: the router's whole pass over the 500 waiting calls (dispatch: order, then pick),
 * as p50/p99, with the ratio to longest-idle's figure. Pure domain code, no IO, seeded: repeatable.
 */
import { Strategy } from '../server/contracts/admin/queues';
import type { AgentState } from '../server/contracts/agent';
import { dispatch, type WaitingCall } from '../server/cti/domain/dispatch';
import { newMemory, pickAll, pickOperator, seededRandom, type RoutingCandidate, type RoutingQueue } from '../server/cti/domain/routing';

const OPERATORS = 2000;
const QUEUES = 50;
const CALLS = 500;
const QUEUES_PER_OPERATOR = 3;
const READY_SHARE = 0.25;
const DECISIONS = 20_000;
const PASSES = 300;
const SKILLS = ['fr', 'de', 'es', 'billing', 'tech', 'sales'];

const rnd = seededRandom(20261201);
const pickOf = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const NOW = 10_000_000;

const agents = new Map<string, RoutingCandidate>();
const skillsOf = new Map<string, Map<string, number>>();
for (let i = 0; i < OPERATORS; i++) {
  const id = `op-${String(i).padStart(5, '0')}`;
  const state: AgentState = rnd() < READY_SHARE ? 'ready' : pickOf<AgentState>(['talking', 'wrap_up', 'not_ready']);
  agents.set(id, { operatorId: id, state, hasDevice: true, idleSince: NOW - Math.floor(rnd() * 3_600_000), callsToday: Math.floor(rnd() * 40), talkMsToday: Math.floor(rnd() * 7_200_000) });
  skillsOf.set(id, new Map(Array.from({ length: 3 }, () => [pickOf(SKILLS), 1 + Math.floor(rnd() * 10)] as const)));
}
const membersOf: Array<Array<{ operatorId: string; level: number; skills: Map<string, number> }>> = Array.from({ length: QUEUES }, () => []);
for (const id of agents.keys()) {
  const qs = new Set<number>();
  while (qs.size < QUEUES_PER_OPERATOR) qs.add(Math.floor(rnd() * QUEUES));
  for (const q of qs) membersOf[q]!.push({ operatorId: id, level: rnd() < 0.7 ? 1 : 2, skills: skillsOf.get(id)! });
}

function queuesFor(strategy: Strategy): RoutingQueue[] {
  return membersOf.map((members, i) => ({
    id: `q-${i}`,
    strategy,
    tieBreaker: 'longest-idle',
    tierWaitSec: 20,
    requiredSkills: strategy === 'skills-based' ? [{ skill: SKILLS[i % SKILLS.length]!, minLevel: 3 }] : [],
    members,
  }));
}

function waitingFor(queues: RoutingQueue[]): WaitingCall[] {
  const r = seededRandom(7);
  return Array.from({ length: CALLS }, (_, i) => ({
    id: `call-${i}`,
    arrivedAt: NOW - Math.floor(r() * 120_000),
    priority: r() < 0.1 ? 2 : 0,
    queuePriority: 1 + (i % 10),
    ageingSec: 60,
    queue: queues[Math.floor(r() * queues.length)]!,
  }));
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

interface Figures {
  decisionP50: number;
  decisionP99: number;
  passP50: number;
  passP99: number;
}

function measure(strategy: Strategy): Figures {
  const queues = queuesFor(strategy);
  const waiting = waitingFor(queues);
  const memory = newMemory(seededRandom(3));
  const one = (c: WaitingCall) => (strategy === 'ring-all' ? pickAll(c.queue, c, agents, NOW).length : pickOperator(c.queue, c, agents, memory, NOW));
  for (let i = 0; i < 2000; i++) one(waiting[i % CALLS]!); // warm-up (JIT)
  const d = new Float64Array(DECISIONS);
  for (let i = 0; i < DECISIONS; i++) {
    const c = waiting[i % CALLS]!;
    const t0 = process.hrtime.bigint();
    one(c);
    d[i] = Number(process.hrtime.bigint() - t0) / 1000; // µs
  }
  d.sort();
  for (let i = 0; i < 20; i++) dispatch(waiting.slice(), agents, memory, NOW);
  const p = new Float64Array(PASSES);
  for (let i = 0; i < PASSES; i++) {
    const list = waiting.slice();
    const t0 = process.hrtime.bigint();
    dispatch(list, agents, memory, NOW);
    p[i] = Number(process.hrtime.bigint() - t0) / 1e6; // ms
  }
  p.sort();
  return { decisionP50: percentile(d, 0.5), decisionP99: percentile(d, 0.99), passP50: percentile(p, 0.5), passP99: percentile(p, 0.99) };
}

const results = new Map<Strategy, Figures>();
for (const s of Strategy.options) results.set(s, measure(s));
const base = results.get('longest-idle')!;
const f = (n: number, digits = 1) => n.toFixed(digits);
const ready = [...agents.values()].filter((a) => a.state === 'ready').length;
const lines = [
  `routing bench: ${OPERATORS} operators (${ready} ready), ${QUEUES} queues (~${Math.round((OPERATORS * QUEUES_PER_OPERATOR) / QUEUES)} members each), ${CALLS} waiting calls; node ${process.version}`,
  `${'strategy'.padEnd(16)} ${'decision p50 µs'.padStart(16)} ${'p99 µs'.padStart(8)} ${'×LI p50'.padStart(8)} ${'×LI p99'.padStart(8)} ${'pass p50 ms'.padStart(12)} ${'p99 ms'.padStart(8)} ${'×LI p50'.padStart(8)} ${'×LI p99'.padStart(8)}`,
];
for (const [s, r] of results) {
  lines.push(
    `${s.padEnd(16)} ${f(r.decisionP50).padStart(16)} ${f(r.decisionP99).padStart(8)} ${f(r.decisionP50 / base.decisionP50, 2).padStart(8)} ${f(r.decisionP99 / base.decisionP99, 2).padStart(8)} ${f(r.passP50, 2).padStart(12)} ${f(r.passP99, 2).padStart(8)} ${f(r.passP50 / base.passP50, 2).padStart(8)} ${f(r.passP99 / base.passP99, 2).padStart(8)}`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
