import type { CallStatus } from '../../contracts/call';
import { illegalTransition as illegal, type TransitionResult } from '../../shared/state-machine';
import { callTransition, isAnswered } from './call-state';

/**
 * The operator's in-call controls, decided before anything is sent to the ACD: which controls
 * apply to a call in its state, and the plain words the console shows when one does not.
 *
 * The operator's microphone is a second, tiny machine beside the call's status (a held call can
 * be muted too, and mute stays through hold):
 * ```
 *   open ──mute──▶ muted ──unmute──▶ open
 * ```
 */
export const MicState = ['open', 'muted'] as const;
export type MicState = (typeof MicState)[number];
export const MicEvent = ['mute', 'unmute'] as const;
export type MicEvent = (typeof MicEvent)[number];

export const MIC_TRANSITIONS: Readonly<Record<MicState, Partial<Record<MicEvent, MicState>>>> = {
  open: { mute: 'muted' },
  muted: { unmute: 'open' },
};

export function micTransition(state: MicState, event: MicEvent): TransitionResult<MicState> {
  const next = MIC_TRANSITIONS[state][event];
  return next ? { ok: true, next } : { ok: false, error: illegal('mic', state, event) };
}

export const CallControl = ['hold', 'resume', 'mute', 'unmute', 'dtmf', 'transfer'] as const;
export type CallControl = (typeof CallControl)[number];

/** What the console needs to know of a call to decide a control. */
export interface ControlledCall {
  status: CallStatus;
  mic: MicState;
}

/** Why a control cannot apply to a call now (the words the operator reads), or null when it can. */
export function controlRefusal(call: ControlledCall, control: CallControl): string | null {
  if (call.status === 'ended') return 'This call has ended.';
  if (!isAnswered(call.status)) return 'The call has not been answered yet.';
  switch (control) {
    case 'hold':
      return call.status === 'held' ? 'The call is already on hold.' : callTransition(call.status, 'hold').ok ? null : 'The call cannot be put on hold now.';
    case 'resume':
      return call.status === 'held' ? null : 'The call is not on hold.';
    case 'mute':
      return micTransition(call.mic, 'mute').ok ? null : 'You are already muted.';
    case 'unmute':
      return micTransition(call.mic, 'unmute').ok ? null : 'You are not muted.';
    case 'dtmf':
      return call.status === 'held' ? 'Take the call off hold to use the keypad.' : null;
    case 'transfer':
      return callTransition(call.status, 'transfer').ok ? null : 'The call cannot be transferred now.';
  }
}
