import { dispatch, type WaitingCall } from './dispatch';
import { newMemory, type RoutingCandidate, type RoutingMemory } from './routing';

/** An operator Ready on another CTI node, as that node last said. */
export interface RemoteOperator {
  operatorId: string;
  node: string;
  idleSince: number;
}

export interface RemoteOffer<C> {
  call: C;
  operatorId: string;
  node: string;
}

/**
 * Which of this node's waiting calls to hand to which operator Ready on another node (docs/cti.md,
 * *Routing across nodes*): the same pass as a local one (`dispatch`: serving order, each queue's
 * members, tiers, skills, cool-downs; one operator per call, one call per operator), over the
 * other nodes' Ready operators. Ring-all reaches one operator across nodes (the longest idle): a
 * call lives on one node, so it can ring only one node's operators. `skip`: operators this node
 * asked for a moment ago (their node has not said yet whether they are still free). An operator
 * Ready on several nodes (two tabs) is offered through the node that has been Ready the longest.
 * Pure.
 */
export function remoteDispatch<C extends WaitingCall>(waiting: C[], remote: readonly RemoteOperator[], now: number, skip: ReadonlySet<string>, memory: RoutingMemory = newMemory()): Array<RemoteOffer<C>> {
  if (waiting.length === 0 || remote.length === 0) return [];
  const agents = new Map<string, RoutingCandidate>();
  const nodeOf = new Map<string, string>();
  for (const r of remote) {
    if (skip.has(r.operatorId)) continue;
    const had = agents.get(r.operatorId);
    if (had && had.idleSince <= r.idleSince) continue;
    agents.set(r.operatorId, { operatorId: r.operatorId, state: 'ready', hasDevice: true, idleSince: r.idleSince, callsToday: 0, talkMsToday: 0 });
    nodeOf.set(r.operatorId, r.node);
  }
  if (agents.size === 0) return [];
  // ring-all as longest idle: one operator, on one node
  const calls = waiting.map((c) => (c.queue.strategy === 'ring-all' ? { ...c, queue: { ...c.queue, strategy: 'longest-idle' as const } } : c));
  const back = new Map<WaitingCall, C>(calls.map((c, i) => [c, waiting[i]!]));
  return dispatch(calls, agents, memory, now).map((o) => {
    const operatorId = o.operatorIds[0]!;
    return { call: back.get(o.call)!, operatorId, node: nodeOf.get(operatorId)! };
  });
}
