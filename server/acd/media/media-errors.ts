/**
 * Errors the engine throws to signalling code (never from timers or socket callbacks:
 * those go to `onEnded`). Signalling maps them to SIP in one place (calls/sip-status.ts):
 * MediaNegotiationError → 488, MediaPortsExhaustedError → 503.
 */
export class MediaNegotiationError extends Error {
  override name = 'MediaNegotiationError';
}

export class MediaStateError extends Error {
  override name = 'MediaStateError';
}

/** No RTP port left to bind: the ACD is out of media capacity. */
export class MediaPortsExhaustedError extends MediaStateError {
  override name = 'MediaPortsExhaustedError';
}
