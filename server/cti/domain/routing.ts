import type { AgentState } from '../../contracts/agent';

/** What routing needs to know about an operator; nothing else. */
export interface RoutingCandidate {
  operatorId: string;
  state: AgentState;
  hasDevice: boolean;
  /** ms since epoch: when they last became ready or ended a call */
  idleSince: number;
}

export interface QueueMembership {
  operatorId: string;
  /** lower is preferred on ties */
  level: number;
}

/**
 * Longest-idle routing: among the queue's members who are `ready` and have a device, the one
 * idle the longest; ties broken by level (lower first), then by id so the choice is stable.
 * Pure: the service calls it with its live picture and acts on the answer.
 */
export function pickOperator(
  members: readonly QueueMembership[],
  agents: ReadonlyMap<string, RoutingCandidate>,
  exclude: ReadonlySet<string> = new Set(),
): string | null {
  let best: { id: string; idleSince: number; level: number } | null = null;
  for (const m of members) {
    const a = agents.get(m.operatorId);
    if (!a || a.state !== 'ready' || !a.hasDevice || exclude.has(m.operatorId)) continue;
    const c = { id: m.operatorId, idleSince: a.idleSince, level: m.level };
    if (!best || better(c, best)) best = c;
  }
  return best?.id ?? null;
}

function better(a: { id: string; idleSince: number; level: number }, b: { id: string; idleSince: number; level: number }): boolean {
  if (a.idleSince !== b.idleSince) return a.idleSince < b.idleSince;
  if (a.level !== b.level) return a.level < b.level;
  return a.id < b.id;
}
