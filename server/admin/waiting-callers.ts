import type { PrismaClient } from '../db/generated/client';

/**
 * What the admin service needs to know about calls in progress, implemented later by the CTI
 * (its call book knows who is waiting where). Until it is wired, `NO_LIVE_CALLS` answers from
 * nothing, so deleting a queue is guarded by the stored data only (numbers pointing at it).
 */
export interface LiveCallsPort {
  /** Callers waiting in the queue right now (queued or being offered). */
  waitingInQueue(queueId: string): number | Promise<number>;
}

export const NO_LIVE_CALLS: LiveCallsPort = { waitingInQueue: () => 0 };

/**
 * The web run apart from the CTI (`--role web`) cannot ask its call book: it counts the stored
 * calls of the queue not yet answered nor ended. The CTI's journal writes them a moment after
 * the fact, so a caller who arrived within that moment is not counted yet.
 */
export function storedWaitingCalls(prisma: Pick<PrismaClient, 'call'>): LiveCallsPort {
  return { waitingInQueue: (queueId) => prisma.call.count({ where: { queueId, answeredAt: null, endedAt: null } }) };
}
