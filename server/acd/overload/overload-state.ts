/**
 * The ACD's overload decision: pure, no IO, no clock of its own. The guard (overload-guard.ts)
 * feeds it what it measures in memory — callers waiting to be bridged, the event loop's recent
 * lag, how long the controller takes to take an offered caller — and refuses new callers while
 * the state is `overloaded`.
 *
 * ```
 *            any signal at or past its ceiling
 *   normal ──────────────────────────────────▶ overloaded
 *      ▲                                           │
 *      └───── every signal at or under its resume mark ◀┘
 * ```
 *
 * Hysteresis: the way back needs every signal under a lower mark (`resumeFraction` of its
 * ceiling), so a center hovering at its ceiling does not flap between refusing and admitting
 * at every caller, and the log says one thing per episode.
 */
import { lookUpTransition, type TransitionTable } from '../../shared/state-machine';

export const OverloadStatus = ['normal', 'overloaded'] as const;
export type OverloadStatus = (typeof OverloadStatus)[number];

/** What a sample says about one status: each signal at/over its ceiling, or at/under its resume mark. */
export const OverloadEvent = ['over_ceiling', 'between_marks', 'under_resume'] as const;
export type OverloadEvent = (typeof OverloadEvent)[number];

/**
 * Why the ACD is past capacity (the first signal found over its ceiling): too many callers
 * waiting, its own event loop behind, or the controller (the CTI) slow to take offered callers.
 */
export const OverloadReason = ['waiting', 'lag', 'controller'] as const;
export type OverloadReason = (typeof OverloadReason)[number];

export interface OverloadLimits {
  /** Callers waiting to be bridged (answered or parked) at which new callers are refused; 0: no ceiling. */
  maxWaiting: number;
  /** Event-loop lag (ms) at which new callers are refused; 0: no bound. */
  maxLagMs: number;
  /** Sustained route-point offer delay (ms, offer-delay.ts) at which new callers are refused; 0: no bound. */
  maxOfferMs: number;
  /** Fraction of each ceiling every signal must be at or under before callers are admitted again. */
  resumeFraction: number;
}

export interface OverloadSample {
  waiting: number;
  lagMs: number;
  offerMs: number;
}

/** state → event → next state: the whole machine (every pair is legal: a sample is always one of the three). */
export const OVERLOAD_TRANSITIONS: TransitionTable<OverloadStatus, OverloadEvent> = {
  normal: { over_ceiling: 'overloaded', between_marks: 'normal', under_resume: 'normal' },
  overloaded: { over_ceiling: 'overloaded', between_marks: 'overloaded', under_resume: 'normal' },
};

export function transition(state: OverloadStatus, event: OverloadEvent): OverloadStatus {
  const r = lookUpTransition('overload', OVERLOAD_TRANSITIONS, state, event);
  return r.ok ? r.next : state;
}

/** The signal over its ceiling, if any (waiting first: it is the one a caller would add to). */
export function reasonOver(s: OverloadSample, l: OverloadLimits): OverloadReason | null {
  if (l.maxWaiting > 0 && s.waiting >= l.maxWaiting) return 'waiting';
  if (l.maxLagMs > 0 && s.lagMs >= l.maxLagMs) return 'lag';
  if (l.maxOfferMs > 0 && s.offerMs >= l.maxOfferMs) return 'controller';
  return null;
}

/** Classifies a sample against the limits. */
export function classify(s: OverloadSample, l: OverloadLimits): OverloadEvent {
  if (reasonOver(s, l)) return 'over_ceiling';
  const underWaiting = l.maxWaiting <= 0 || s.waiting <= Math.floor(l.maxWaiting * l.resumeFraction);
  const underLag = l.maxLagMs <= 0 || s.lagMs <= l.maxLagMs * l.resumeFraction;
  const underOffer = l.maxOfferMs <= 0 || s.offerMs <= l.maxOfferMs * l.resumeFraction;
  return underWaiting && underLag && underOffer ? 'under_resume' : 'between_marks';
}

/** The next status after a sample. */
export function decide(state: OverloadStatus, s: OverloadSample, l: OverloadLimits): OverloadStatus {
  return transition(state, classify(s, l));
}
