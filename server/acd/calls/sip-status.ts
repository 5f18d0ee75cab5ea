import { MediaNegotiationError, MediaPortsExhaustedError } from '../media/media-errors';

/** A SIP answer to give for a failure: status and, when it says more than the standard phrase, a reason. */
export interface SipFailure {
  status: number;
  reason?: string;
}

/**
 * The one place a failure becomes a SIP status. Media out of ports is the ACD's own
 * overload (503, the peer may try elsewhere); an offer or answer it cannot take is the
 * peer's (488); anything else gets the status the step names as its fallback.
 */
export function sipFailureOf(err: unknown, fallback: SipFailure): SipFailure {
  if (err instanceof MediaPortsExhaustedError) return { status: 503, reason: 'Media Ports Exhausted' };
  if (err instanceof MediaNegotiationError) return { status: 488 };
  return fallback;
}
