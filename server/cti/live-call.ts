import type { Logger } from '../log';
import type { CallJournal } from './call-journal';
import type { LiveCall } from './call-book';

/** What a new LiveCall needs; everything else starts empty (queued, no operator, no timers). */
export type LiveCallStart = Pick<LiveCall, 'id' | 'legId' | 'dialed' | 'callerName' | 'callerUri' | 'arrivedAt'> & Partial<Pick<LiveCall, 'operatorId'>> & { log: Logger; journal: CallJournal };

/** A call as it starts in the book: an arrival, an outbound call, or one rebuilt after a restart (call-recovery.ts). */
export function newLiveCall(s: LiveCallStart): LiveCall {
  return {
    ...s,
    queue: null,
    status: 'queued',
    operatorId: s.operatorId ?? null,
    deviceLegId: null,
    dial: null,
    answeredAt: null,
    endedAt: null,
    endedBy: null,
    maxWaitTimer: null,
    announceOutcome: null,
    overflows: 0,
    forwardedTo: null,
    notes: null,
    disposition: null,
    mic: 'open',
    controlBusy: false,
    transferTo: null,
    consult: null,
  };
}
