import { orderWaiting, type OrderedCall } from './call-order';
import { pickAll, pickOperator, type CallToRoute, type RoutingCandidate, type RoutingMemory, type RoutingQueue } from './routing';

/** A waiting call with everything routing needs. */
export interface WaitingCall extends OrderedCall, CallToRoute {
  queue: RoutingQueue;
}

export interface Offer<C> {
  call: C;
  /** one operator, or every one reached at once for ring-all */
  operatorIds: string[];
}

/**
 * One routing pass (pure but for `memory`): the waiting calls in serving order, each offered to
 * the operator its queue's strategy picks among those still free in this pass. An operator is
 * given at most one call; a call goes to one operator (ring-all: to all eligible at once). After
 * the pass no waiting call has an eligible Ready operator left — the invariants the property test
 * checks.
 */
export function dispatch<C extends WaitingCall>(
  waiting: C[],
  agents: ReadonlyMap<string, RoutingCandidate>,
  memory: RoutingMemory,
  now: number,
): Array<Offer<C>> {
  const offers: Array<Offer<C>> = [];
  const taken = new Set<string>();
  let ready = 0;
  for (const a of agents.values()) if (a.state === 'ready' && a.hasDevice) ready++;
  if (ready === 0 || waiting.length === 0) return offers;
  for (const call of orderWaiting(waiting, now)) {
    if (taken.size >= ready) break;
    if (call.queue.strategy === 'ring-all') {
      const ids = pickAll(call.queue, call, agents, now, taken);
      if (ids.length === 0) continue;
      for (const id of ids) taken.add(id);
      offers.push({ call, operatorIds: ids });
      continue;
    }
    const id = pickOperator(call.queue, call, agents, memory, now, taken);
    if (!id) continue;
    taken.add(id);
    offers.push({ call, operatorIds: [id] });
  }
  return offers;
}
