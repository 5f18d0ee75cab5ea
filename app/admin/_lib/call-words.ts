import type { Direction } from '@/server/contracts/admin/call-history';
import type { CallOutcome, EndedBy } from '@/server/contracts/call';
import { formatPhone } from '../../_lib/phone-format';

/** A stored call's words for supervisors: the history's cells and the call page's facts. */
export const OUTCOME_TEXT: Record<CallOutcome, string> = {
  completed: 'Answered',
  abandoned: 'Caller hung up while waiting',
  timeout: 'Waited too long',
  closed: 'Closed at that time',
  forwarded: 'Forwarded to another number',
  busy: 'Queue was full',
  failed: 'Could not be connected',
};

export const ENDED_BY_TEXT: Record<EndedBy, string> = { caller: 'The caller', operator: 'The operator', system: 'Patchbay' };

export const DIRECTION_TEXT: Record<Direction, string> = { inbound: 'Incoming', outbound: 'Outgoing' };

/** The caller as a person reads them: their number, or how they called when they had none. */
export function callerText(callerNumber: string | null): string {
  return callerNumber ? formatPhone(callerNumber) : 'From the website';
}
