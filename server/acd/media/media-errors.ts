/**
 * Errors the engine throws to signalling code (never from timers or socket callbacks:
 * those go to `onEnded`). The ACD maps MediaNegotiationError to a SIP 488.
 */
export class MediaNegotiationError extends Error {
  override name = 'MediaNegotiationError';
}

export class MediaStateError extends Error {
  override name = 'MediaStateError';
}
