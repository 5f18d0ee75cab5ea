/**
 * The order in which waiting calls are served (pure). Operators in several queues take the
 * higher-priority queue's callers first (queue priority 1–10, 10 first, strict, like Asterisk's
 * queue weight). Within a queue, a call's effective priority is its own priority plus one step per
 * `ageingSec` it has waited, so a high-priority call jumps ahead of those that arrived before it,
 * but an older call keeps gaining and, `ageingSec × (priority gap)` later, is level again — FIFO
 * (arrival first) decides between equal effective priorities. Nothing waits forever behind a
 * stream of higher-priority calls. A call whose operator's device was lost mid-call (`first`)
 * goes before the rest of its queue: it had already reached the head once.
 */
export interface OrderedCall {
  id: string;
  arrivedAt: number;
  /** the call's own priority, 0 = normal (set per number or for a returning caller) */
  priority: number;
  queuePriority: number;
  ageingSec: number;
  /** served before every other call of its queue (its operator's device was lost mid-call) */
  first?: boolean;
}

/** The call's own priority plus one per `ageingSec` waited. */
export function effectivePriority(c: OrderedCall, now: number): number {
  return c.priority + Math.floor(Math.max(0, now - c.arrivedAt) / (c.ageingSec * 1000));
}

/** < 0 when a is served before b. */
export function compareWaiting(a: OrderedCall, b: OrderedCall, now: number): number {
  if (a.queuePriority !== b.queuePriority) return b.queuePriority - a.queuePriority;
  if (!!a.first !== !!b.first) return a.first ? -1 : 1;
  const pa = effectivePriority(a, now);
  const pb = effectivePriority(b, now);
  if (pa !== pb) return pb - pa;
  if (a.arrivedAt !== b.arrivedAt) return a.arrivedAt - b.arrivedAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Sorts in place, in serving order. */
export function orderWaiting<T extends OrderedCall>(calls: T[], now: number): T[] {
  return calls.sort((a, b) => compareWaiting(a, b, now));
}
