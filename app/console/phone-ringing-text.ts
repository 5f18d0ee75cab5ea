import type { CallOffer } from '@/server/contracts/socket-events';

/**
 * What the console says while an operator's phone device (mobile, SIP phone) rings. With press-1
 * accept (the queue's setting) the call is theirs only once they press 1 on the phone, so the
 * console says so in those words — a voicemail that answers is never connected to the caller.
 */
export function phoneRingingText(offer: Pick<CallOffer, 'pressOne'> | null): string {
  return offer?.pressOne ? 'Answer on your phone and press 1 to take the call' : 'Your phone is ringing';
}
