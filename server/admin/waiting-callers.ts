/**
 * What the admin service needs to know about calls in progress, implemented later by the CTI
 * (its call book knows who is waiting where). Until it is wired, `NO_LIVE_CALLS` answers from
 * nothing, so deleting a queue is guarded by the stored data only (numbers pointing at it).
 */
export interface LiveCallsPort {
  /** Callers waiting in the queue right now (queued or being offered). */
  waitingInQueue(queueId: string): number;
}

export const NO_LIVE_CALLS: LiveCallsPort = { waitingInQueue: () => 0 };
