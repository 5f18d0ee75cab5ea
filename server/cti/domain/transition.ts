/**
 * What every state machine of the CTI answers (agent, call, mobile verification): the next state,
 * or an IllegalTransition the caller logs or turns into an ILLEGAL_TRANSITION error. Never throws.
 */
export interface IllegalTransition {
  kind: 'illegal-transition';
  machine: string;
  state: string;
  event: string;
  message: string;
}

export type TransitionResult<S> = { ok: true; next: S } | { ok: false; error: IllegalTransition };

export function illegal(machine: string, state: string, event: string): IllegalTransition {
  return { kind: 'illegal-transition', machine, state, event, message: `${machine}: ${event} is not allowed in state ${state}` };
}
