import type { CallOffer, CallView } from '@/server/contracts/socket-events';
import { formatPhone } from '../_lib/phone-format';

/**
 * What the consulted operator's console says about a consultation (operator A rings operator B
 * about A's caller): who asks and about whom, in plain words — not an ordinary caller for B.
 * Null for any other offer. Once A completes the transfer the call is B's (`view.operatorId`).
 */
export function consultNote(offer: Pick<CallOffer, 'consultFrom' | 'callerName' | 'callerNumber'> | null, view: Pick<CallView, 'operatorId' | 'status'> | null, myId: string | null): { headline: string; detail: string } | null {
  const from = offer?.consultFrom?.operatorName;
  if (!offer || !from) return null;
  const number = offer.callerNumber ? formatPhone(offer.callerNumber) : null;
  const caller = offer.callerName && offer.callerName !== offer.callerNumber ? offer.callerName : null;
  const about = caller && number ? `${caller} (${number})` : (caller ?? number ?? 'a caller from the website');
  if (myId !== null && view?.operatorId === myId && view.status !== 'ended') {
    return { headline: `${from} transferred the call to you`, detail: `You are now on the call with ${about}.` };
  }
  return { headline: `${from} wants to talk to you about a call`, detail: `The call is from ${about}. It is ${from}’s call: the caller waits on hold while you two talk.` };
}
