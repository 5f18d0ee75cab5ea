import type { DeviceKind } from '../../contracts/agent';
import { lookUpTransition, type TransitionResult } from '../../shared/state-machine';

/**
 * Press-1 accept (docs/cti.md, "Press 1 to take the call"): a mobile or a SIP phone that answers
 * an offer is not bridged at once. The ACD plays "Press 1 to take this call from <queue>" to the
 * device only (the caller keeps the music) and relays the keys; the CTI bridges on the digit 1
 * and nothing else. Any other key, no key within the queue's time, or the device hanging up is
 * a *no answer* — so a voicemail that picks up is never bridged to a caller.
 *
 * ```
 *   asking ──pressed_one──▶ accepted (the CTI bridges the caller to the device)
 *     │
 *     ├── pressed_other, timed_out, hung_up ──▶ refused (a miss: the ring-no-answer policy)
 *     └── withdrawn ──▶ withdrawn (the caller left, the maximum wait, another operator won)
 * ```
 * Only `asking` has moves: one answer per offer, and a late key after the verdict is nothing.
 */
export const PRESS_ONE_STATES = ['asking', 'accepted', 'refused', 'withdrawn'] as const;
export type PressOneState = (typeof PRESS_ONE_STATES)[number];

export const PRESS_ONE_EVENTS = ['pressed_one', 'pressed_other', 'timed_out', 'hung_up', 'withdrawn'] as const;
export type PressOneEvent = (typeof PRESS_ONE_EVENTS)[number];

export const PRESS_ONE_TRANSITIONS: Readonly<Record<PressOneState, Partial<Record<PressOneEvent, PressOneState>>>> = {
  asking: { pressed_one: 'accepted', pressed_other: 'refused', timed_out: 'refused', hung_up: 'refused', withdrawn: 'withdrawn' },
  accepted: {},
  refused: {},
  withdrawn: {},
};

export function pressOneTransition(state: PressOneState, event: PressOneEvent): TransitionResult<PressOneState> {
  return lookUpTransition('press-one', PRESS_ONE_TRANSITIONS, state, event);
}

/** The key that takes the call. */
export const ACCEPT_DIGIT = '1';

/** What a key pressed while asked means. */
export function digitEvent(digit: string): 'pressed_one' | 'pressed_other' {
  return digit === ACCEPT_DIGIT ? 'pressed_one' : 'pressed_other';
}

/** A queue's press-1 settings (docs/cti.md): per device kind, and how long the device has to press. */
export interface PressOnePolicy {
  mobile: boolean;
  sipPhone: boolean;
  timeoutSec: number;
}

/**
 * Whether an offer to this device must be accepted with 1. A browser is never asked: its operator
 * clicks Answer in the console, and no voicemail answers a browser.
 */
export function pressOneApplies(device: DeviceKind | null, policy: PressOnePolicy): boolean {
  if (device === 'mobile') return policy.mobile;
  if (device === 'sip_phone') return policy.sipPhone;
  return false;
}

/** Why a refusal counts as a miss, in the words the timeline and the log keep. */
export function refusalWhy(event: PressOneEvent, digit: string | null, timeoutSec: number): string {
  if (event === 'pressed_other') return `pressed ${digit ?? 'another key'} instead of ${ACCEPT_DIGIT}`;
  if (event === 'timed_out') return `no key pressed within ${timeoutSec} s`;
  if (event === 'hung_up') return `the device hung up without pressing ${ACCEPT_DIGIT}`;
  return 'withdrawn';
}
